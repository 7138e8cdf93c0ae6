import { createCtx, type Ctx, type CtxLogger, type SiteRef } from '../../../platform/access/index.ts'
import type { Orm } from '../../../platform/db/index.ts'
import type { ReadingEntry, ReadingService } from '../../content/index.ts'
import { resolveRedirect } from '../../redirects/index.ts'
import { FEED_CONTENT_TYPES, FEED_WRITERS, type FeedFormat, type FeedModel } from '../feeds/index.ts'
import { bySpecificity, matchPermalink, parseRequestPath, type PermalinkMatch } from '../resolve/index.ts'
import {
  DEFAULT_THEME_ID,
  chooseTemplate,
  settingValues,
  type PageTemplateFor,
  type ThemeRegistry,
} from '../themes/index.ts'
import { cardContext, entryContext, entryPath, siteOrigin } from './page-context.ts'
import { readPageSite, type PageSite, type PageType } from './pages.repo.ts'

/**
 * A public page from a request path (ARCHITECTURE §9, ADR 0017): the path read strictly, then in order
 * the canonical spelling (301), the site's redirect table (its 301/302), the front page, an entry by its
 * type's permalink, the site's feeds, an entry found by its slug under another path (301 to its own),
 * and the theme's 404. Every page is read as an anonymous reader of the site: members and previews come
 * later, through their own paths. At most three statements (the site, the redirect table, the entries),
 * four for a feed.
 */

export const FRONT_PAGE_SIZE = 10
export const FEED_SIZE = 20

/** The site's feeds, by path. */
const FEED_PATHS: Readonly<Record<string, FeedFormat>> = {
  '/feed': 'rss',
  '/feed/atom': 'atom',
  '/feed/json': 'json',
}
const FEED_NAMES: Readonly<Record<FeedFormat, string>> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' }

/** Each feed's absolute URL on `origin`. */
function feedUrls(origin: string): Record<FeedFormat, string> {
  return Object.fromEntries(
    Object.entries(FEED_PATHS).map(([path, format]) => [format, origin + path]),
  ) as Record<FeedFormat, string>
}

export type PageResult =
  | { kind: 'page'; status: 200 | 400 | 404; html: string }
  | { kind: 'document'; status: 200; contentType: string; body: string }
  | { kind: 'redirect'; status: 301 | 302; location: string }

export interface PageRequest {
  site: SiteRef
  /** The request URL as received (path and query). */
  url: string
  requestId: string
  ip: string | null
  log: CtxLogger
}

export interface PagesServiceDeps {
  orm: Orm
  reading: ReadingService
  themes: ThemeRegistry
  /** The network's public URL: the scheme and port of every site's origin, the host of the main site's. */
  publicUrl: string
}

export type PagesService = ReturnType<typeof createPagesService>

/** Entry fields a page shows (the body as sanitised HTML, never the editor's JSON). */
const ENTRY_FIELDS = 'id,type,slug,title,excerpt,bodyHtml,publishedAt,updatedAt,seo'

