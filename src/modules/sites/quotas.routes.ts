import type { FastifyInstance } from 'fastify'
import { needs } from '../../platform/http/index.ts'
import { PatchQuotasBody, QuotaSiteParams, QuotasView, type PatchQuotasInput } from './quotas.schema.ts'
import type { QuotasService } from './quotas.service.ts'

export interface QuotasRoutesOptions {
  service: QuotasService
}

type SiteRequest = { Params: { site: string } }

export async function quotasRoutes(app: FastifyInstance, { service }: QuotasRoutesOptions): Promise<void> {
  app.get<SiteRequest>(
    '/api/v1/sites/:site/quotas',
    {
      config: { access: needs('site.settings.read') },
      schema: {
        tags: ['sites'],
        summary: 'Read the site quotas',
        description:
          'The limits in force for the site: API calls per minute, entries held and bytes of media held (0: no limit), each with whether it is the network default or the site’s own.',
        params: QuotaSiteParams,
        response: { 200: QuotasView },
      },
    },
    async (request) => service.get(request.ctx),
  )

  app.patch<SiteRequest & { Body: PatchQuotasInput }>(
    '/api/v1/sites/:site/quotas',
    {
      config: { access: needs('network.sites.manage', { allowArchived: true }) },
      schema: {
        tags: ['sites'],
        summary: 'Change the site quotas',
        description:
          'Network admins only. Sets the site’s own limits; null returns a limit to the network default. Takes effect on the next request. Beyond the API-call limit, site routes answer 429 COLOPHON_SITES_QUOTA_API_CALLS; at the entries limit, creating an entry gives 403 COLOPHON_SITES_QUOTA_ENTRIES; an upload past the media bytes limit gives 413 COLOPHON_SITES_QUOTA_MEDIA_BYTES.',
        params: QuotaSiteParams,
        body: PatchQuotasBody,
        response: { 200: QuotasView },
      },
    },
    async (request) => service.update(request.ctx, request.body),
  )
}
