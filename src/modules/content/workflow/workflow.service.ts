import {
  AccessErrors,
  actorUserId,
  requireCapability,
  requireSite,
  type Ctx,
} from '../../../platform/access/index.ts'
import { newId, pageOf, type Page, type Tx } from '../../../platform/db/index.ts'
import { DEFAULT_PAGE_LIMIT } from '../../../platform/http/index.ts'
import type { Jobs } from '../../../platform/jobs/index.ts'
import { recordAudit } from '../../audit/index.ts'
import { READ_DRAFTS } from '../audience.repo.ts'
import { ContentErrors } from '../content.errors.ts'
import type { EntryStatus } from '../content.model.ts'
import {
  EntriesErrors,
  applySnapshot,
  findEntry,
  lockEntry,
  type EntryRow,
  loadTypeOf,
} from '../entries/index.ts'
import { WorkflowErrors } from './workflow.errors.ts'
import {
  actorOf,
  approvalState,
  assertAltText,
  assertApproved,
  powersFor,
  publishHead,
  recordTransition,
  workflowSiteOf,
  workflowView,
  type Followup,
  type ScheduledJobData,
  type WorkflowEntryView,
} from './workflow.publish.ts'
import { insertApproval, listTransitions, type WorkflowSite } from './workflow.repo.ts'
import {
  allowedTargets,
  decideTransition,
  publishes,
  scheduleProblems,
  toLocalIso,
  type TargetStatus,
  type WorkflowAction,
} from './workflow.rules.ts'
import type { ApprovalInput, ListInput, StatusInput } from './workflow.schema.ts'
import { createTrash } from './workflow.trash.ts'

/**
 * The workflow: status changes with their capability rules, approvals, and scheduled publishing. Every
 * change writes an `entry_transitions` row and an audit entry in the same transaction. Jobs are queued
 * after the commit (never inside an open transaction); a sweep job catches any lost between the two.
 */

export interface WorkflowServiceDeps {
  jobs: Pick<Jobs, 'send'>
  /** The current time (tests may pin it). */
  clock?: () => Date
}

export async function lockLiveEntry(tx: Tx, siteId: string, id: string): Promise<EntryRow> {
  const row = await lockEntry(tx, siteId, id)
  if (!row) throw ContentErrors.entryNotFound({ details: { id } })
  if (row.trashedAt !== null || row.status === 'trash') throw EntriesErrors.trashed({ details: { id } })
  return row
}

function parseTime(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : new Date(value)
}

/** The columns an action sets besides the status (publishing is handled by publishHead). */
function columnsFor(
  action: WorkflowAction,
  times: { publishAt?: Date; unpublishAt?: Date },
): Partial<EntryRow> {
  switch (action) {
    case 'schedule':
    case 'reschedule':
      return { publishAt: times.publishAt ?? null, unpublishAt: times.unpublishAt ?? null }
    case 'unschedule':
    case 'archive':
    case 'unpublish':
      return { publishAt: null, unpublishAt: null }
    default:
      return {}
  }
}

