/**
 * What counts as valid text in a request. PostgreSQL stores UTF-8 and refuses the NUL character in
 * `text` and `jsonb` alike; a string with an unpaired surrogate cannot be encoded as UTF-8 at all (the
 * drivers would silently turn it into U+FFFD). So every string a request carries (path, query, JSON body
 * values and keys) must be well-formed Unicode without NUL, and every byte sequence must be UTF-8:
 * nothing is repaired or replaced, the request is refused.
 */

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** Well-formed Unicode (no unpaired surrogate) and no NUL character. */
export function isValidText(text: string): boolean {
  return !text.includes('\u0000') && text.isWellFormed()
}

/** Decodes UTF-8, or returns null when the bytes are not UTF-8 (never replacement characters). */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return null
  }
}

const HEX = /^[0-9a-fA-F]{2}$/

/**
 * The bytes a URL component stands for: `%XX` escapes decoded, other characters taken as the bytes they
 * arrived as (Node reads the request line as Latin-1, so a raw byte 0xFF is the character U+00FF).
 * A `%` that starts no valid escape is kept as is; malformed escapes are the router's to refuse.
 */
function bytesOf(component: string): Uint8Array {
  const bytes: number[] = []
  for (let i = 0; i < component.length; i++) {
    const code = component.charCodeAt(i)
    const escape = component.slice(i + 1, i + 3)
    if (code === 0x25 && HEX.test(escape)) {
      bytes.push(parseInt(escape, 16))
      i += 2
    } else if (code < 0x100) {
      bytes.push(code)
    } else {
      bytes.push(...new TextEncoder().encode(component[i]))
    }
  }
  return Uint8Array.from(bytes)
}

function isValidComponent(component: string): boolean {
  // Fast path: plain ASCII without escapes or NUL is always valid.
  // eslint-disable-next-line no-control-regex -- the range starts at U+0001 on purpose: NUL is refused
  if (/^[\u0001-\u007f]*$/.test(component) && !component.includes('%')) return true
  const bytes = bytesOf(component)
  return !bytes.includes(0) && decodeUtf8(bytes) !== null
}

/** Which part of a request target (`/path?query`) holds invalid text once decoded, or null. */
export function urlTextProblem(url: string): 'path' | 'query' | null {
  const mark = url.indexOf('?')
  const path = mark === -1 ? url : url.slice(0, mark)
  if (!isValidComponent(path)) return 'path'
  if (mark !== -1 && !isValidComponent(url.slice(mark + 1))) return 'query'
  return null
}

function pointerToken(key: string): string {
  const shown = isValidText(key) ? key : key.toWellFormed().replaceAll('\u0000', '\uFFFD')
  return shown.replaceAll('~', '~0').replaceAll('/', '~1')
}

interface Visit {
  value: unknown
  token: string
  parent: Visit | null
}

function pointerOf(visit: Visit): string {
  const tokens: string[] = []
  for (let v: Visit | null = visit; v && v.parent; v = v.parent) tokens.push(v.token)
  return tokens.length === 0 ? '/' : '/' + tokens.reverse().join('/')
}

/**
 * The JSON pointer of the first invalid string (a value or a property name) in a parsed JSON value, or
 * null when all are valid. Iterative and with parent links instead of path strings, so a deeply nested
 * body can neither overflow the stack nor cost memory quadratic in its depth.
 */
export function invalidStringIn(value: unknown): string | null {
  const stack: Visit[] = [{ value, token: '', parent: null }]
  while (stack.length > 0) {
    const visit = stack.pop() as Visit
    const current = visit.value
    if (typeof current === 'string') {
      if (!isValidText(current)) return pointerOf(visit)
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--)
        stack.push({ value: current[i], token: String(i), parent: visit })
    } else if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current)
      const badKey = entries.find(([key]) => !isValidText(key))
      if (badKey) return pointerOf({ value: null, token: pointerToken(badKey[0]), parent: visit })
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, inner] = entries[i] as [string, unknown]
        stack.push({ value: inner, token: pointerToken(key), parent: visit })
      }
    }
  }
  return null
}
