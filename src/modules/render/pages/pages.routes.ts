import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SiteRef } from '../../../platform/access/index.ts'
import { isAppError } from '../../../platform/errors/index.ts'
import { PUBLIC, plainPage, reservedAreaOf } from '../../../platform/http/index.ts'
import { DEFAULT_THEME_ID, type ThemeRegistry } from '../themes/index.ts'
import type { PagesService } from './pages.service.ts'

export interface PagesRoutesOptions {
  service: PagesService
  themes: ThemeRegistry
  /** The site the root host serves (the main site), or undefined before there is one. */
  mainSite: () => Promise<SiteRef | undefined>
}

/**
 * Public pages on every site host (and the main site on the root host): every GET (and HEAD) path no
 * other route took. Theme assets are served by content hash, cacheable for good. Readers never see an
 * error's detail: a failed page is a plain 500 page with the request id, its cause in the log.
 */
export async function pagesRoutes(app: FastifyInstance, options: PagesRoutesOptions): Promise<void> {
  const { service, themes, mainSite } = options

  app.get<{ Params: { hash: string; '*': string } }>(
    '/_assets/:hash/*',
    { config: { access: PUBLIC }, schema: { hide: true } },
    async (request, reply) => {
      const renderer = await themes.bundled(DEFAULT_THEME_ID)
      const asset = renderer.theme.assets.get(request.params['*'])
      if (!asset || asset.hash !== request.params.hash) return reply.callNotFound()
      reply
        .type(asset.contentType)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
      // An SVG opened on its own runs no script and reaches nothing.
      if (asset.contentType.startsWith('image/svg'))
        reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
      return reply.send(asset.bytes)
    },
  )

  app.get('/*', { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    // The API and the admin keep their own 404 on every host, however the path is spelled.
    if (reservedAreaOf(request.url) !== null) return reply.callNotFound()
    const site = request.hostSite ?? (await mainSite())
    if (!site) return reply.callNotFound()
    try {
      const result = await service.render({
        site: { id: site.id, slug: site.slug, name: site.name },
        url: request.url,
        requestId: request.id,
        ip: request.ip,
        log: request.log,
      })
      if (result.kind === 'document')
        return reply
          .code(result.status)
          .type(result.contentType)
          .header('cache-control', 'public, max-age=0, must-revalidate')
          .send(result.body)
      if (result.kind === 'redirect')
        return reply
          .code(result.status)
          .header('location', result.location)
          .header('cache-control', 'no-cache')
          .send()
      return reply
        .code(result.status)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'public, max-age=0, must-revalidate')
        .send(result.html)
    } catch (err) {
      return failedPage(request, reply, err)
    }
  })
}

function failedPage(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const status = isAppError(err) && err.status < 500 ? err.status : 500
  request.log.error({ err, details: isAppError(err) ? err.details : undefined }, 'a public page failed')
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(
      plainPage({
        title: 'This page cannot be shown',
        body: [
          'Something went wrong while preparing this page. Please try again in a moment.',
          `If it keeps happening, quote this reference to the site's owners: ${request.id}`,
        ],
      }),
    )
}
