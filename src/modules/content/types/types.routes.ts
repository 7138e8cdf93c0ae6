import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { PUBLIC, needs } from '../../../platform/http/index.ts'
import {
  CreateTypeBody,
  ListQuery,
  PurgeFieldsBody,
  PurgeFieldsResult,
  SiteParams,
  TypePage,
  TypeParams,
  TypeView,
  UpdateTypeBody,
} from './types.schema.ts'
import type { TypesService } from './types.service.ts'

export interface TypesRoutesOptions {
  service: TypesService
}

type SiteRoute = { Params: { site: string } }
type TypeRoute = { Params: { site: string; key: string } }
const tags = ['content']
const manage = needs('site.types.manage')

export async function typesRoutes(app: FastifyInstance, { service }: TypesRoutesOptions): Promise<void> {
  app.get<SiteRoute & { Querystring: ListQuery }>(
    '/api/v1/sites/:site/types',
    {
      config: { access: PUBLIC },
      schema: {
        tags,
        summary: 'List content types',
        description:
          'Every content type of the site (built-in `post` and `page` included) with its fields, ordered by key. Public: headless clients read the schemas they render and write. Page with `cursor`.',
        params: SiteParams,
        querystring: ListQuery,
        response: { 200: TypePage },
      },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.get<TypeRoute>(
    '/api/v1/sites/:site/types/:key',
    {
      config: { access: PUBLIC },
      schema: {
        tags,
        summary: 'Get a content type',
        description:
          'One content type with its own fields, the groups it includes, all its fields and its retired keys.',
        params: TypeParams,
        response: { 200: TypeView },
      },
    },
    async (request) => service.get(request.ctx, request.params.key),
  )

  app.post<SiteRoute & { Body: CreateTypeBody }>(
    '/api/v1/sites/:site/types',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Create a content type',
        description:
          'Field definitions are checked and every problem is listed per field (400 COLOPHON_CONTENT_TYPE_SCHEMA_INVALID); an unknown field group gives 400 COLOPHON_CONTENT_TYPE_UNKNOWN_FIELD_GROUP; a taken key 409 COLOPHON_CONTENT_TYPE_KEY_TAKEN.',
        params: SiteParams,
        body: CreateTypeBody,
        response: { 201: TypeView },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(request.ctx, request.body)),
  )

  app.patch<TypeRoute & { Body: UpdateTypeBody }>(
    '/api/v1/sites/:site/types/:key',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Change a content type',
        description:
          '`fields` and `fieldGroups` replace the current lists. A field no longer in the type is retired: its stored values stay in entries (read-only) until purged; adding its key back un-retires it. Changing a field’s type is allowed: stored values are checked again on each entry’s next save.',
        params: TypeParams,
        body: UpdateTypeBody,
        response: { 200: TypeView },
      },
    },
    async (request) => service.update(request.ctx, request.params.key, request.body),
  )

  app.delete<TypeRoute>(
    '/api/v1/sites/:site/types/:key',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Delete a content type',
        description:
          'Only custom types without entries (trashed ones count): built-in types give 409 COLOPHON_CONTENT_TYPE_BUILTIN, types with entries 409 COLOPHON_CONTENT_TYPE_IN_USE with the count in details.',
        params: TypeParams,
        response: { 204: Type.Null({ description: 'Deleted.' }) },
      },
    },
    async (request, reply) => {
      await service.remove(request.ctx, request.params.key)
      return reply.code(204).send()
    },
  )

  app.post<TypeRoute & { Body: PurgeFieldsBody }>(
    '/api/v1/sites/:site/types/:key/purge-fields',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Purge the values of retired fields',
        description:
          'Deletes the stored values of the given retired fields from every entry of the type, in one transaction, and forgets the keys. Revisions keep their history. A key that is not retired gives 409 COLOPHON_CONTENT_TYPE_FIELD_NOT_RETIRED.',
        params: TypeParams,
        body: PurgeFieldsBody,
        response: { 200: PurgeFieldsResult },
      },
    },
    async (request) => service.purgeFields(request.ctx, request.params.key, request.body),
  )
}
