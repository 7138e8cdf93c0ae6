import type { FastifyInstance } from 'fastify'
import { PUBLIC, needs } from '../../../platform/http/index.ts'
import {
  EntryRelationsParams,
  EntryRelationsView,
  PutRelationsBody,
  type PutRelationsInput,
} from './relations.schema.ts'
import type { RelationsService } from './relations.service.ts'

export interface RelationsRoutesOptions {
  service: RelationsService
}

type EntryRoute = { Params: { site: string; id: string } }

export async function relationsRoutes(
  app: FastifyInstance,
  { service }: RelationsRoutesOptions,
): Promise<void> {
  app.get<EntryRoute>(
    '/api/v1/sites/:site/entries/:id/relations',
    {
      config: { access: PUBLIC },
      schema: {
        tags: ['content'],
        summary: 'Read an entry’s relations',
        description:
          'The entry’s outgoing relations (in their saved order) and incoming ones, for an entry the caller may read (else 404 COLOPHON_CONTENT_ENTRY_NOT_FOUND), showing only entries they may read at the other end: published public ones, plus private ones with `site.content.read.private` and unpublished ones with `site.content.read.drafts`.',
        params: EntryRelationsParams,
        response: { 200: EntryRelationsView },
      },
    },
    async (request) => service.get(request.ctx, request.params.id),
  )

  app.put<EntryRoute & { Body: PutRelationsInput }>(
    '/api/v1/sites/:site/entries/:id/relations',
    {
      // Own or any: the service decides with the entry's author.
      config: { access: needs('site.content.edit.own') },
      schema: {
        tags: ['content'],
        summary: 'Replace an entry’s relations',
        description:
          'Replaces every outgoing relation of the entry with `relations`, kept in the given order (at most 100). Targets must be entries of this site (404 COLOPHON_CONTENT_RELATION_TARGET_NOT_FOUND lists the missing ids); an entry cannot relate to itself (400 COLOPHON_CONTENT_RELATION_SELF) nor list the same kind and entry twice (400 COLOPHON_CONTENT_RELATION_DUPLICATE). Authors may change only their own entries. An empty list removes them all.',
        params: EntryRelationsParams,
        body: PutRelationsBody,
        response: { 200: EntryRelationsView },
      },
    },
    async (request) => service.replace(request.ctx, request.params.id, request.body),
  )
}
