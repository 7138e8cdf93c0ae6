import { requireCapability, type Ctx } from '../../platform/access/index.ts'
import { pageOf, type Page } from '../../platform/db/index.ts'
import { DEFAULT_PAGE_LIMIT } from '../../platform/http/index.ts'
import { JobsErrors, type JobRow, type Jobs } from '../../platform/jobs/index.ts'
import { recordAudit } from '../audit/index.ts'
import {
  countByQueueAndState,
  failuresSince,
  findJob,
  listJobs,
  listRuns,
  type JobRunRow,
} from './jobs.repo.ts'

/**
 * The jobs views: network admins see and steer every job (`network.jobs.manage`), site admins their
 * site's (`site.jobs.read` to look, `site.jobs.manage` to retry or cancel). The state changes go through
 * the jobs platform, which changes our row and pg-boss's job in one transaction; the audit entry is
 * written in that same transaction.
 */

export interface JobsServiceDeps {
  jobs: Pick<Jobs, 'retry' | 'cancel'>
  now?: () => Date
}

export interface JobView {
  id: string
  siteId: string | null
  queue: string
  state: JobRow['state']
  data: Record<string, unknown>
  actor: { kind: 'user' | 'api_key' | 'system' | 'anonymous'; userId: string | null }
  attempts: number
  maxAttempts: number
  runAfter: string
  singletonKey: string | null
  lastError: string | null
  createdAt: string
  updatedAt: string
  finishedAt: string | null
}

export interface JobRunView {
  id: string
  attempt: number
  status: string
  worker: string
  startedAt: string
  finishedAt: string | null
  durationMs: number | null
  error: string | null
}

export interface QueueHealthView {
  queue: string
  counts: Record<string, number>
  oldestWaitingSeconds: number | null
  failuresLastHour: number
}

export interface ListJobsFilter {
  queue?: string | undefined
  state?: string | undefined
  site?: string | undefined
  cursor?: string | undefined
  limit?: number | undefined
}

const HOUR_MS = 60 * 60 * 1000
const WAITING = new Set(['queued', 'retrying'])

export function toJobView(row: JobRow): JobView {
  return {
    id: row.id,
    siteId: row.siteId,
    queue: row.queue,
    state: row.state,
    data: (row.data ?? {}) as Record<string, unknown>,
    actor: { kind: row.actorKind as JobView['actor']['kind'], userId: row.actorId },
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    runAfter: row.runAfter.toISOString(),
    singletonKey: row.singletonKey,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  }
}

function toRunView(row: JobRunRow): JobRunView {
  return {
    id: row.id,
    attempt: row.attempt,
    status: row.status,
    worker: row.worker,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    durationMs: row.durationMs,
    error: row.error,
  }
}

/** The capability for looking (`read`) or steering (`manage`), by the context's scope. */
function requireJobsCapability(ctx: Ctx, action: 'read' | 'manage'): string | undefined {
  // Both scopes are legitimate here (a site's jobs, or every job), so this branches rather than requireSite.
  if (ctx.site) {
    requireCapability(ctx, `site.jobs.${action}`)
    return ctx.site.id
  }
  requireCapability(ctx, 'network.jobs.manage')
  return undefined
}

export type JobsService = ReturnType<typeof createJobsService>

export function createJobsService(deps: JobsServiceDeps) {
  const now = deps.now ?? (() => new Date())

  async function list(ctx: Ctx, filter: ListJobsFilter): Promise<Page<JobView>> {
    const siteId = requireJobsCapability(ctx, 'read') ?? filter.site
    const limit = filter.limit ?? DEFAULT_PAGE_LIMIT
    const rows = await ctx.tx((tx) =>
      listJobs(tx, {
        siteId,
        queue: filter.queue,
        state: filter.state,
        before: filter.cursor,
        limit: limit + 1,
      }),
    )
    return pageOf(rows, limit, toJobView, (row) => row.id)
  }

  async function get(ctx: Ctx, id: string): Promise<JobView & { runs: JobRunView[] }> {
    const siteId = requireJobsCapability(ctx, 'read')
    const found = await ctx.tx(async (tx) => {
      const job = await findJob(tx, id, siteId)
      return job ? { job, runs: await listRuns(tx, id, siteId) } : undefined
    })
    if (!found) throw JobsErrors.notFound()
    return { ...toJobView(found.job), runs: found.runs.map(toRunView) }
  }

  async function steer(ctx: Ctx, id: string, verb: 'retry' | 'cancel'): Promise<JobView> {
    requireJobsCapability(ctx, 'manage')
    const row = await deps.jobs[verb](ctx, id, {
      onChange: (tx, job) =>
        recordAudit(ctx, tx, {
          action: `jobs.job.${verb}`,
          target: { type: 'job', id: job.id },
          siteId: job.siteId,
          summary: { queue: job.queue, state: job.state },
        }),
    })
    return toJobView(row)
  }

  async function health(ctx: Ctx): Promise<{ queues: QueueHealthView[] }> {
    requireCapability(ctx, 'network.jobs.manage')
    const since = new Date(now().getTime() - HOUR_MS)
    const [counts, failures] = await ctx.tx(
      async (tx) => [await countByQueueAndState(tx), await failuresSince(tx, since)] as const,
    )
    const byQueue = new Map<string, QueueHealthView>()
    const entry = (queue: string) => {
      let view = byQueue.get(queue)
      if (!view) {
        view = { queue, counts: {}, oldestWaitingSeconds: null, failuresLastHour: 0 }
        byQueue.set(queue, view)
      }
      return view
    }
    for (const row of counts) {
      const view = entry(row.queue)
      view.counts[row.state] = row.count
      if (WAITING.has(row.state) && row.oldestWaitingSeconds !== null)
        view.oldestWaitingSeconds = Math.max(view.oldestWaitingSeconds ?? 0, row.oldestWaitingSeconds)
    }
    for (const row of failures) entry(row.queue).failuresLastHour = row.count
    return { queues: [...byQueue.values()].sort((a, b) => a.queue.localeCompare(b.queue)) }
  }

  return {
    list,
    get,
    retry: (ctx: Ctx, id: string) => steer(ctx, id, 'retry'),
    cancel: (ctx: Ctx, id: string) => steer(ctx, id, 'cancel'),
    health,
  }
}
