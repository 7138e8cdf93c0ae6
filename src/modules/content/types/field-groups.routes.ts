import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { PUBLIC, needs } from '../../../platform/http/index.ts'
import {
  CreateFieldGroupBody,
  FieldGroupPage,
  FieldGroupParams,
  FieldGroupView,
  UpdateFieldGroupBody,
} from './field-groups.schema.ts'
import type { FieldGroupsService } from './field-groups.service.ts'
import { ListQuery, SiteParams } from './types.schema.ts'

export interface FieldGroupsRoutesOptions {
  service: FieldGroupsService
}

type SiteRoute = { Params: { site: string } }
type GroupRoute = { Params: { site: string; key: string } }
const tags = ['content']
const manage = needs('site.types.manage')

export async function fieldGroupsRoutes(
  app: FastifyInstance,
  { service }: FieldGroupsRoutesOptions,
): Promise<void> {
  app.get<SiteRoute & { Querystring: ListQuery }>(
    '/api/v1/sites/:site/field-groups',
    {
      config: { access: PUBLIC },
      schema: {
        tags,
        summary: 'List field groups',
        description:
          'Reusable sets of field definitions that content types include, ordered by key. Public like the types: they are part of the schemas. Page with `cursor`.',
        params: SiteParams,
        querystring: ListQuery,
        response: { 200: FieldGroupPage },
      },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.get<GroupRoute>(
    '/api/v1/sites/:site/field-groups/:key',
    {
      config: { access: PUBLIC },
      schema: {
        tags,
        summary: 'Get a field group',
        description:
          'One reusable set of field definitions, by key. Public: headless clients read schemas to build their forms and views.',
        params: FieldGroupParams,
        response: { 200: FieldGroupView },
      },
    },
    async (request) => service.get(request.ctx, request.params.key),
  )

  app.post<SiteRoute & { Body: CreateFieldGroupBody }>(
    '/api/v1/sites/:site/field-groups',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Create a field group',
        description:
          'Definitions are checked like a type’s, every problem listed per field (400 COLOPHON_CONTENT_FIELD_GROUP_SCHEMA_INVALID). A taken key gives 409 COLOPHON_CONTENT_FIELD_GROUP_KEY_TAKEN.',
        params: SiteParams,
        body: CreateFieldGroupBody,
        response: { 201: FieldGroupView },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(request.ctx, request.body)),
  )

  app.patch<GroupRoute & { Body: UpdateFieldGroupBody }>(
    '/api/v1/sites/:site/field-groups/:key',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Change a field group',
        description:
          '`fields` replaces the list and applies to every type including the group: a key another source of such a type defines is refused (400, listed per field and type); keys the types lose are retired on them, keeping stored values.',
        params: FieldGroupParams,
        body: UpdateFieldGroupBody,
        response: { 200: FieldGroupView },
      },
    },
    async (request) => service.update(request.ctx, request.params.key, request.body),
  )

  app.delete<GroupRoute>(
    '/api/v1/sites/:site/field-groups/:key',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Delete a field group',
        description:
          'Only a group no type includes: otherwise 409 COLOPHON_CONTENT_FIELD_GROUP_IN_USE naming the types in details.',
        params: FieldGroupParams,
        response: { 204: Type.Null({ description: 'Deleted.' }) },
      },
    },
    async (request, reply) => {
      await service.remove(request.ctx, request.params.key)
      return reply.code(204).send()
    },
  )
}
