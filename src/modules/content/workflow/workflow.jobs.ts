import { asSystem, type Ctx } from '../../../platform/access/index.ts'
import type { Orm, Tx } from '../../../platform/db/index.ts'
import type { JobInfo, Jobs } from '../../../platform/jobs/index.ts'
import { applySnapshot, lockEntry, type EntryRow, loadTypeOf } from '../entries/index.ts'
import { WorkflowErrors } from './workflow.errors.ts'
import {
  assertAltText,
  assertApproved,
  publishHead,
  recordTransition,
  workflowSiteOf,
  type ScheduledJobData,
  type ScheduledKind,
  type TransitionActor,
} from './workflow.publish.ts'
import {
  duePublishes,
  dueUnpublishes,
  expiredTrash,
  findWorkflowSite,
  lastScheduling,
} from './workflow.repo.ts'
import { purgeEntry } from './workflow.trash.ts'

/**
 * The content module's jobs. Scheduled publishes and unpublishes run as durable jobs queued by the
 * workflow; each handler acts only if the entry is still scheduled for that very time, under the entry's
 * row lock, so a duplicate delivery, a second worker or a run after a reschedule changes nothing. A sweep
 * every minute catches work whose job was lost (a crash between the commit and the queueing), and a
 * recurring purge empties the trash after the retention period.
 */

export const CONTENT_QUEUES = {
  publish: 'content.publish',
  unpublish: 'content.unpublish',
  sweep: 'content.schedule-sweep',
  purgeTrash: 'content.trash-purge',
} as const

export interface ContentJobsDeps {
  /** For the per-site contexts the network-wide sweeps act in. */
  orm: Orm
  trashRetentionDays: number
  clock?: () => Date
  /** Told after a job may have changed what readers see: of one site, or of any (no argument). */
  onChange?: (siteId?: string) => void
}

/** Entries one sweep handles at most (the next minute's sweep takes the rest). */
const SWEEP_BATCH = 200
const DAY = 86_400_000

type Outcome = 'done' | 'skipped'

function isDue(row: EntryRow, kind: ScheduledKind, at: string | null, now: Date): boolean {
  const time = kind === 'publish' ? row.publishAt : row.unpublishAt
  const status = kind === 'publish' ? 'scheduled' : 'published'
  if (row.status !== status || row.trashedAt !== null || !time) return false
  // A job acts only for the time it was queued for; the sweep for anything due.
  return at === null ? time.getTime() <= now.getTime() : time.toISOString() === at
}

async function actorFor(tx: Tx, row: EntryRow, job: JobInfo | null): Promise<TransitionActor> {
  if (job && job.actor.kind !== 'system') return { kind: job.actor.kind, id: job.actor.userId }
  const scheduling = await lastScheduling(tx, row.siteId, row.id)
  return scheduling ? { kind: scheduling.actorKind, id: scheduling.actorId } : { kind: 'system', id: null }
}

/**
 * Runs one scheduled publish or unpublish in a context bound to the entry's site. A publish whose head
 * lacks the approvals its type needs goes back to `pending` instead (the job itself succeeds).
 */
export async function runScheduled(
  ctx: Ctx,
  q: { kind: ScheduledKind; data: ScheduledJobData; job: JobInfo | null; now: Date },
): Promise<Outcome> {
  const siteId = ctx.site?.id
  if (!siteId) return 'skipped'
  return ctx.tx(async (tx) => {
    const row = await lockEntry(tx, siteId, q.data.entryId)
    if (!row || !isDue(row, q.kind, q.data.at, q.now)) return 'skipped'
    const site = await workflowSiteOf(tx, siteId)
    const actor = await actorFor(tx, row, q.job)
    if (q.kind === 'unpublish') {
      await applySnapshot(tx, { siteId, id: row.id, set: { status: 'unpublished', unpublishAt: null } })
      await recordTransition(ctx, tx, {
        row,
        to: 'unpublished',
        actor,
        action: 'unpublish',
        note: 'scheduled',
      })
      return 'done'
    }
    const type = await loadTypeOf(tx, row)
    try {
      await assertApproved(tx, row, type)
      await assertAltText(tx, row, type)
    } catch (err) {
      const approvals = WorkflowErrors.approvalsMissing.is(err)
      if (!approvals && !WorkflowErrors.altTextMissing.is(err)) throw err
      await applySnapshot(tx, { siteId, id: row.id, set: { status: 'pending', publishAt: null } })
      await recordTransition(ctx, tx, {
        row,
        to: 'pending',
        actor,
        action: 'schedule_blocked',
        note: approvals
          ? 'Not published at the scheduled time: the latest revision lacks approvals.'
          : 'Not published at the scheduled time: an image it shows has no alternative text.',
        extra: { details: err.details },
      })
      return 'done'
    }
    const { redirects } = await publishHead(ctx, tx, { row, type, site, now: q.now })
    await recordTransition(ctx, tx, {
      row,
      to: 'published',
      actor,
      action: 'publish',
      note: 'scheduled',
      extra: redirects > 0 ? { redirects } : {},
    })
    return 'done'
  })
}

