import type { FastifyInstance } from 'fastify'
import { needs } from '../../../platform/http/index.ts'
import {
  CreatePreviewBody,
  CreatedPreviewSchema,
  EntryPreviewParams,
  EntryPreviewsParams,
  ListPreviewsQuery,
  PreviewPage,
  type CreatePreviewInput,
  type ListPreviewsInput,
} from './previews.schema.ts'
import type { PreviewsService } from './previews.service.ts'

export interface PreviewsRoutesOptions {
  service: PreviewsService
}

type EntryRoute = { Params: { site: string; id: string } }
const tags = ['content']
// Own or any: the service decides with the entry's author.
const edit = needs('site.content.edit.own')

export async function previewsRoutes(
  app: FastifyInstance,
  { service }: PreviewsRoutesOptions,
): Promise<void> {
  app.post<EntryRoute & { Body: CreatePreviewInput }>(
    '/api/v1/sites/:site/entries/:id/previews',
    {
      config: { access: edit },
      schema: {
        tags,
        summary: 'Make a preview link',
        description:
          'A secret link that shows the entry’s latest saved content (a draft, or a published entry’s unpublished changes) on the site to whoever holds it, until it expires (`expiresInHours`, default 72, at most 720) or is revoked. The page is never cached and asks search engines not to index it. The token is in this reply only. Needs the right to edit the entry (own or any); entries in the trash give 409 COLOPHON_CONTENT_ENTRY_TRASHED.',
        params: EntryPreviewsParams,
        body: CreatePreviewBody,
        response: { 201: CreatedPreviewSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.create(request.ctx, request.params.id, request.body ?? {})),
  )

  app.get<EntryRoute & { Querystring: ListPreviewsInput }>(
    '/api/v1/sites/:site/entries/:id/previews',
    {
      config: { access: edit },
      schema: {
        tags,
        summary: 'List an entry’s preview links',
        description:
          'The entry’s preview links, newest first, revoked and expired ones included (never their tokens). Page with `cursor`. Needs the right to edit the entry.',
        params: EntryPreviewsParams,
        querystring: ListPreviewsQuery,
        response: { 200: PreviewPage },
      },
    },
    async (request) => service.list(request.ctx, request.params.id, request.query),
  )

  app.delete<{ Params: { site: string; id: string; previewId: string } }>(
    '/api/v1/sites/:site/entries/:id/previews/:previewId',
    {
      config: { access: edit },
      schema: {
        tags,
        summary: 'Revoke a preview link',
        description:
          'The link shows a 404 from now on. 404 COLOPHON_CONTENT_PREVIEW_NOT_FOUND for an unknown or already revoked link. Needs the right to edit the entry.',
        params: EntryPreviewParams,
        response: { 204: { type: 'null', description: 'Revoked.' } },
      },
    },
    async (request, reply) => {
      await service.revoke(request.ctx, request.params.id, request.params.previewId)
      return reply.code(204).send()
    },
  )
}
