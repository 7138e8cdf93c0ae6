import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { PUBLIC, needs } from '../../../platform/http/index.ts'
import { SiteParams } from './relations.schema.ts'
import {
  CreateSeriesBody,
  ListSeriesQuery,
  PutSeriesEntriesBody,
  SeriesDetailView,
  SeriesIdParams,
  SeriesPage,
  SeriesParams,
  UpdateSeriesBody,
  type CreateSeriesInput,
  type ListSeriesInput,
  type PutSeriesEntriesInput,
  type UpdateSeriesInput,
} from './series.schema.ts'
import type { SeriesService } from './series.service.ts'

export interface SeriesRoutesOptions {
  service: SeriesService
}

type SiteRoute = { Params: { site: string } }
type SeriesRoute = { Params: { site: string; id: string } }
const tags = ['content']
const manage = needs('site.taxonomy.manage')

export async function seriesRoutes(app: FastifyInstance, { service }: SeriesRoutesOptions): Promise<void> {
  app.get<SiteRoute & { Querystring: ListSeriesInput }>(
    '/api/v1/sites/:site/series',
    {
      config: { access: PUBLIC },
      schema: {
        tags,
        summary: 'List series',
        description:
          'The site’s series, newest first, each with the number of its entries the caller may see (readers: published public ones). Page with `cursor`.',
        params: SiteParams,
        querystring: ListSeriesQuery,
        response: { 200: SeriesPage },
      },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.get<SeriesRoute>(
    '/api/v1/sites/:site/series/:id',
    {
      config: { access: PUBLIC },
      schema: {
        tags,
        summary: 'Read a series',
        description:
          'A series by id or slug with its entries in order, limited to those the caller may read: published public entries, plus private ones with `site.content.read.private` and unpublished ones with `site.content.read.drafts`.',
        params: SeriesParams,
        response: { 200: SeriesDetailView },
      },
    },
    async (request) => service.get(request.ctx, request.params.id),
  )

  app.post<SiteRoute & { Body: CreateSeriesInput }>(
    '/api/v1/sites/:site/series',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Create a series',
        description:
          'Creates an empty series; set its entries with `PUT …/series/{id}/entries`. A slug another series holds gives 409 COLOPHON_CONTENT_SERIES_SLUG_TAKEN.',
        params: SiteParams,
        body: CreateSeriesBody,
        response: { 201: SeriesDetailView },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(request.ctx, request.body)),
  )

  app.patch<SeriesRoute & { Body: UpdateSeriesInput }>(
    '/api/v1/sites/:site/series/:id',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Change a series',
        description: 'Changes its name, slug or description (slug normalised, unique on the site).',
        params: SeriesIdParams,
        body: UpdateSeriesBody,
        response: { 200: SeriesDetailView },
      },
    },
    async (request) => service.update(request.ctx, request.params.id, request.body),
  )

  app.delete<SeriesRoute>(
    '/api/v1/sites/:site/series/:id',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Delete a series',
        description: 'Deletes the series only: its entries stay as they are.',
        params: SeriesIdParams,
        response: { 204: Type.Null({ description: 'Deleted.' }) },
      },
    },
    async (request, reply) => {
      await service.remove(request.ctx, request.params.id)
      return reply.code(204).send()
    },
  )

  app.put<SeriesRoute & { Body: PutSeriesEntriesInput }>(
    '/api/v1/sites/:site/series/:id/entries',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Set a series’ entries',
        description:
          'Replaces the entries of the series with `entryIds`, in that order (at most 500). Each must be an entry of this site (404 COLOPHON_CONTENT_SERIES_ENTRY_NOT_FOUND lists the missing ids) and appear once (400 COLOPHON_CONTENT_SERIES_DUPLICATE_ENTRY). Entries left out are only taken out of the series.',
        params: SeriesIdParams,
        body: PutSeriesEntriesBody,
        response: { 200: SeriesDetailView },
      },
    },
    async (request) => service.setEntries(request.ctx, request.params.id, request.body),
  )
}
