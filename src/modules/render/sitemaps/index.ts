/** Sitemaps and robots.txt of each site (sub-module of render). See ../README.md. */
export {
  serveSiteDocument,
  type SiteDocument,
  type SiteDocumentOptions,
  type SitemapSite,
} from './sitemaps.service.ts'
export {
  ROBOTS_PATH,
  SITEMAP_HOME_PATH,
  SITEMAP_INDEX_PATH,
  SITEMAP_MAX_URLS,
  parseSiteDocumentPath,
  sitemapChildPath,
  type SiteDocumentPath,
  type SitemapChild,
} from './sitemap-paths.ts'
export { DEFAULT_ROBOTS_RULES, ROBOTS_CONTENT_TYPE, robotsTxtOf } from './robots.ts'
export { SITEMAP_CONTENT_TYPE, sitemapIndexXml, urlSetXml, type SitemapLocation } from './sitemap-xml.ts'
