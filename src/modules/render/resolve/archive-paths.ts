import { pathOf, splitPageNumber } from './request-path.ts'

/**
 * Where a site's archives live (ADR 0017). Every listing has one canonical path, written here and read
 * back by the page resolver, so menus, sitemaps, feeds and templates link to the same spelling:
 *
 * - a type's archive: `/<type key>` (types whose entries are not arranged in a tree);
 * - a term's archive: `/<taxonomy key>/<slug>` (`/category/europe`), in hierarchical taxonomies too: a
 *   slug is unique within its taxonomy, and moving a term under another parent keeps its address;
 * - an author's archive: `/author/<user id>` (ids are stable when a name changes);
 * - date archives: `/<year>`, `/<year>/<month>`, `/<year>/<month>/<day>` (two-digit month and day);
 * - page N of any listing: its path, then `/page/N` (page 1 is the listing's own path);
 * - a listing's feeds: its path, then `/feed`, `/feed/atom` or `/feed/json`.
 */

export const AUTHOR_ARCHIVE_SEGMENT = 'author'
export const PAGE_SEGMENT = 'page'

export function typeArchivePath(typeKey: string): string {
  return pathOf([typeKey])
}

export function termArchivePath(taxonomyKey: string, slug: string): string {
  return pathOf([taxonomyKey, slug])
}

export function authorArchivePath(userId: string): string {
  return pathOf([AUTHOR_ARCHIVE_SEGMENT, userId])
}

export function dateArchivePath(date: { year: number; month?: number; day?: number }): string {
  const segments = [String(date.year).padStart(4, '0')]
  if (date.month !== undefined) segments.push(String(date.month).padStart(2, '0'))
  if (date.month !== undefined && date.day !== undefined) segments.push(String(date.day).padStart(2, '0'))
  return pathOf(segments)
}

/** Page `page` of the listing at `path` (`/` for the front page). */
export function listingPagePath(path: string, page: number): string {
  if (page <= 1) return path
  return `${path === '/' ? '' : path}/${PAGE_SEGMENT}/${page}`
}

/** A listing a path names, before anything is looked up (whether the term or author exists). */
export type ListingTarget =
  | { kind: 'front' }
  | { kind: 'type'; type: string }
  | { kind: 'term'; taxonomy: string; slug: string }
  | { kind: 'author'; userId: string }
  | { kind: 'date'; year: number; month?: number; day?: number }

export type ListingFeed = 'rss' | 'atom' | 'json'

export interface ListingPath {
  target: ListingTarget
  /** The listing's own canonical path (page 1, no feed). */
  path: string
  page: number
  /** False for `…/page/1`: the listing under another name (answer 301 to `path`). */
  canonicalPage: boolean
  /** Set when the path asks for the listing's feed (always of its first page). */
  feed?: ListingFeed
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const FEEDS: Readonly<Record<string, ListingFeed>> = { atom: 'atom', json: 'json' }

/**
 * The listing `segments` (a decoded request path) names on a site with these list-able type keys and
 * taxonomy keys, or undefined. The inverse of the path writers above. A type key wins over a taxonomy
 * key, and both over a date; `author` is an author's archive only when followed by a user id.
 */
export function parseListingPath(
  segments: readonly string[],
  site: { typeKeys: readonly string[]; taxonomyKeys: readonly string[] },
): ListingPath | undefined {
  let rest = [...segments]
  let feed: ListingFeed | undefined
  const n = rest.length
  if (rest[n - 1] === 'feed') {
    feed = 'rss'
    rest = rest.slice(0, -1)
  } else if (n >= 2 && rest[n - 2] === 'feed' && FEEDS[rest[n - 1] ?? ''] !== undefined) {
    feed = FEEDS[rest[n - 1] ?? '']
    rest = rest.slice(0, -2)
  }
  let page = 1
  let canonicalPage = true
  if (feed === undefined) {
    const split = splitPageNumber(rest)
    ;({ page, canonicalPage } = split)
    rest = split.base
  }
  const target = targetOf(rest, site)
  if (!target) return undefined
  return { target, path: rest.length === 0 ? '/' : pathOf(rest), page, canonicalPage, ...(feed && { feed }) }
}

function targetOf(
  rest: readonly string[],
  site: { typeKeys: readonly string[]; taxonomyKeys: readonly string[] },
): ListingTarget | undefined {
  const [first, ...more] = rest
  if (first === undefined) return { kind: 'front' }
  if (more.length === 0 && site.typeKeys.includes(first)) return { kind: 'type', type: first }
  if (site.taxonomyKeys.includes(first) && more.length === 1)
    return { kind: 'term', taxonomy: first, slug: more[0] ?? '' }
  if (first === AUTHOR_ARCHIVE_SEGMENT && more.length === 1 && UUID.test(more[0] ?? ''))
    return { kind: 'author', userId: more[0] ?? '' }
  return dateTargetOf(rest)
}

function dateTargetOf(rest: readonly string[]): ListingTarget | undefined {
  if (rest.length > 3) return undefined
  const [y, m, d] = rest
  if (!/^[0-9]{4}$/.test(y ?? '') || Number(y) < 1) return undefined
  const year = Number(y)
  if (m === undefined) return { kind: 'date', year }
  if (!/^(0[1-9]|1[0-2])$/.test(m)) return undefined
  const month = Number(m)
  if (d === undefined) return { kind: 'date', year, month }
  if (!/^(0[1-9]|[12][0-9]|3[01])$/.test(d)) return undefined
  const day = Number(d)
  // 2026/02/30 is no day.
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined
  return { kind: 'date', year, month, day }
}

/**
 * The instants a date archive covers in `timeZone`: from the first moment of its year, month or day to
 * the first moment of the next, as ISO strings.
 */
export function dateRangeOf(
  date: { year: number; month?: number; day?: number },
  timeZone: string,
): { from: string; to: string } {
  const { year, month, day } = date
  const start = [year, (month ?? 1) - 1, day ?? 1] as const
  const end =
    month === undefined
      ? ([year + 1, 0, 1] as const)
      : day === undefined
        ? ([year, month, 1] as const)
        : ([year, month - 1, day + 1] as const)
  return {
    from: zonedMidnight(...start, timeZone).toISOString(),
    to: zonedMidnight(...end, timeZone).toISOString(),
  }
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>()

/** How far ahead of UTC `timeZone` is at `at`, in milliseconds. */
function zoneOffset(at: number, timeZone: string): number {
  let formatter = offsetFormatters.get(timeZone)
  if (formatter === undefined) {
    const options = {
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    } as const
    try {
      formatter = new Intl.DateTimeFormat('en-US', { ...options, timeZone })
    } catch {
      formatter = new Intl.DateTimeFormat('en-US', { ...options, timeZone: 'UTC' })
    }
    if (offsetFormatters.size > 500) offsetFormatters.clear()
    offsetFormatters.set(timeZone, formatter)
  }
  const parts = Object.fromEntries(formatter.formatToParts(at).map((p) => [p.type, p.value]))
  const local = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  )
  return local - Math.floor(at / 1000) * 1000
}

/** The first instant of a calendar day in `timeZone` (month and day may overflow, as with Date.UTC). */
function zonedMidnight(year: number, monthIndex: number, day: number, timeZone: string): Date {
  const wall = Date.UTC(year, monthIndex, day)
  // Two rounds settle the offset, also across a daylight-saving change on that day.
  let at = wall - zoneOffset(wall, timeZone)
  at = wall - zoneOffset(at, timeZone)
  return new Date(at)
}