export function createWorkflowService(deps: WorkflowServiceDeps) {
  const clock = deps.clock ?? (() => new Date())

  /** Queues the scheduled jobs a committed change needs; a failure is left to the sweep. */
  async function queue(ctx: Ctx, followups: readonly Followup[]): Promise<void> {
    for (const f of followups) {
      const at = f.at.toISOString()
      try {
        await deps.jobs.send<ScheduledJobData>(
          ctx,
          `content.${f.kind}`,
          { entryId: f.entryId, at },
          // One job per entry and time: re-sending the same schedule adds nothing.
          { startAfter: f.at, singletonKey: `${f.entryId}@${at}` },
        )
      } catch (err) {
        ctx.log.warn(
          { err, entryId: f.entryId, kind: f.kind },
          'scheduled job not queued; the sweep will run it',
        )
      }
    }
  }

  function followupsOf(row: EntryRow, before: EntryRow): Followup[] {
    const out: Followup[] = []
    const rescheduled =
      before.status !== 'scheduled' || row.publishAt?.getTime() !== before.publishAt?.getTime()
    if (row.status === 'scheduled' && row.publishAt && rescheduled)
      out.push({ kind: 'publish', entryId: row.id, at: row.publishAt })
    if (row.unpublishAt && row.unpublishAt.getTime() !== before.unpublishAt?.getTime())
      out.push({ kind: 'unpublish', entryId: row.id, at: row.unpublishAt })
    return out
  }

  const trash = createTrash({ clock, queue })

  return {
    ...trash,

    /** Moves an entry to another status, if the transition exists and the caller may make it. */
    async changeStatus(ctx: Ctx, id: string, input: StatusInput): Promise<WorkflowEntryView> {
      const siteRef = requireSite(ctx)
      const now = clock()
      const times = { publishAt: parseTime(input.publishAt), unpublishAt: parseTime(input.unpublishAt) }
      const problems = scheduleProblems({ to: input.status, ...times, now })
      if (Object.keys(problems).length > 0)
        throw WorkflowErrors.scheduleInvalid({ details: { fields: problems } })
      const { view, followups } = await ctx.tx(async (tx) => {
        const row = await lockLiveEntry(tx, siteRef.id, id)
        const site = await workflowSiteOf(tx, siteRef.id)
        const action = authorise(ctx, row, site, input.status)
        const type = await loadTypeOf(tx, row)
        let updated: EntryRow
        let redirects = 0
        if (publishes(action)) {
          await assertApproved(tx, row, type)
          await assertAltText(tx, row, type)
          const set = times.unpublishAt ? { unpublishAt: times.unpublishAt } : {}
          ;({ row: updated, redirects } = await publishHead(ctx, tx, { row, type, site, now, set }))
        } else {
          if (action === 'schedule' || action === 'reschedule') {
            await assertApproved(tx, row, type)
            await assertAltText(tx, row, type)
          }
          updated = await applySnapshot(tx, {
            siteId: row.siteId,
            id: row.id,
            set: { status: input.status, ...columnsFor(action, times) },
          })
        }
        await recordTransition(ctx, tx, {
          row,
          to: input.status,
          actor: actorOf(ctx),
          action,
          note: input.note,
          extra: {
            ...(updated.publishAt ? { publishAt: updated.publishAt.toISOString() } : {}),
            ...(updated.unpublishAt ? { unpublishAt: updated.unpublishAt.toISOString() } : {}),
            ...(redirects > 0 ? { redirects } : {}),
          },
        })
        return { view: workflowView(updated, type.key, site), followups: followupsOf(updated, row) }
      })
      await queue(ctx, followups)
      return view
    },

    /** The entry's workflow history, newest first. */
    async listTransitions(ctx: Ctx, id: string, query: ListInput) {
      requireCapability(ctx, READ_DRAFTS)
      const siteRef = requireSite(ctx)
      const limit = query.limit ?? DEFAULT_PAGE_LIMIT
      return ctx.tx(async (tx) => {
        const site = await workflowSiteOf(tx, siteRef.id)
        const row = await findEntryForRead(tx, siteRef.id, id)
        const rows = await listTransitions(tx, {
          siteId: site.id,
          entryId: row.id,
          cursor: query.cursor,
          limit,
        })
        return pageOf(
          rows,
          limit,
          (t) => ({
            id: t.id,
            from: t.fromStatus as EntryStatus,
            to: t.toStatus as EntryStatus,
            actor: { kind: t.actorKind, id: t.actorId },
            revisionId: t.revisionId,
            note: t.note,
            createdAt: t.createdAt.toISOString(),
            createdAtLocal: toLocalIso(t.createdAt, site.timezone),
          }),
          (t) => t.id,
        )
      })
    },

    /** Approves the entry's head revision. The author may not; approving twice changes nothing. */
    async approve(ctx: Ctx, id: string, input: ApprovalInput) {
      const siteRef = requireSite(ctx)
      const userId = actorUserId(ctx.actor)
      return ctx.tx(async (tx) => {
        const row = await lockLiveEntry(tx, siteRef.id, id)
        if (userId !== null && userId === row.authorId) throw WorkflowErrors.selfApproval({ details: { id } })
        requireCapability(ctx, 'site.content.publish.any')
        if (!userId || !row.headRevisionId) throw ContentErrors.revisionNotFound({ details: { id } })
        const added = await insertApproval(tx, {
          id: newId(),
          siteId: row.siteId,
          entryId: row.id,
          revisionId: row.headRevisionId,
          userId,
          note: input.note ?? '',
        })
        if (added)
          await recordAudit(ctx, tx, {
            action: 'content.entry.approve',
            target: { type: 'entry', id: row.id },
            summary: { revisionId: row.headRevisionId },
          })
        return approvalsView(await approvalState(tx, row, await loadTypeOf(tx, row)))
      })
    },

    /** The approvals of the head revision and how many a publish still needs. */
    async listApprovals(ctx: Ctx, id: string) {
      requireCapability(ctx, READ_DRAFTS)
      const siteRef = requireSite(ctx)
      return ctx.tx(async (tx) => {
        const row = await findEntryForRead(tx, siteRef.id, id)
        return approvalsView(await approvalState(tx, row, await loadTypeOf(tx, row)))
      })
    },
  }
}

/** The action `row → to` is, once checked to exist and to be the caller's to make. */
function authorise(ctx: Ctx, row: EntryRow, site: WorkflowSite, to: TargetStatus): WorkflowAction {
  const powers = powersFor(ctx, row, site)
  const from = row.status as EntryStatus
  const decision = decideTransition({ from, to, isAuthor: powers.isAuthor, powers })
  if (decision.ok) return decision.action
  if (decision.reason === 'not_allowed')
    throw WorkflowErrors.transitionNotAllowed({ details: { from, to, allowed: allowedTargets(from) } })
  // Name the capability the caller would need for this entry.
  const capability =
    decision.power === 'edit'
      ? `site.content.edit.${powers.isAuthor ? 'own' : 'any'}`
      : decision.power === 'review' || !powers.isAuthor
        ? 'site.content.publish.any'
        : 'site.content.publish.own'
  throw AccessErrors.forbidden({ details: { capability, action: decision.action } })
}

async function findEntryForRead(tx: Tx, siteId: string, id: string): Promise<EntryRow> {
  const row = await findEntry(tx, siteId, id)
  if (!row) throw ContentErrors.entryNotFound({ details: { id } })
  return row
}

function approvalsView(state: Awaited<ReturnType<typeof approvalState>>) {
  return {
    required: state.required,
    headRevisionId: state.headRevisionId,
    approvals: state.approvals,
    missing: state.missing,
    items: state.items.map((a) => ({
      id: a.id,
      userId: a.userId,
      revisionId: a.revisionId,
      note: a.note,
      createdAt: a.createdAt.toISOString(),
    })),
  }
}

export type WorkflowService = ReturnType<typeof createWorkflowService>
export type { Page }
