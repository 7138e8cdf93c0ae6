import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { needs } from '../../../platform/http/index.ts'
import { READ_DRAFTS } from '../audience.repo.ts'
import {
  ApprovalBody,
  ApprovalsSummary,
  EntryParams,
  ListQuery,
  StatusBody,
  TransitionPage,
  WorkflowEntrySchema,
  type ApprovalInput,
  type ListInput,
  type StatusInput,
} from './workflow.schema.ts'
import type { WorkflowService } from './workflow.service.ts'

export interface WorkflowRoutesOptions {
  service: WorkflowService
}

type EntryRoute = { Params: { site: string; id: string } }
const tags = ['content']
const base = '/api/v1/sites/:site/entries/:id'

/** Status changes, approvals, history and the trash. The gates name the `.own` variant; the service decides. */
export async function workflowRoutes(
  app: FastifyInstance,
  { service }: WorkflowRoutesOptions,
): Promise<void> {
  app.post<EntryRoute & { Body: StatusInput }>(
    `${base}/status`,
    {
      config: { access: needs('site.content.edit.own') },
      schema: {
        tags,
        summary: 'Change an entry’s status',
        description:
          'Moves the entry through the workflow. Submitting for review (`draft`→`pending`) and withdrawing need edit rights on the entry; publishing, scheduling, unpublishing and archiving need `site.content.publish.own|any` (or, for the author, the site setting `authorsMayPublish`); rejecting someone else’s submission (`pending`→`draft`) needs `site.content.publish.any`. `published`→`published` republishes the latest revision. `scheduled` needs a future `publishAt`; `unpublishAt` may come with `published` or `scheduled`. Publishing copies the latest revision into what readers see and records a 301 from the old path when a published entry’s path changed. 409 COLOPHON_CONTENT_TRANSITION_NOT_ALLOWED (with the allowed statuses), 409 COLOPHON_CONTENT_APPROVALS_MISSING (with the counts), 400 COLOPHON_CONTENT_SCHEDULE_INVALID (per field). Times are UTC; `…Local` fields show them in the site’s time zone.',
        params: EntryParams,
        body: StatusBody,
        response: { 200: WorkflowEntrySchema },
      },
    },
    async (request) => service.changeStatus(request.ctx, request.params.id, request.body),
  )

  app.get<EntryRoute & { Querystring: ListInput }>(
    `${base}/transitions`,
    {
      config: { access: needs(READ_DRAFTS) },
      schema: {
        tags,
        summary: 'List an entry’s status changes',
        description:
          'The workflow history, newest first: from, to, who (for scheduled changes: the user who scheduled them), the revision at the time and the note. Page with `cursor`.',
        params: EntryParams,
        querystring: ListQuery,
        response: { 200: TransitionPage },
      },
    },
    async (request) => service.listTransitions(request.ctx, request.params.id, request.query),
  )

  app.post<EntryRoute & { Body: ApprovalInput }>(
    `${base}/approvals`,
    {
      config: { access: needs('site.content.publish.own') },
      schema: {
        tags,
        summary: 'Approve an entry’s latest revision',
        description:
          'Records an approval of the head revision by the caller, who needs `site.content.publish.any` and must not be the entry’s author (403 COLOPHON_CONTENT_SELF_APPROVAL). Approving twice changes nothing. Types with `approvalsRequired` N publish only with N approvals of the head revision by others than the author; a new save needs new approvals.',
        params: EntryParams,
        body: ApprovalBody,
        response: { 200: ApprovalsSummary },
      },
    },
    async (request) => service.approve(request.ctx, request.params.id, request.body),
  )

  app.get<EntryRoute>(
    `${base}/approvals`,
    {
      config: { access: needs(READ_DRAFTS) },
      schema: {
        tags,
        summary: 'List approvals of an entry’s latest revision',
        description:
          'The approvals of the head revision, how many the type requires and how many are missing.',
        params: EntryParams,
        response: { 200: ApprovalsSummary },
      },
    },
    async (request) => service.listApprovals(request.ctx, request.params.id),
  )

  app.delete<EntryRoute>(
    base,
    {
      config: { access: needs('site.content.delete.own') },
      schema: {
        tags,
        summary: 'Move an entry to the trash',
        description:
          'The entry leaves the site at once and its slug is free for other entries; it keeps its content and remembers its status. Own entries with `site.content.delete.own`, any with `.any`. Purged for good after the trash retention period (`trashRetentionDays`). 409 COLOPHON_CONTENT_ENTRY_TRASHED when already there.',
        params: EntryParams,
        response: { 200: WorkflowEntrySchema },
      },
    },
    async (request) => service.trash(request.ctx, request.params.id),
  )

  app.post<EntryRoute>(
    `${base}/restore-from-trash`,
    {
      config: { access: needs('site.content.delete.own') },
      schema: {
        tags,
        summary: 'Restore an entry from the trash',
        description:
          'Back to its previous status, except: a slug taken meanwhile gets a suffix, and a published entry whose slug had to change comes back as a draft; a published or scheduled entry also comes back as a draft when the caller may not publish it, and a scheduled one when its time has passed. 409 COLOPHON_CONTENT_NOT_TRASHED when the entry is not in the trash.',
        params: EntryParams,
        response: { 200: WorkflowEntrySchema },
      },
    },
    async (request) => service.restoreFromTrash(request.ctx, request.params.id),
  )

  app.post<EntryRoute>(
    `${base}/purge`,
    {
      config: { access: needs('site.content.delete.own') },
      schema: {
        tags,
        summary: 'Delete a trashed entry for good',
        description:
          'Only entries in the trash (409 COLOPHON_CONTENT_NOT_TRASHED otherwise); its revisions, history and approvals go with it. Own entries with `site.content.delete.own`, any with `.any`.',
        params: EntryParams,
        response: { 204: Type.Null({ description: 'Deleted.' }) },
      },
    },
    async (request, reply) => {
      await service.purge(request.ctx, request.params.id)
      return reply.code(204).send()
    },
  )
}