export function createPagesService(deps: PagesServiceDeps) {
  const publicUrl = new URL(deps.publicUrl)

  async function render(q: PageRequest): Promise<PageResult> {
    const ctx = createCtx({
      orm: deps.orm,
      actor: { kind: 'anonymous' },
      site: q.site,
      requestId: q.requestId,
      ip: q.ip,
      log: q.log,
    })
    const parsed = parseRequestPath(q.url)
    const site = await readPageSite(ctx.read, q.site.id)
    // The host directory let the request in; a site that went away since answers like an unknown path.
    if (!site) return notFound(undefined, 404, 'not-found')
    const origin = siteOrigin(site, publicUrl)
    if (!parsed.ok) return notFound(site, 400, 'bad-request')
    const query = q.url.includes('?') ? q.url.slice(q.url.indexOf('?')) : ''
    if (!parsed.isCanonical) return { kind: 'redirect', status: 301, location: parsed.canonical + query }
    const redirect = await resolveRedirect(ctx.read, site.id, parsed.canonical)
    if (redirect)
      return { kind: 'redirect', status: redirect.statusCode === 302 ? 302 : 301, location: redirect.toPath }
    const typeOf = (key: string) => site.types.find((t) => t.key === key)
    const where = { site, origin, typeOf }

    if (parsed.segments.length === 0) {
      const page = await latest(ctx, site, {
        include: 'author,ancestors',
        fields: 'summary',
        limit: FRONT_PAGE_SIZE,
      })
      return html(site, { kind: 'front' }, 200, {
        page: {
          kind: 'front',
          title: '',
          canonicalUrl: `${origin}/`,
          description: site.tagline,
          status: 200,
          noindex: false,
        },
        entries: page.items.map((e) => cardContext(e, where)),
        pagination: { page: 1, previousUrl: null, nextUrl: null },
      })
    }

    const found = await findEntry(ctx, site, parsed.canonical)
    if (found && !found.moved) {
      const { entry, type } = found
      const seo = entry.seo ?? {}
      const context = entryContext(entry, where)
      return html(site, { kind: 'entry', type: type.key, slug: entry.slug ?? '' }, 200, {
        page: {
          kind: 'entry',
          title: seo.metaTitle || context.title,
          canonicalUrl: context.url,
          description: seo.metaDescription || context.excerpt,
          status: 200,
          noindex: seo.noindex === true,
        },
        entry: context,
      })
    }
    // A feed path is the feed unless an entry lives exactly there; an entry merely named like it elsewhere
    // does not take it over.
    const feedFormat = FEED_PATHS[parsed.canonical]
    if (feedFormat) return feed(ctx, where, feedFormat)
    if (found) return { kind: 'redirect', status: 301, location: found.path }
    return notFound(site, 404, 'not-found')
  }

  /** The latest published public entries of the site's non-hierarchical types (the front page, feeds). */
  async function latest(
    ctx: Ctx,
    site: PageSite,
    query: { include: string; fields: string; limit: number },
  ): Promise<{ items: ReadingEntry[] }> {
    const listed = site.types.filter((t) => !t.hierarchical).map((t) => t.key)
    if (listed.length === 0) return { items: [] }
    return deps.reading.list(ctx, { type: listed.join(','), ...query })
  }

  async function feed(
    ctx: Ctx,
    where: { site: PageSite; origin: string; typeOf: (key: string) => PageType | undefined },
    format: FeedFormat,
  ): Promise<PageResult> {
    const { site, origin } = where
    const page = await latest(ctx, site, {
      include: 'author,terms,ancestors',
      fields: 'summary,bodyHtml',
      limit: FEED_SIZE,
    })
    const model: FeedModel = {
      id: `urn:uuid:${site.id}`,
      title: site.name,
      description: site.tagline,
      language: site.locale,
      homeUrl: `${origin}/`,
      urls: feedUrls(origin),
      items: page.items.map((e) => {
        const published = e.publishedAt ?? e.updatedAt ?? new Date(0).toISOString()
        const updated = e.updatedAt && e.updatedAt > published ? e.updatedAt : published
        return {
          id: `urn:uuid:${e.id}`,
          url: cardContext(e, where).url,
          title: e.title ?? '',
          summary: e.excerpt ?? '',
          contentHtml: e.bodyHtml ?? '',
          published,
          updated,
          author: e.author?.name ?? null,
          categories: Object.values(e.terms ?? {}).flatMap((items) =>
            items.map((t) => ({ term: t.slug, label: t.name })),
          ),
        }
      }),
    }
    return {
      kind: 'document',
      status: 200,
      contentType: FEED_CONTENT_TYPES[format],
      body: FEED_WRITERS[format](model),
    }
  }

  /**
   * The entry `path` names: the types whose template the path fits, most specific first, then the
   * entries of those types with the slug it gives (one statement per distinct slug, which is one in
   * practice). The entry whose own path is `path` wins; failing that, an entry found by its slug whose
   * path differs (a wrong date or parent) is `moved` there.
   */
  async function findEntry(
    ctx: Ctx,
    site: PageSite,
    path: string,
  ): Promise<{ entry: ReadingEntry; type: PageType; path: string; moved: boolean } | undefined> {
    const candidates = [...site.types]
      .map((t) => ({ typeKey: t.key, template: t.permalink, type: t }))
      .sort(bySpecificity)
      .map((c) => ({ type: c.type, match: matchPermalink(c.template, c.typeKey, path) }))
      .filter(
        (c): c is { type: PageType; match: PermalinkMatch & { slug: string } } => c.match?.slug !== undefined,
      )
    const slugs = [...new Set(candidates.map((c) => c.match.slug))].slice(0, 3)
    let moved: { entry: ReadingEntry; type: PageType; path: string } | undefined
    for (const slug of slugs) {
      const types = candidates.filter((c) => c.match.slug === slug).map((c) => c.type)
      const page = await deps.reading.list(ctx, {
        type: types.map((t) => t.key).join(','),
        slug,
        include: 'author,terms,ancestors',
        fields: ENTRY_FIELDS,
        limit: types.length,
      })
      for (const type of types) {
        const entry = page.items.find((e) => e.type === type.key)
        if (!entry) continue
        const own = entryPath(entry, type, site.timeZone)
        if (own === path) return { entry, type, path: own, moved: false }
        moved ??= { entry, type, path: own }
      }
    }
    return moved && { ...moved, moved: true }
  }

  async function html(
    site: PageSite,
    page: PageTemplateFor,
    status: 200 | 400 | 404,
    scope: Record<string, unknown>,
  ): Promise<PageResult> {
    const renderer = await deps.themes.bundled(DEFAULT_THEME_ID)
    const template = chooseTemplate(renderer.has, page)
    const origin = siteOrigin(site, publicUrl)
    const urls = feedUrls(origin)
    const out = await renderer.render(
      template,
      { ...scope, theme: { settings: settingValues(renderer.theme.manifest) } },
      {
        name: site.name,
        tagline: site.tagline,
        url: origin,
        locale: site.locale,
        timeZone: site.timeZone,
        feeds: (Object.keys(urls) as FeedFormat[]).map((format) => ({
          type: FEED_CONTENT_TYPES[format].split(';')[0],
          title: `${site.name} (${FEED_NAMES[format]})`,
          url: urls[format],
        })),
      },
    )
    return { kind: 'page', status, html: out }
  }

  async function notFound(
    site: PageSite | undefined,
    status: 400 | 404,
    kind: 'not-found' | 'bad-request',
  ): Promise<PageResult> {
    const shown = site ?? {
      id: '',
      name: '',
      tagline: '',
      locale: 'en',
      timeZone: 'UTC',
      isMain: true,
      primaryHost: null,
      types: [],
      taxonomies: {},
    }
    return html(shown, { kind: 'not-found' }, status, {
      page: {
        kind,
        // The theme names error pages in the site's language.
        title: '',
        canonicalUrl: null,
        description: '',
        status,
        noindex: true,
      },
    })
  }

  return { render }
}
