import type { FastifyInstance } from 'fastify'
import { needs } from '../../platform/http/index.ts'
import {
  IndexingSiteParams,
  IndexingView,
  PutIndexingBody,
  type PutIndexingInput,
} from './indexing.schema.ts'
import type { IndexingService } from './indexing.service.ts'

export interface IndexingRoutesOptions {
  service: IndexingService
}

type SiteRequest = { Params: { site: string } }

/** Whether a site discourages search engines: read by its members, set by network admins. */
export async function indexingRoutes(
  app: FastifyInstance,
  { service }: IndexingRoutesOptions,
): Promise<void> {
  app.get<SiteRequest>(
    '/api/v1/sites/:site/indexing',
    {
      config: { access: needs('site.settings.read') },
      schema: {
        tags: ['sites'],
        summary: 'Read whether the site discourages indexing',
        description:
          'Whether search engines are asked to stay away from the whole site (robots.txt disallows everything, no sitemaps, a robots `noindex` meta tag on every page).',
        params: IndexingSiteParams,
        response: { 200: IndexingView },
      },
    },
    async (request) => service.get(request.ctx),
  )

  app.put<SiteRequest & { Body: PutIndexingInput }>(
    '/api/v1/sites/:site/indexing',
    {
      config: { access: needs('network.sites.manage', { allowArchived: true }) },
      schema: {
        tags: ['sites'],
        summary: 'Discourage or allow indexing of the site',
        description:
          'Network admins only. Turns on or off the request to search engines to stay away from the whole site; readers see the change on their next request. Audited `sites.site.indexing` when the value changes.',
        params: IndexingSiteParams,
        body: PutIndexingBody,
        response: { 200: IndexingView },
      },
    },
    async (request) => service.put(request.ctx, request.body),
  )
}
