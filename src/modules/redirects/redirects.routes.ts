import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { needs } from '../../platform/http/index.ts'
import {
  CreateRedirectBody,
  ListRedirectsQuery,
  RedirectPage,
  RedirectParams,
  RedirectView,
  SiteParams,
  UpdateRedirectBody,
} from './redirects.schema.ts'
import type { RedirectsService } from './redirects.service.ts'

export interface RedirectsRoutesOptions {
  service: RedirectsService
}

type SiteRoute = { Params: { site: string } }
type RedirectRoute = { Params: { site: string; id: string } }
const access = needs('site.seo.manage')
const tags = ['redirects']

export async function redirectsRoutes(
  app: FastifyInstance,
  { service }: RedirectsRoutesOptions,
): Promise<void> {
  app.get<SiteRoute & { Querystring: ListRedirectsQuery }>(
    '/api/v1/sites/:site/redirects',
    {
      config: { access },
      schema: {
        tags,
        summary: 'List a site’s redirects',
        description:
          'Manual and automatic redirects, newest first. Filter with `kind` (`automatic` or `manual`) and `search` (text in either path); page with `cursor`.',
        params: SiteParams,
        querystring: ListRedirectsQuery,
        response: { 200: RedirectPage },
      },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.get<RedirectRoute>(
    '/api/v1/sites/:site/redirects/:id',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Get a redirect',
        description: 'One redirect of the site.',
        params: RedirectParams,
        response: { 200: RedirectView },
      },
    },
    async (request) => service.get(request.ctx, request.params.id),
  )

  app.post<SiteRoute & { Body: CreateRedirectBody }>(
    '/api/v1/sites/:site/redirects',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Create a redirect',
        description:
          'Redirects `fromPath` to `toPath` (both normalised; invalid paths give 400 COLOPHON_REDIRECTS_PATH_INVALID with details per field). A path already redirected gives 409 COLOPHON_REDIRECTS_FROM_TAKEN. A redirect whose chain leads back to its own path gives 409 COLOPHON_REDIRECTS_LOOP with `details.chain`. Chains are flattened: existing redirects that pointed at `fromPath` are pointed at `toPath`.',
        params: SiteParams,
        body: CreateRedirectBody,
        response: { 201: RedirectView },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(request.ctx, request.body)),
  )

  app.patch<RedirectRoute & { Body: UpdateRedirectBody }>(
    '/api/v1/sites/:site/redirects/:id',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Change a redirect',
        description:
          'Changes any of `fromPath`, `toPath`, `statusCode`, `note`, with the same checks as creation (loop, taken source, flattening). Changing a path of an automatic redirect makes it manual.',
        params: RedirectParams,
        body: UpdateRedirectBody,
        response: { 200: RedirectView },
      },
    },
    async (request) => service.update(request.ctx, request.params.id, request.body),
  )

  app.delete<RedirectRoute>(
    '/api/v1/sites/:site/redirects/:id',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Delete a redirect',
        description: 'The source path stops redirecting at once. Redirects that led to it are kept.',
        params: RedirectParams,
        response: { 204: Type.Null({ description: 'Deleted.' }) },
      },
    },
    async (request, reply) => {
      await service.remove(request.ctx, request.params.id)
      return reply.code(204).send()
    },
  )
}
