import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SiteRef } from '../../../platform/access/index.ts'
import {
  PUBLIC,
  SANDBOXED_FILE_CSP,
  cacheTagHeader,
  cachedPageOf,
  pageTags,
  reservedAreaOf,
  type CachedPage,
  type PageCache,
  type PageToKeep,
} from '../../../platform/http/index.ts'
import type { RecordRenderError } from '../theme-admin/index.ts'
import { failedPage } from './failed-page.ts'
import type { PageReader, PageRequest, PageResult, PagesService } from './pages.service.ts'

export interface PagesRoutesOptions {
  service: PagesService
  /** The site the root host serves (the main site), or undefined before there is one. */
  mainSite: () => Promise<SiteRef | undefined>
  /** Pages kept for anonymous readers (ADR 0019); absent or disabled: every page is rendered. */
  cache?: PageCache
  /** CDN lifetimes of cacheable pages (default: 60 s, and 30 s stale while revalidating). */
  caching?: PageCaching
  /** Records a theme's failure behind a failed page for the site's admins (theme-admin). */
  recordRenderError?: RecordRenderError
  /**
   * What a signed-in reader may do on the site (auth's `readerCapabilities`): members allowed to read
   * private entries see them. Without it every reader is anonymous.
   */
  readerCapabilities?: (request: FastifyRequest, siteId: string) => Promise<ReadonlySet<string>>
}

/**
 * Public pages on every site host (and the main site on the root host): every GET (and HEAD) path no
 * other route took. Theme assets are served by content hash, cacheable for good. Readers never see an
 * error's detail: a failed page is a plain 500 page with the request id, its cause in the log.
 *
 * Anonymous readers' successful pages and feeds go through the page cache, keyed by site and URL, with
 * an ETag (304 on `If-None-Match`), `Cache-Control` for CDNs and a `Cache-Tag` header; a request with
 * credentials, an uncacheable result (`cacheable: false`: previews, password forms, members' pages),
 * redirects and error pages bypass it and are never stored by anyone (`no-store`).
 */
export async function pagesRoutes(app: FastifyInstance, options: PagesRoutesOptions): Promise<void> {
  const { service, mainSite, cache } = options
  const caching = options.caching ?? { sharedMaxAge: 60, staleWhileRevalidate: 30 }

  app.get<{ Params: { hash: string; '*': string } }>(
    '/_assets/:hash/*',
    { config: { access: PUBLIC }, schema: { hide: true } },
    async (request, reply) => {
      const site = request.hostSite ?? (await mainSite())
      if (!site) return reply.callNotFound()
      const renderer = await service.themeOf(pageRequest(request, site))
      const asset = renderer.theme.assets.get(request.params['*'])
      if (!asset || asset.hash !== request.params.hash) return reply.callNotFound()
      reply
        .type(asset.contentType)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
      // An SVG opened on its own runs no script and reaches nothing.
      if (asset.contentType.startsWith('image/svg'))
        reply.header('content-security-policy', SANDBOXED_FILE_CSP)
      return reply.send(asset.bytes)
    },
  )

  app.get('/*', { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    // The API and the admin keep their own 404 on every host, however the path is spelled.
    if (reservedAreaOf(request.url) !== null) return reply.callNotFound()
    const site = request.hostSite ?? (await mainSite())
    if (!site) return reply.callNotFound()
    try {
      if (!isAnonymousRequest(request)) {
        const reader = await readerOf(request, site.id)
        const result = await service.render({ ...pageRequest(request, site), ...(reader && { reader }) })
        return sendResult(reply, site.id, result, caching, 'private')
      }
      const render = () => service.render(pageRequest(request, site))
      if (!cache?.enabled) return sendResult(reply, site.id, await render(), caching, 'public')
      // One entry per site and URL as received (path and query): another site's host never reaches it.
      const lookup = await cache.fetch(site.id, request.url, render, (result) => pageToKeep(site.id, result))
      reply.header('x-colophon-cache', lookup.outcome)
      if (lookup.page) return sendPage(reply, lookup.page, caching)
      return sendResult(reply, site.id, lookup.result, caching, 'public')
    } catch (err) {
      // A theme's failure is shown to the site's admins too (its last render errors), recorded before the
      // reader's reply leaves: it never throws, and the admins can see it by the time anyone looks.
      await options.recordRenderError?.({
        site: { id: site.id, slug: site.slug, name: site.name },
        path: request.url,
        requestId: request.id,
        error: err,
        log: request.log,
      })
      return failedPage(request, reply, err)
    }
  })

  /** The signed-in reader's name and capabilities on the site, or undefined for an anonymous one. */
  async function readerOf(request: FastifyRequest, siteId: string): Promise<PageReader | undefined> {
    const actor = request.ctx?.actor
    if (actor?.kind !== 'user' || !options.readerCapabilities) return undefined
    return { name: actor.name, capabilities: await options.readerCapabilities(request, siteId) }
  }
}

