/**
 * Where a site's sitemaps and robots.txt live (on each site's own host), written here and read back here,
 * so robots.txt, the sitemap index and the page resolver agree on one spelling:
 *
 * - `/robots.txt`;
 * - `/sitemap.xml`: the sitemap index, listing every child below;
 * - `/sitemap-home.xml`: the front page;
 * - `/sitemap-type-<type key>-<n>.xml`: page n (from 1) of a content type's entries;
 * - `/sitemap-taxonomy-<taxonomy key>-<n>.xml`: page n (from 1) of a taxonomy's term archives.
 *
 * The `type-` and `taxonomy-` prefixes keep a type and a taxonomy with the same key apart, and the page
 * number comes last, so a key with hyphens or digits (`how-to-2`) still reads one way only.
 */

export const ROBOTS_PATH = '/robots.txt'
export const SITEMAP_INDEX_PATH = '/sitemap.xml'
export const SITEMAP_HOME_PATH = '/sitemap-home.xml'

/** Most URLs in one sitemap (sitemaps.org 0.9): the page size of the children. */
export const SITEMAP_MAX_URLS = 50_000

/** One numbered child: the entries of a content type or the terms of a taxonomy. */
export interface SitemapChild {
  kind: 'type' | 'taxonomy'
  key: string
  page: number
}

/** What a site document path names. */
export type SiteDocumentPath =
  { kind: 'robots' } | { kind: 'index' } | { kind: 'home' } | ({ kind: 'child' } & { child: SitemapChild })

// Keys follow TYPE_KEY_PATTERN and TAXONOMY_KEY_PATTERN; page numbers stay within nine digits.
const CHILD = /^\/sitemap-(type|taxonomy)-([a-z][a-z0-9-]{0,39})-([1-9][0-9]{0,8})\.xml$/

export function sitemapChildPath(child: SitemapChild): string {
  return `/sitemap-${child.kind}-${child.key}-${child.page}.xml`
}

/** What `path` (a canonical request path) names, or undefined when it is no site document. */
export function parseSiteDocumentPath(path: string): SiteDocumentPath | undefined {
  if (path === ROBOTS_PATH) return { kind: 'robots' }
  if (path === SITEMAP_INDEX_PATH) return { kind: 'index' }
  if (path === SITEMAP_HOME_PATH) return { kind: 'home' }
  const match = CHILD.exec(path)
  if (!match) return undefined
  const [, kind, key, page] = match as unknown as [string, 'type' | 'taxonomy', string, string]
  return { kind: 'child', child: { kind, key, page: Number(page) } }
}
