/**
 * Cache tags: short, stable names for what a cached public page shows, so that a change can drop every
 * page that shows the changed thing (the page cache) and a CDN can purge by them (the `Cache-Tag` header).
 *
 * Ids are UUIDs, unique across the network, so entry, term and author tags need no site; menus and
 * listings are per site. The prefixes are one letter each to keep the header short:
 *
 * | tag               | names                                                   |
 * | ----------------- | ------------------------------------------------------- |
 * | `s:<site>`        | the whole site: every page of it carries this tag       |
 * | `e:<entry>`       | one entry (its page, and every listing that shows it)   |
 * | `t:<term>`        | one term (its archive, and pages that list it)          |
 * | `u:<user>`        | one author (a user's name or profile shown on the page) |
 * | `m:<site>`        | the site's menus                                        |
 * | `l:<site>:<type>` | a listing of one content type on the site               |
 */
export type CacheTag = string & { readonly __cacheTag?: never }

export const siteTag = (siteId: string): CacheTag => `s:${siteId}`
export const entryTag = (entryId: string): CacheTag => `e:${entryId}`
export const termTag = (termId: string): CacheTag => `t:${termId}`
export const authorTag = (userId: string): CacheTag => `u:${userId}`
export const menuTag = (siteId: string): CacheTag => `m:${siteId}`
export const listingTag = (siteId: string, typeKey: string): CacheTag => `l:${siteId}:${typeKey}`

/**
 * The `Cache-Tag` header stays under this many bytes (CDNs cap it: 16 KB at Cloudflare, some at 8 KB).
 * Past it, the page carries its site tag alone: purging the site still purges it.
 */
export const CACHE_TAG_HEADER_MAX_BYTES = 8 * 1024

/** What a cached page of `siteId` is tagged with: the site tag first, then `tags` without repeats. */
export function pageTags(siteId: string, tags: readonly string[] = []): CacheTag[] {
  const site = siteTag(siteId)
  return [site, ...new Set(tags.filter((t) => t !== site && isCacheTag(t)))]
}

/**
 * The `Cache-Tag` header for a page: its tags separated by commas, or the first (site) tag alone when
 * they would not fit in `CACHE_TAG_HEADER_MAX_BYTES`.
 */
export function cacheTagHeader(tags: readonly CacheTag[]): string {
  const joined = tags.join(',')
  return joined.length <= CACHE_TAG_HEADER_MAX_BYTES ? joined : (tags[0] ?? '')
}

/** A tag as the constructors above write it: a known prefix, then characters a header carries as they are. */
export function isCacheTag(value: string): value is CacheTag {
  return /^[setuml]:[A-Za-z0-9_.:-]{1,200}$/.test(value)
}
