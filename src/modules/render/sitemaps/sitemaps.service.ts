import type { Ctx } from '../../../platform/access/index.ts'
import { permalinkOf } from '../../content/index.ts'
import { readSiteSettings } from '../../sites/index.ts'
import { termArchivePath } from '../resolve/index.ts'
import { ROBOTS_CONTENT_TYPE, robotsTxtOf } from './robots.ts'
import {
  SITEMAP_HOME_PATH,
  SITEMAP_INDEX_PATH,
  SITEMAP_MAX_URLS,
  parseSiteDocumentPath,
  sitemapChildPath,
  type SitemapChild,
} from './sitemap-paths.ts'
import { SITEMAP_CONTENT_TYPE, sitemapIndexXml, urlSetXml, type SitemapLocation } from './sitemap-xml.ts'
import {
  readRobotsRules,
  readSitemapChildren,
  readSitemapEntries,
  readSitemapTerms,
  type SitemapChildRow,
} from './sitemaps.repo.ts'

/** What sitemaps need of the site (the page service's `PageSite` holds all of it). */
export interface SitemapSite {
  id: string
  timeZone: string
  types: readonly { key: string; permalink: string; hierarchical: boolean }[]
  /** Taxonomy display names by key (the keys are what matter here). */
  taxonomies: Readonly<Record<string, string>>
  /** Set by a network admin: robots.txt disallows everything and the sitemaps are not there. */
  discourageIndexing: boolean
}

/** A sitemap or robots.txt, ready to send. */
export interface SiteDocument {
  status: 200
  contentType: string
  body: string
}

export interface SiteDocumentOptions {
  /** URLs per child sitemap (default and most: 50,000); tests use a small one. */
  pageSize?: number
}

/**
 * The site's robots.txt, sitemap index and child sitemaps at `path` (the request's canonical path),
 * read as the anonymous reader of `ctx`; undefined when `path` is none of them, names a child past the
 * end (or an unknown type or taxonomy), or names a sitemap of a site that discourages indexing: the page
 * resolver then goes on (to its 404). One statement per document.
 */
export async function serveSiteDocument(
  ctx: Ctx,
  site: SitemapSite,
  origin: string,
  path: string,
  options: SiteDocumentOptions = {},
): Promise<SiteDocument | undefined> {
  const named = parseSiteDocumentPath(path)
  if (!named) return undefined
  if (named.kind === 'robots') return robots(ctx, site, origin)
  if (site.discourageIndexing) return undefined
  const pageSize = Math.min(Math.max(1, Math.trunc(options.pageSize ?? SITEMAP_MAX_URLS)), SITEMAP_MAX_URLS)
  switch (named.kind) {
    case 'index': {
      const children = await readSitemapChildren(ctx.read, site.id, pageSize)
      const home = { loc: origin + SITEMAP_HOME_PATH, lastmod: frontPageLastmod(site, children) }
      const listed = children.filter((c) => isKnown(site, c))
      return xml(
        sitemapIndexXml([
          home,
          ...listed.map((c) => ({ loc: origin + sitemapChildPath(c), lastmod: c.lastmod })),
        ]),
      )
    }
    case 'home': {
      const children = await readSitemapChildren(ctx.read, site.id, pageSize)
      return xml(urlSetXml([{ loc: `${origin}/`, lastmod: frontPageLastmod(site, children) }]))
    }
    case 'child':
      return child(ctx, site, origin, named.child, pageSize)
  }
}

function xml(body: string): SiteDocument {
  return { status: 200, contentType: SITEMAP_CONTENT_TYPE, body }
}

function isKnown(site: SitemapSite, child: Pick<SitemapChild, 'kind' | 'key'>): boolean {
  return child.kind === 'type'
    ? site.types.some((t) => t.key === child.key)
    : Object.hasOwn(site.taxonomies, child.key)
}

/** The front page lists the entries of the types not arranged in a tree: its last change is theirs. */
function frontPageLastmod(site: SitemapSite, children: SitemapChildRow[]): string | null {
  const listedTypes = new Set(site.types.filter((t) => !t.hierarchical).map((t) => t.key))
  let latest: string | null = null
  for (const c of children)
    if (c.kind === 'type' && listedTypes.has(c.key) && (latest === null || c.lastmod > latest))
      latest = c.lastmod
  return latest
}

async function child(
  ctx: Ctx,
  site: SitemapSite,
  origin: string,
  named: SitemapChild,
  pageSize: number,
): Promise<SiteDocument | undefined> {
  if (!isKnown(site, named)) return undefined
  let urls: SitemapLocation[]
  if (named.kind === 'type') {
    const type = site.types.find((t) => t.key === named.key)
    if (!type) return undefined
    const rows = await readSitemapEntries(ctx.read, {
      siteId: site.id,
      type: type.key,
      hierarchical: type.hierarchical,
      page: named.page,
      pageSize,
    })
    urls = rows.map((e) => ({
      loc:
        origin +
        permalinkOf({
          template: type.permalink,
          slug: e.slug,
          ancestors: e.ancestors,
          publishedAt: new Date(e.publishedAt),
          id: e.id,
          typeKey: type.key,
          timeZone: site.timeZone,
        }),
      lastmod: e.lastmod,
    }))
  } else {
    const rows = await readSitemapTerms(ctx.read, {
      siteId: site.id,
      taxonomy: named.key,
      page: named.page,
      pageSize,
    })
    urls = rows.map((t) => ({ loc: origin + termArchivePath(named.key, t.slug), lastmod: t.lastmod }))
  }
  // An empty type or taxonomy has no child, and a page past the end is not there.
  if (urls.length === 0) return undefined
  return xml(urlSetXml(urls))
}

async function robots(ctx: Ctx, site: SitemapSite, origin: string): Promise<SiteDocument> {
  const sitemapUrl = origin + SITEMAP_INDEX_PATH
  const rules = site.discourageIndexing
    ? ''
    : readSiteSettings({ robotsTxt: await readRobotsRules(ctx.read, site.id) }).robotsTxt
  return {
    status: 200,
    contentType: ROBOTS_CONTENT_TYPE,
    body: robotsTxtOf({ rules, discourageIndexing: site.discourageIndexing, sitemapUrl }),
  }
}
