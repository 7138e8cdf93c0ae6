import type { FastifyInstance } from 'fastify'
import { needs } from '../../../platform/http/index.ts'
import {
  CreateEntryBody,
  EntryParams,
  SiteParams,
  UpdateEntryBody,
  type CreateEntryInput,
  type UpdateEntryInput,
} from './entries.schema.ts'
import type { EntriesService } from './entries.service.ts'
import { EntryViewSchema } from './entries.view.ts'

export interface EntriesRoutesOptions {
  service: EntriesService
}

/** Writing entries. Reading them (GET list and single) belongs to the reading API. */
export async function entriesRoutes(app: FastifyInstance, { service }: EntriesRoutesOptions): Promise<void> {
  app.post<{ Params: { site: string }; Body: CreateEntryInput }>(
    '/api/v1/sites/:site/entries',
    {
      config: { access: needs('site.content.create') },
      schema: {
        tags: ['content'],
        summary: 'Create an entry',
        description:
          'Creates a `draft` entry of any content type with its first revision. The slug comes from `slug` or the title, normalised, with `-2`, `-3`… appended when another entry of the type holds it. Custom `fields` are validated by the type (400 COLOPHON_CONTENT_FIELDS_INVALID lists every bad field in `details.fields`, `body` included). `body` is ProseMirror/Tiptap JSON rendered to sanitised HTML. Another `authorId` than the caller needs `site.content.edit.any`. 403 COLOPHON_SITES_QUOTA_ENTRIES when the site is at its entries quota.',
        params: SiteParams,
        body: CreateEntryBody,
        response: { 201: EntryViewSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(request.ctx, request.body)),
  )

  app.patch<{ Params: { site: string; id: string }; Body: UpdateEntryInput }>(
    '/api/v1/sites/:site/entries/:id',
    {
      // Own or any: the service decides with the entry's author.
      config: { access: needs('site.content.edit.own') },
      schema: {
        tags: ['content'],
        summary: 'Save an entry',
        description:
          'Saves the given fields over the latest revision as a new revision (the head). A published entry keeps showing its published content (the reply too) until the workflow publishes the head again (`revisions.hasUnpublishedChanges`); otherwise the entry itself changes. Authors may save only their own entries; changing `authorId` needs `site.content.edit.any`. A slug taken by another entry gets a suffix; the slug never follows a title change by itself. Entries in the trash give 409 COLOPHON_CONTENT_ENTRY_TRASHED.',
        params: EntryParams,
        body: UpdateEntryBody,
        response: { 200: EntryViewSchema },
      },
    },
    async (request) => service.update(request.ctx, request.params.id, request.body),
  )
}
