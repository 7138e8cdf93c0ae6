import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { PUBLIC, needs } from '../../platform/http/index.ts'
import type { EntryTermsService } from './entry-terms.service.ts'
import {
  CreateTermBody,
  EntryParams,
  EntryTermsBody,
  EntryTermsView,
  ListTermsQuery,
  TaxonomyTermsParams,
  TermPage,
  TermParams,
  TermView,
  UpdateTermBody,
} from './terms.schema.ts'
import type { TermsService } from './terms.service.ts'

export interface TermsRoutesOptions {
  service: TermsService
  entryTerms: EntryTermsService
}

type TaxonomyRoute = { Params: { site: string; key: string } }
type IdRoute = { Params: { site: string; id: string } }
const tags = ['taxonomy']
const manage = needs('site.taxonomy.manage')

export async function termsRoutes(
  app: FastifyInstance,
  { service, entryTerms }: TermsRoutesOptions,
): Promise<void> {
  app.get<TaxonomyRoute & { Querystring: ListTermsQuery }>(
    '/api/v1/sites/:site/taxonomies/:key/terms',
    {
      config: { access: PUBLIC },
      schema: {
        tags,
        summary: 'List the terms of a taxonomy',
        description:
          'Terms ordered by slug, each with `count`, the number of published public entries carrying it. Filter by `parent` (a term id, or `none` for the top level) and `search` (name or slug). Public. Page with `cursor`; one SQL statement whatever the page size.',
        params: TaxonomyTermsParams,
        querystring: ListTermsQuery,
        response: { 200: TermPage },
      },
    },
    async (request) => service.list(request.ctx, request.params.key, request.query),
  )

  app.post<TaxonomyRoute & { Body: CreateTermBody }>(
    '/api/v1/sites/:site/taxonomies/:key/terms',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Create a term',
        description:
          'Adds a term to the taxonomy. The slug (from `slug`, else the name) is normalised and made unique within the taxonomy with `-2`, `-3`…. A parent is allowed only in hierarchical taxonomies (400 COLOPHON_TAXONOMY_NOT_HIERARCHICAL) and must be a term of the same taxonomy (400 COLOPHON_TAXONOMY_TERM_PARENT_INVALID). Bad meta gives 400 COLOPHON_TAXONOMY_TERM_META_INVALID.',
        params: TaxonomyTermsParams,
        body: CreateTermBody,
        response: { 201: TermView },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.create(request.ctx, request.params.key, request.body)),
  )

  app.get<IdRoute>(
    '/api/v1/sites/:site/terms/:id',
    {
      config: { access: PUBLIC },
      schema: {
        tags,
        summary: 'Get a term',
        description:
          'One term with its taxonomy key and count (404 COLOPHON_TAXONOMY_TERM_NOT_FOUND). Public.',
        params: TermParams,
        response: { 200: TermView },
      },
    },
    async (request) => service.get(request.ctx, request.params.id),
  )

  app.patch<IdRoute & { Body: UpdateTermBody }>(
    '/api/v1/sites/:site/terms/:id',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Change a term',
        description:
          'Changes name, slug (normalised, made unique), description, parent or meta (replaced whole). Moving a term under itself or one of its descendants gives 409 COLOPHON_TAXONOMY_TERM_CYCLE.',
        params: TermParams,
        body: UpdateTermBody,
        response: { 200: TermView },
      },
    },
    async (request) => service.update(request.ctx, request.params.id, request.body),
  )

  app.delete<IdRoute>(
    '/api/v1/sites/:site/terms/:id',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Delete a term',
        description:
          'Deletes the term and its assignments; its children move to its parent; entries are never touched.',
        params: TermParams,
        response: { 204: Type.Null({ description: 'Deleted.' }) },
      },
    },
    async (request, reply) => {
      await service.remove(request.ctx, request.params.id)
      return reply.code(204).send()
    },
  )

  app.get<IdRoute>(
    '/api/v1/sites/:site/entries/:id/terms',
    {
      config: { access: PUBLIC },
      schema: {
        tags,
        summary: 'Get the terms of an entry',
        description:
          'The entry’s terms by taxonomy key, for an entry the caller may read (404 COLOPHON_CONTENT_ENTRY_NOT_FOUND otherwise): published public entries, plus private ones with `site.content.read.private` and unpublished ones with `site.content.read.drafts`.',
        params: EntryParams,
        response: { 200: EntryTermsView },
      },
    },
    async (request) => entryTerms.get(request.ctx, request.params.id),
  )

  app.put<IdRoute & { Body: EntryTermsBody }>(
    '/api/v1/sites/:site/entries/:id/terms',
    {
      // The gate needs one name: authors pass it, and the service allows them their own entries only.
      config: { access: needs('site.content.edit.own') },
      schema: {
        tags,
        summary: 'Set the terms of an entry',
        description:
          'Replaces the entry’s terms of each taxonomy named (ids or slugs, in order); taxonomies not named keep theirs. Needs `site.content.edit.any`, or `site.content.edit.own` on one’s own entry. An unknown taxonomy or term gives 404 (COLOPHON_TAXONOMY_NOT_FOUND, COLOPHON_TAXONOMY_TERM_NOT_FOUND), a taxonomy not for the entry’s type 400 COLOPHON_TAXONOMY_NOT_FOR_TYPE, a term of another taxonomy 400 COLOPHON_TAXONOMY_TERM_WRONG_TAXONOMY.',
        params: EntryParams,
        body: EntryTermsBody,
        response: { 200: EntryTermsView },
      },
    },
    async (request) => entryTerms.replace(request.ctx, request.params.id, request.body),
  )
}
