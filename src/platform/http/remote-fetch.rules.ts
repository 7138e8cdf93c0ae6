/**
 * The pure decisions of `fetchRemoteFile`: which URLs may be requested, which answers are redirects,
 * and the file name and content type to report.
 */

/** Why a URL may not be requested; `downgrade` only concerns redirects. */
export type RemoteUrlProblem = 'malformed' | 'scheme' | 'credentials' | 'downgrade'

/** Redirects followed by hand; every other 3xx (300, 304, 305) is an answer like any non-200. */
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])

export function isRedirectStatus(status: number): boolean {
  return REDIRECT_STATUSES.has(status)
}

/**
 * Parses `text` (relative to `base` for a redirect's `Location`) into a URL that may be requested:
 * `http:` or `https:`, any port, no user name or password. Node's WHATWG parser also normalises the odd
 * IPv4 spellings (`127.1`, `2130706433`, `0x7f.1`) to dotted quads, so the address rules see them plainly.
 * From `https:`, a redirect to `http:` is refused: the editor asked for a file protected in transit, and
 * a downgrade would let anyone on the path replace it.
 */
export function remoteUrlOf(text: string, base?: URL): URL | RemoteUrlProblem {
  let url: URL
  try {
    url = new URL(text, base)
  } catch {
    return 'malformed'
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'scheme'
  if (url.username !== '' || url.password !== '') return 'credentials'
  if (url.hostname === '') return 'malformed'
  if (base?.protocol === 'https:' && url.protocol === 'http:') return 'downgrade'
  // The fragment never leaves the client; dropping it keeps `finalUrl` to what was requested.
  url.hash = ''
  return url
}

/** The host name as DNS and the allow-list see it: `[::1]` becomes `::1`. */
export function bareHostOf(url: URL): string {
  const host = url.hostname
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}

const MAX_FILE_NAME = 200
// Control characters, and the bidirectional overrides that make `cod.exe` display as `exe.doc`.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/**
 * A file name to suggest: the last segment of `name` (either slash separates), without control or
 * direction characters, trimmed, at most 200 characters; undefined when nothing usable is left. The
 * media library cleans the name again when it stores the file; this only keeps a hostile server's
 * header from reaching the caller as is.
 */
export function cleanFileName(name: string): string | undefined {
  const segment = name.split(/[/\\]/).pop() ?? ''
  const cleaned = [...segment.replace(UNSAFE_CHARACTERS, '').trim()].slice(0, MAX_FILE_NAME).join('').trim()
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? undefined : cleaned
}

const PARAMETER = /;\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g
const EXTENDED_VALUE = /^([!#$%&+^_`{}~0-9A-Za-z-]+)'[^']*'(.*)$/

function decodeExtendedValue(value: string): string | undefined {
  const match = EXTENDED_VALUE.exec(value.trim())
  if (!match) return undefined
  const charset = (match[1] as string).toLowerCase()
  const encoded = match[2] as string
  try {
    if (charset === 'utf-8') return decodeURIComponent(encoded)
    if (charset === 'iso-8859-1') {
      return encoded.replace(/%([0-9a-f]{2})/gi, (_all, hex: string) =>
        String.fromCharCode(parseInt(hex, 16)),
      )
    }
  } catch {
    return undefined
  }
  return undefined
}

/**
 * The file name a `Content-Disposition` header gives (RFC 6266): `filename*` (RFC 8187, UTF-8 or
 * ISO-8859-1) before `filename`, quoted or not. Undefined when the header names none.
 */
export function fileNameFromDisposition(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  let plain: string | undefined
  let extended: string | undefined
  for (const [, rawName, rawValue] of header.matchAll(PARAMETER)) {
    const name = (rawName as string).toLowerCase()
    const value = (rawValue as string).trim()
    if (name === 'filename*') extended ??= decodeExtendedValue(value)
    else if (name === 'filename') {
      plain ??= value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value
    }
  }
  return extended ?? plain
}

/** The suggested name: the header's, else the URL path's last segment (decoded); always cleaned. */
export function remoteFileNameOf(disposition: string | undefined, url: URL): string | undefined {
  const fromHeader = fileNameFromDisposition(disposition)
  const fromHeaderCleaned = fromHeader === undefined ? undefined : cleanFileName(fromHeader)
  if (fromHeaderCleaned !== undefined) return fromHeaderCleaned
  const segment = url.pathname.split('/').pop() ?? ''
  let decoded: string
  try {
    decoded = decodeURIComponent(segment)
  } catch {
    decoded = segment
  }
  return cleanFileName(decoded)
}

const MEDIA_TYPE = /^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/

/** `type/subtype` of a `Content-Type` header, lowercased, parameters dropped; undefined when malformed. */
export function mediaTypeOf(header: string | undefined): string | undefined {
  const essence = header?.split(';')[0]?.trim().toLowerCase()
  return essence !== undefined && MEDIA_TYPE.test(essence) ? essence : undefined
}
