import type { FastifyInstance } from 'fastify'
import type { SiteRef } from '../../../platform/access/index.ts'
import { PUBLIC } from '../../../platform/http/index.ts'
import { sendStoredFile } from './file-reply.ts'
import type { Caching, PublicMedia } from './public-media.ts'

export interface PublicMediaRoutesOptions {
  media: PublicMedia
  /** The site the root host serves (the main site), or undefined before there is one. */
  mainSite: () => Promise<SiteRef | undefined>
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

function cacheControlOf(caching: Caching): string {
  if (caching === 'immutable') return 'public, max-age=31536000, immutable'
  if (caching === 'public') return 'public, max-age=3600'
  return `private, max-age=${caching.privateSeconds}`
}

/**
 * `/media/{id}/…` on every site host (and the main site's on the root host): the files readers get. Only
 * paths whose second segment is an item id come here; any other `/media/…` path is a page like the rest.
 */
export async function publicMediaRoutes(
  app: FastifyInstance,
  options: PublicMediaRoutesOptions,
): Promise<void> {
  app.get<{ Params: { id: string; '*': string }; Querystring: { expires?: string; signature?: string } }>(
    `/media/:id(^${UUID}$)/*`,
    // Byte ranges count stored bytes: never re-encoded on the way.
    { compress: false, config: { access: PUBLIC }, schema: { hide: true } },
    async (request, reply) => {
      const site = request.hostSite ?? (await options.mainSite())
      if (!site) return reply.callNotFound()
      const query = request.query as Record<string, unknown>
      const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)
      const answer = await options.media.serve({
        site,
        id: request.params.id,
        rest: request.params['*'],
        path: request.url.split('?')[0] ?? request.url,
        expires: text(query.expires),
        signature: text(query.signature),
        range: request.headers.range,
        ifNoneMatch: request.headers['if-none-match'],
        requestId: request.id,
        ip: request.ip,
        log: request.log,
      })
      return sendStoredFile(reply, answer, cacheControlOf(answer.caching))
    },
  )
}
