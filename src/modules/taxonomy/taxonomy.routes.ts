import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { PUBLIC, needs } from '../../platform/http/index.ts'
import {
  CreateTaxonomyBody,
  ListTaxonomiesQuery,
  SiteParams,
  TaxonomyPage,
  TaxonomyParams,
  TaxonomyView,
  UpdateTaxonomyBody,
} from './taxonomy.schema.ts'
import type { TaxonomyService } from './taxonomy.service.ts'

export interface TaxonomyRoutesOptions {
  service: TaxonomyService
}

type SiteRoute = { Params: { site: string } }
type TaxonomyRoute = { Params: { site: string; key: string } }
const tags = ['taxonomy']
// Registering vocabularies shapes the site's content model, like content types: an administrator's job.
const manage = needs('site.types.manage')

export async function taxonomyRoutes(
  app: FastifyInstance,
  { service }: TaxonomyRoutesOptions,
): Promise<void> {
  app.get<SiteRoute & { Querystring: ListTaxonomiesQuery }>(
    '/api/v1/sites/:site/taxonomies',
    {
      config: { access: PUBLIC },
      schema: {
        tags,
        summary: 'List taxonomies',
        description:
          'Every taxonomy of the site (the built-in `category` and `tag` included), ordered by key, with the content types each applies to. Public. Page with `cursor`.',
        params: SiteParams,
        querystring: ListTaxonomiesQuery,
        response: { 200: TaxonomyPage },
      },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.get<TaxonomyRoute>(
    '/api/v1/sites/:site/taxonomies/:key',
    {
      config: { access: PUBLIC },
      schema: {
        tags,
        summary: 'Get a taxonomy',
        description: 'One taxonomy by key (404 COLOPHON_TAXONOMY_NOT_FOUND). Public.',
        params: TaxonomyParams,
        response: { 200: TaxonomyView },
      },
    },
    async (request) => service.get(request.ctx, request.params.key),
  )

  app.post<SiteRoute & { Body: CreateTaxonomyBody }>(
    '/api/v1/sites/:site/taxonomies',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Register a taxonomy',
        description:
          'Adds a taxonomy for the content types in `typeKeys` (each must exist: 400 COLOPHON_TAXONOMY_UNKNOWN_TYPE). A taken key gives 409 COLOPHON_TAXONOMY_KEY_TAKEN.',
        params: SiteParams,
        body: CreateTaxonomyBody,
        response: { 201: TaxonomyView },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(request.ctx, request.body)),
  )

  app.patch<TaxonomyRoute & { Body: UpdateTaxonomyBody }>(
    '/api/v1/sites/:site/taxonomies/:key',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Change a taxonomy',
        description:
          'Changes names, description, the types it applies to, or whether it is hierarchical. The key never changes. Turning flat while terms have parents gives 409 COLOPHON_TAXONOMY_HIERARCHY_IN_USE. Removing a type from `typeKeys` keeps existing assignments; they can no longer be changed.',
        params: TaxonomyParams,
        body: UpdateTaxonomyBody,
        response: { 200: TaxonomyView },
      },
    },
    async (request) => service.update(request.ctx, request.params.key, request.body),
  )

  app.delete<TaxonomyRoute>(
    '/api/v1/sites/:site/taxonomies/:key',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Delete a taxonomy',
        description:
          'Deletes a custom taxonomy, its terms and their assignments to entries; the entries themselves stay. Built-in taxonomies give 409 COLOPHON_TAXONOMY_BUILTIN.',
        params: TaxonomyParams,
        response: { 204: Type.Null({ description: 'Deleted.' }) },
      },
    },
    async (request, reply) => {
      await service.remove(request.ctx, request.params.key)
      return reply.code(204).send()
    },
  )
}
