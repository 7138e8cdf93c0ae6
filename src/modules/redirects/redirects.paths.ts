/**
 * Redirect paths, normalised so that one public path has exactly one spelling in the table: the lookup
 * at request time is then a plain equality. Pure functions, no database.
 *
 * Security: a redirect target is followed by browsers, so anything a browser could read as another
 * origin is refused or neutralised: `javascript:`/`data:` and every non-http(s) scheme, protocol-relative
 * `//host`, credentials in URLs, and control characters (browsers strip tabs and newlines, which could
 * turn `/\t/evil.example` into `//evil.example`). A backslash is percent-encoded, so `/\evil.example`
 * stays a path on this site.
 */

export const PATH_MAX_LENGTH = 2000

export type PathCheck = { ok: true; value: string } | { ok: false; code: string; message: string }

const UNRESERVED = /^[A-Za-z0-9\-._~]$/
/** Characters kept as typed in a path (RFC 3986 pchar plus `/`); everything else is percent-encoded. */
const PATH_SAFE = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]$/
/** In a query or a fragment, `?` may appear as typed too. */
const QUERY_SAFE = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?]$/
const HEX2 = /^[0-9A-Fa-f]{2}$/
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u001f\u007f]/

function fail(code: string, message: string): PathCheck {
  return { ok: false, code, message }
}

/**
 * One spelling per character: escapes of unreserved characters are decoded (`%7E` → `~`), other escapes
 * get upper-case hex, characters outside `safe` are UTF-8 percent-encoded. Null on a broken escape or a
 * lone surrogate.
 */
function normaliseEncoding(text: string, safe: RegExp): string | null {
  let out = ''
  const chars = [...text]
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string
    if (ch === '%') {
      const hex = `${chars[i + 1] ?? ''}${chars[i + 2] ?? ''}`
      if (!HEX2.test(hex)) return null
      const decoded = String.fromCharCode(parseInt(hex, 16))
      out += UNRESERVED.test(decoded) ? decoded : `%${hex.toUpperCase()}`
      i += 2
    } else if (safe.test(ch)) {
      out += ch
    } else {
      try {
        out += encodeURIComponent(ch)
      } catch {
        return null
      }
    }
  }
  return out
}

function normalisePathPart(path: string): PathCheck {
  if (!path.startsWith('/') || path.startsWith('//'))
    return fail('path', 'must be a path on this site starting with a single `/`, without scheme or host')
  const encoded = normaliseEncoding(path, PATH_SAFE)
  if (encoded === null) return fail('encoding', 'contains a broken percent-escape')
  if (encoded.split('/').some((segment) => segment === '.' || segment === '..'))
    return fail('dotSegment', 'must not contain `.` or `..` segments')
  return { ok: true, value: encoded }
}

function checkCommon(input: string): PathCheck | null {
  if (input === '') return fail('required', 'must not be empty')
  if (CONTROL.test(input)) return fail('control', 'must not contain control characters (tabs, new lines)')
  return null
}

function withinLength(value: string): PathCheck {
  if (value.length > PATH_MAX_LENGTH)
    return fail('tooLong', `must be at most ${PATH_MAX_LENGTH} characters once normalised`)
  return { ok: true, value }
}

/** A redirect source: a path on this site, without query string or fragment. */
export function normaliseFromPath(raw: string): PathCheck {
  const input = raw.trim()
  const problem = checkCommon(input)
  if (problem) return problem
  if (SCHEME.test(input) || input.startsWith('//'))
    return fail('path', 'must be a path on this site starting with `/`, without scheme or host')
  if (input.includes('?') || input.includes('#'))
    return fail('query', 'must not contain a query string or a fragment')
  const path = normalisePathPart(input)
  return path.ok ? withinLength(path.value) : path
}

function normaliseAbsoluteUrl(input: string): PathCheck {
  const scheme = (SCHEME.exec(input)?.[0] ?? '').toLowerCase()
  if (scheme !== 'http:' && scheme !== 'https:')
    return fail('scheme', 'an absolute target must be an http or https URL')
  let url: URL
  try {
    url = new URL(input)
  } catch {
    return fail('url', 'is not a valid URL')
  }
  if (url.hostname === '') return fail('url', 'an absolute URL needs a host')
  if (url.username !== '' || url.password !== '') return fail('url', 'must not carry a user name or password')
  return withinLength(url.href)
}

/** A redirect target: a path on this site (query and fragment allowed) or an absolute http(s) URL. */
export function normaliseToPath(raw: string): PathCheck {
  const input = raw.trim()
  const problem = checkCommon(input)
  if (problem) return problem
  if (SCHEME.test(input)) return normaliseAbsoluteUrl(input)
  if (input.startsWith('//') || input.startsWith('\\'))
    return fail('path', 'protocol-relative targets (`//host`) are not allowed: write the full https URL')
  const hash = input.indexOf('#')
  const beforeHash = hash === -1 ? input : input.slice(0, hash)
  const question = beforeHash.indexOf('?')
  const path = normalisePathPart(question === -1 ? beforeHash : beforeHash.slice(0, question))
  if (!path.ok) return path
  const query = question === -1 ? null : normaliseEncoding(beforeHash.slice(question + 1), QUERY_SAFE)
  const fragment = hash === -1 ? null : normaliseEncoding(input.slice(hash + 1), QUERY_SAFE)
  if ((question !== -1 && query === null) || (hash !== -1 && fragment === null))
    return fail('encoding', 'contains a broken percent-escape')
  return withinLength(
    `${path.value}${query === null ? '' : `?${query}`}${fragment === null ? '' : `#${fragment}`}`,
  )
}

/**
 * The site path a target leads to, as the redirect lookup sees it (query and fragment removed), or null
 * for an absolute URL, which leaves the site (a chain stops there).
 */
export function sitePathOf(target: string): string | null {
  if (!target.startsWith('/')) return null
  const cut = target.search(/[?#]/)
  return cut === -1 ? target : target.slice(0, cut)
}