/** A system context bound to one site, for network-wide jobs acting on that site's entries. */
async function siteContext(ctx: Ctx, orm: Orm, siteId: string, reason: string): Promise<Ctx | undefined> {
  const site = await ctx.tx((tx) => findWorkflowSite(tx, siteId))
  if (!site) return undefined
  return asSystem({ orm, site: { id: site.id, slug: site.slug, name: site.name }, reason, log: ctx.log })
}

/** Publishes and unpublishes everything overdue on every site (network scope). */
export async function sweepSchedules(ctx: Ctx, deps: ContentJobsDeps): Promise<number> {
  const now = (deps.clock ?? (() => new Date()))()
  let done = 0
  for (const kind of ['publish', 'unpublish'] as const) {
    const due = await ctx.tx((tx) =>
      kind === 'publish' ? duePublishes(tx, now, SWEEP_BATCH) : dueUnpublishes(tx, now, SWEEP_BATCH),
    )
    for (const entry of due) {
      const siteCtx = await siteContext(ctx, deps.orm, entry.siteId, `overdue scheduled ${kind}`)
      if (!siteCtx) continue
      try {
        const data = { entryId: entry.id, at: null }
        if ((await runScheduled(siteCtx, { kind, data, job: null, now })) === 'done') done++
      } catch (err) {
        // One broken entry must not hold up the others; the next sweep tries it again.
        ctx.log.error({ err, entryId: entry.id, kind }, 'overdue scheduled change failed')
      }
    }
  }
  return done
}

/** Deletes entries trashed longer than the retention period (network scope). */
export async function purgeExpiredTrash(ctx: Ctx, deps: ContentJobsDeps): Promise<number> {
  const now = (deps.clock ?? (() => new Date()))()
  const before = new Date(now.getTime() - deps.trashRetentionDays * DAY)
  const expired = await ctx.tx((tx) => expiredTrash(tx, before, SWEEP_BATCH))
  let purged = 0
  for (const entry of expired) {
    const siteCtx = await siteContext(ctx, deps.orm, entry.siteId, 'trash retention')
    if (!siteCtx) continue
    purged += await siteCtx.tx(async (tx) => {
      const row = await lockEntry(tx, entry.siteId, entry.id)
      // Re-checked under the lock: it may have been restored since the list was read.
      if (!row?.trashedAt || row.trashedAt.getTime() >= before.getTime()) return 0
      await purgeEntry(siteCtx, tx, row, 'retention')
      return 1
    })
  }
  return purged
}

/** Declares the content queues and their schedules on `jobs` (before it starts). */
export function registerContentJobs(jobs: Jobs, deps: ContentJobsDeps): void {
  const now = () => (deps.clock ?? (() => new Date()))()
  for (const kind of ['publish', 'unpublish'] as const)
    jobs.define<ScheduledJobData>(
      CONTENT_QUEUES[kind],
      async (ctx, data, job) => {
        await runScheduled(ctx, { kind, data, job, now: now() })
        if (ctx.site) deps.onChange?.(ctx.site.id)
      },
      { retryLimit: 5, retryDelaySeconds: 10 },
    )
  // The sweeps run every minute or hour on an idle network too: they clear caches (on every node, when
  // they are shared) only when they changed something.
  jobs.define(CONTENT_QUEUES.sweep, async (ctx) => {
    if ((await sweepSchedules(ctx, deps)) > 0) deps.onChange?.()
  })
  jobs.every(CONTENT_QUEUES.sweep, '* * * * *')
  jobs.define(CONTENT_QUEUES.purgeTrash, async (ctx) => {
    if ((await purgeExpiredTrash(ctx, deps)) > 0) deps.onChange?.()
  })
  jobs.every(CONTENT_QUEUES.purgeTrash, '17 * * * *')
}
