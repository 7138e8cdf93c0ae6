/**
 * A public page request's path, read strictly before anything is looked up: decoded once, segment by
 * segment, and refused (the theme's 400 page, never a 500) when it cannot name a page of the site.
 * The canonical spelling of a path is the one permalinks produce (`permalinkOf`): segments
 * percent-encoded with `encodeURIComponent`, no empty segments, no trailing slash (the root is `/`).
 */

/** Longer raw paths are refused before decoding (permalink templates are at most 200 characters). */
export const MAX_PATH_LENGTH = 2000
/** Past this page number a listing is not paged (`/page/N`): it answers 404 like any unknown path. */
export const MAX_PAGE_NUMBER = 10_000

export type PathRefusal = 'too-long' | 'undecodable' | 'control-character' | 'dot-segment' | 'encoded-slash'

export type RequestPath =
  | {
      ok: true
      /** Decoded segments (the root has none). */
      segments: string[]
      /** The canonical, encoded spelling. */
      canonical: string
      /** Whether the request spelled it canonically (otherwise a 301 to `canonical` is in order). */
      isCanonical: boolean
    }
  | { ok: false; reason: PathRefusal }

// Control characters of C0, DEL and C1, after decoding.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/** Reads the path part of a request URL (anything from `?` on is ignored). */
export function parseRequestPath(url: string): RequestPath {
  const raw = url.split('?')[0]?.split('#')[0] ?? ''
  if (raw.length > MAX_PATH_LENGTH) return { ok: false, reason: 'too-long' }
  const segments: string[] = []
  for (const part of raw.split('/')) {
    if (part === '') continue
    let decoded: string
    try {
      decoded = decodeURIComponent(part)
    } catch {
      return { ok: false, reason: 'undecodable' }
    }
    if (CONTROL.test(decoded)) return { ok: false, reason: 'control-character' }
    if (decoded === '.' || decoded === '..') return { ok: false, reason: 'dot-segment' }
    if (decoded.includes('/') || decoded.includes('\\')) return { ok: false, reason: 'encoded-slash' }
    segments.push(decoded)
  }
  const canonical = pathOf(segments)
  return { ok: true, segments, canonical, isCanonical: raw === canonical }
}

/** The canonical spelling of decoded segments. */
export function pathOf(segments: readonly string[]): string {
  return `/${segments.map(encodeURIComponent).join('/')}`
}

/**
 * Splits a listing's page number off the path: `/category/news/page/3` is page 3 of
 * `/category/news`. `page/1` is the listing itself under another name (`canonicalPage` is false: answer
 * a 301 to the listing's path); a number that is not a plain positive integer up to `MAX_PAGE_NUMBER`
 * is no page at all (the path is left whole, and will not be found).
 */
export function splitPageNumber(segments: readonly string[]): {
  base: string[]
  page: number
  canonicalPage: boolean
} {
  const n = segments.length
  const number = segments[n - 1]
  if (n >= 2 && segments[n - 2] === 'page' && number !== undefined && /^[1-9][0-9]{0,4}$/.test(number)) {
    const page = Number(number)
    if (page <= MAX_PAGE_NUMBER) return { base: segments.slice(0, -2), page, canonicalPage: page !== 1 }
  }
  return { base: [...segments], page: 1, canonicalPage: true }
}