/** What the page service needs of a request. */
function pageRequest(request: FastifyRequest, site: SiteRef): PageRequest {
  return {
    site: { id: site.id, slug: site.slug, name: site.name },
    url: request.url,
    requestId: request.id,
    ip: request.ip,
    log: request.log,
    cookie: (name) => request.cookies[name],
  }
}

/** CDN lifetimes of cacheable pages (`s-maxage`, `stale-while-revalidate`), in seconds. */
export interface PageCaching {
  sharedMaxAge: number
  staleWhileRevalidate: number
}

/** Cookies Colophon sets start with this: their holder may see a page of their own (signed in, a password). */
const OWN_COOKIE = /(?:^|;)\s*colophon_/

/**
 * A reader whose page is the same as every anonymous reader's: no credentials (a session or CSRF cookie,
 * an entry-password or preview cookie, all named `colophon_…`, or an Authorization header).
 */
function isAnonymousRequest(request: FastifyRequest): boolean {
  if (request.headers.authorization !== undefined) return false
  const cookie = request.headers.cookie
  if (cookie !== undefined && OWN_COOKIE.test(cookie)) return false
  const kind = request.ctx?.actor.kind
  return kind === undefined || kind === 'anonymous'
}

/**
 * What may be kept: successful pages and documents the service did not mark uncacheable, tagged with what
 * they show (their `tags`, after the site's own). Redirects, 4xx and 5xx pages never are.
 */
function pageToKeep(siteId: string, result: PageResult): PageToKeep | undefined {
  const extra = result as { cacheable?: boolean; tags?: readonly string[] }
  if (result.kind === 'redirect' || result.status !== 200 || extra.cacheable === false) return undefined
  const body = result.kind === 'page' ? result.html : result.body
  const contentType = result.kind === 'page' ? HTML : result.contentType
  return { status: 200, contentType, body, tags: pageTags(siteId, extra.tags) }
}

const HTML = 'text/html; charset=utf-8'

function publicCacheControl(caching: PageCaching): string {
  return `public, max-age=0, s-maxage=${caching.sharedMaxAge}, stale-while-revalidate=${caching.staleWhileRevalidate}`
}

function sendPage(reply: FastifyReply, page: CachedPage, caching: PageCaching): FastifyReply {
  return reply
    .code(page.status)
    .type(page.contentType)
    .header('cache-control', publicCacheControl(caching))
    .header('cache-tag', cacheTagHeader(page.tags))
    .header('etag', page.etag)
    .send(page.body)
}

/** A result the cache did not hold: kept-like headers when it could have been kept, else no-store. */
function sendResult(
  reply: FastifyReply,
  siteId: string,
  result: PageResult,
  caching: PageCaching,
  audience: 'public' | 'private',
): FastifyReply {
  if (result.kind === 'redirect')
    return reply
      .code(result.status)
      .header('location', result.location)
      .header('cache-control', 'no-cache')
      .send()
  const page = audience === 'public' ? pageToKeep(siteId, result) : undefined
  if (page) return sendPage(reply, cachedPageOf(page), caching)
  const body = result.kind === 'page' ? result.html : result.body
  return reply
    .code(result.status)
    .type(result.kind === 'page' ? HTML : result.contentType)
    .header('cache-control', audience === 'private' ? 'private, no-store' : 'no-store')
    .send(body)
}
