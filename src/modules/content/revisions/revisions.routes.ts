import type { FastifyInstance } from 'fastify'
import { needs } from '../../../platform/http/index.ts'
import { READ_DRAFTS } from '../audience.repo.ts'
import { AutosaveBody, EntryParams, type AutosaveInput, EntryViewSchema } from '../entries/index.ts'
import {
  DiffParams,
  DiffQuery,
  ListRevisionsQuery,
  RevisionDiffSchema,
  RevisionPage,
  RevisionParams,
  RevisionSchema,
  type ListRevisionsInput,
} from './revisions.schema.ts'
import type { RevisionsService } from './revisions.service.ts'

export interface RevisionsRoutesOptions {
  service: RevisionsService
}

type EntryRoute = { Params: { site: string; id: string } }
type RevisionRoute = { Params: { site: string; id: string; revisionId: string } }
const base = '/api/v1/sites/:site/entries/:id'
const editorsOnly = 'Only callers who may edit the entry (their own, or any with `site.content.edit.any`).'

export async function revisionsRoutes(
  app: FastifyInstance,
  { service }: RevisionsRoutesOptions,
): Promise<void> {
  app.put<EntryRoute & { Body: AutosaveInput }>(
    `${base}/autosave`,
    {
      config: { access: needs('site.content.edit.own') },
      schema: {
        tags: ['content'],
        summary: 'Autosave an entry',
        description: `Stores the caller's working copy (the given fields over their previous autosave, or over the latest revision when it is newer) as their one \`autosave\` revision of the entry. Never changes the entry, its head or its published revision; a save drops it. ${editorsOnly}`,
        params: EntryParams,
        body: AutosaveBody,
        response: { 200: RevisionSchema },
      },
    },
    async (request) => service.autosave(request.ctx, request.params.id, request.body),
  )

  app.get<EntryRoute & { Querystring: ListRevisionsInput }>(
    `${base}/revisions`,
    {
      config: { access: needs(READ_DRAFTS) },
      schema: {
        tags: ['content'],
        summary: 'List the revisions of an entry',
        description: `Newest first, without snapshots; flags the head and the published revision. Page with \`cursor\`. ${editorsOnly}`,
        params: EntryParams,
        querystring: ListRevisionsQuery,
        response: { 200: RevisionPage },
      },
    },
    async (request) => service.list(request.ctx, request.params.id, request.query),
  )

  app.get<EntryRoute & { Querystring: { from: string; to: string } }>(
    `${base}/revisions/diff`,
    {
      config: { access: needs(READ_DRAFTS) },
      schema: {
        tags: ['content'],
        summary: 'Compare two revisions',
        description: `Same as \`…/revisions/{from}/diff/{to}\`, with the revisions in the query. ${editorsOnly}`,
        params: EntryParams,
        querystring: DiffQuery,
        response: { 200: RevisionDiffSchema },
      },
    },
    async (request) => service.diff(request.ctx, request.params.id, request.query.from, request.query.to),
  )

  app.get<RevisionRoute>(
    `${base}/revisions/:revisionId`,
    {
      config: { access: needs(READ_DRAFTS) },
      schema: {
        tags: ['content'],
        summary: 'Get a revision',
        description: `The revision with its full snapshot. ${editorsOnly}`,
        params: RevisionParams,
        response: { 200: RevisionSchema },
      },
    },
    async (request) => service.get(request.ctx, request.params.id, request.params.revisionId),
  )

  app.get<{ Params: { site: string; id: string; a: string; b: string } }>(
    `${base}/revisions/:a/diff/:b`,
    {
      config: { access: needs(READ_DRAFTS) },
      schema: {
        tags: ['content'],
        summary: 'Compare two revisions',
        description: `The fields that differ from revision \`a\` (before) to \`b\` (after): title, slug, excerpt, body (as JSON, with a line diff of its text), parent, featured media, visibility, each \`seo.*\` and each \`fields.<key>\`. ${editorsOnly}`,
        params: DiffParams,
        response: { 200: RevisionDiffSchema },
      },
    },
    async (request) => service.diff(request.ctx, request.params.id, request.params.a, request.params.b),
  )

  app.post<RevisionRoute>(
    `${base}/revisions/:revisionId/restore`,
    {
      config: { access: needs('site.content.edit.own') },
      schema: {
        tags: ['content'],
        summary: 'Restore a revision',
        description: `Copies the revision into a new \`restore\` revision, which becomes the head; the entry changes too unless it is published (then the restore waits for the workflow, like a save). ${editorsOnly}`,
        params: RevisionParams,
        response: { 200: EntryViewSchema },
      },
    },
    async (request) => service.restore(request.ctx, request.params.id, request.params.revisionId),
  )
}
