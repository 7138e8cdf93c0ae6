import { xmlText } from '../feeds/index.ts'

/**
 * The sitemaps.org 0.9 documents (https://www.sitemaps.org/protocol.html): an index of sitemaps and a
 * set of URLs, each with its last modification when known. Pure; `loc` values are absolute URLs whose
 * paths are already percent-encoded (as permalinks and archive paths write them), so only XML escaping
 * is left to do here.
 */

export const SITEMAP_CONTENT_TYPE = 'application/xml; charset=utf-8'

const NAMESPACE = 'http://www.sitemaps.org/schemas/sitemap/0.9'

export interface SitemapLocation {
  loc: string
  /** W3C datetime (`2026-03-09T12:00:00Z`), or null when unknown. */
  lastmod: string | null
}

function entry(element: 'sitemap' | 'url', location: SitemapLocation): string {
  const lastmod = location.lastmod === null ? '' : `<lastmod>${xmlText(location.lastmod)}</lastmod>`
  return `<${element}><loc>${xmlText(location.loc)}</loc>${lastmod}</${element}>`
}

function document(root: 'sitemapindex' | 'urlset', element: 'sitemap' | 'url', items: SitemapLocation[]) {
  const body = items.map((item) => entry(element, item)).join('\n')
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${NAMESPACE}">\n${body}\n</${root}>\n`
}

/** A sitemap index: `<sitemapindex>` of `<sitemap>` elements. */
export function sitemapIndexXml(sitemaps: SitemapLocation[]): string {
  return document('sitemapindex', 'sitemap', sitemaps)
}

/** A sitemap: `<urlset>` of `<url>` elements. */
export function urlSetXml(urls: SitemapLocation[]): string {
  return document('urlset', 'url', urls)
}
