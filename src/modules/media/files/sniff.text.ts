/**
 * What a text file is, from its first bytes: plain text, CSV, SVG, or markup a browser would run (HTML,
 * XHTML, PHP), which is never accepted. file-type leaves text alone, so these checks are this folder's own.
 */

/** What the text checks found: an allowed name (`text`, `csv`, `svg`), XML of another kind, or a refusal. */
export type TextVerdict =
  { kind: 'text' | 'csv' | 'svg' | 'xml' } | { kind: 'forbidden'; what: string } | { kind: 'binary' }

// Elements whose appearance as the first thing in a file makes a browser sniff HTML (the WHATWG MIME
// sniffing standard's list), plus the few others that only make sense in a page.
const HTML_ELEMENTS = new Set([
  'html',
  'head',
  'body',
  'script',
  'iframe',
  'h1',
  'div',
  'font',
  'table',
  'a',
  'style',
  'title',
  'b',
  'br',
  'p',
  'object',
  'embed',
  'frameset',
  'meta',
  'link',
  'form',
])

const BOM = '\uFEFF'

/**
 * True when `head` is UTF-8 without a NUL byte. A multi-byte character cut by the end of the head is
 * fine: the head is only the start of the file.
 */
export function isUtf8Text(head: Uint8Array): boolean {
  if (head.includes(0)) return false
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true })
    return true
  } catch {
    return false
  }
}

/** Skips white space, processing instructions, comments and a DOCTYPE; returns where the root element starts. */
function skipProlog(text: string): { at: number; doctype: string | undefined } {
  let at = text.startsWith(BOM) ? 1 : 0
  let doctype: string | undefined
  for (;;) {
    while (at < text.length && /\s/.test(text[at] as string)) at++
    if (text.startsWith('<?', at)) {
      const end = text.indexOf('?>', at)
      if (end < 0) return { at: text.length, doctype }
      at = end + 2
    } else if (text.startsWith('<!--', at)) {
      const end = text.indexOf('-->', at + 4)
      if (end < 0) return { at: text.length, doctype }
      at = end + 3
    } else if (/^<!doctype\s/i.test(text.slice(at, at + 10))) {
      const end = doctypeEnd(text, at)
      doctype = text
        .slice(at + 10, end)
        .trim()
        .split(/[\s[>]/)[0]
        ?.toLowerCase()
      at = end + 1
    } else {
      return { at, doctype }
    }
  }
}

/** The `>` that closes a DOCTYPE, past any internal subset in brackets. */
function doctypeEnd(text: string, from: number): number {
  let depth = 0
  for (let i = from; i < text.length; i++) {
    const c = text[i]
    if (c === '[') depth++
    else if (c === ']') depth = Math.max(0, depth - 1)
    else if (c === '>' && depth === 0) return i
  }
  return text.length
}

/** The local name of the first element (`svg` for `<svg:svg`), lower case, or undefined. */
function rootElement(text: string, at: number): string | undefined {
  const match = /^<([A-Za-z_][\w.:-]*)/.exec(text.slice(at, at + 200))
  const name = match?.[1]?.toLowerCase()
  return name?.slice(name.lastIndexOf(':') + 1)
}

/** Whether a text is CSV: at least two lines, each with the same number (one or more) of `,` or `;`. */
function looksLikeCsv(text: string): boolean {
  // The last line may be cut by the end of the head; it is left out unless the text ends there.
  const lines = text.split(/\r?\n/).slice(0, 50)
  if (!text.endsWith('\n')) lines.pop()
  const filled = lines.filter((line) => line.trim() !== '')
  if (filled.length < 2) return false
  for (const separator of [',', ';']) {
    const counts = filled.map((line) => line.replace(/"[^"]*"/g, '').split(separator).length - 1)
    if (counts[0] !== undefined && counts[0] > 0 && counts.every((n) => n === counts[0])) return true
  }
  return false
}

/** Classifies a file whose head has no binary signature file-type knows. */
export function classifyText(head: Uint8Array): TextVerdict {
  if (!isUtf8Text(head)) return { kind: 'binary' }
  const text = new TextDecoder('utf-8').decode(head, { stream: true })
  const start = text.replace(/^\uFEFF?\s*/, '')
  if (start.startsWith('#!')) return { kind: 'forbidden', what: 'script' }
  if (/^<\?(php|=)/i.test(start)) return { kind: 'forbidden', what: 'php' }
  return classifyMarkup(text) ?? (looksLikeCsv(text) ? { kind: 'csv' } : { kind: 'text' })
}

/**
 * SVG, HTML (XHTML included) or other XML, from the first element; undefined for text that does not
 * start with markup. Also used on what file-type reports as `xml`.
 */
export function classifyMarkup(text: string): TextVerdict | undefined {
  const { at, doctype } = skipProlog(text)
  if (doctype === 'html') return { kind: 'forbidden', what: 'html' }
  const root = rootElement(text, at)
  if (root === 'svg') return { kind: 'svg' }
  if (root !== undefined && HTML_ELEMENTS.has(root)) return { kind: 'forbidden', what: 'html' }
  // A comment first, then no element: a browser sniffs that as HTML too.
  if (/^\uFEFF?\s*<!--/.test(text)) return { kind: 'forbidden', what: 'html' }
  if (root !== undefined && /^\uFEFF?\s*<\?xml\s/.test(text)) return { kind: 'xml' }
  return undefined
}
