import { performance } from 'node:perf_hooks'
import type { JobWithMetadata } from 'pg-boss'
import { asSystem, type Ctx, type CtxLogger } from '../access/index.ts'
import { networkTransaction, newId, type Orm, type Tx } from '../db/index.ts'
import { describeError } from '../log/index.ts'
import {
  claimJob,
  closeAbandonedRuns,
  findSiteRef,
  finishRun,
  insertJob,
  insertRun,
  lockJob,
  updateJob,
  type JobRow,
  type JobRunRow,
  type SiteOfJob,
} from './jobs.repo.ts'

/** What a handler learns about the job it runs. */
export interface JobInfo {
  id: string
  queue: string
  /** 1 for the first run, counting every attempt since the job was sent (retries by hand included). */
  attempt: number
  /** No retry follows if this attempt fails: the job will be dead (a retry by hand starts a new series). */
  isLastAttempt: boolean
  siteId: string | null
  /** Who sent the job: the handler acts for the platform, but may record on whose behalf. */
  actor: { kind: 'user' | 'api_key' | 'system' | 'anonymous'; userId: string | null }
}

/** A job handler. `ctx` is a system context bound to the job's site (or network scope for network jobs). */
export type JobHandler<T> = (ctx: Ctx, data: T, job: JobInfo) => Promise<void>

export interface QueueDefinition {
  queue: string
  handler: JobHandler<object>
  retryLimit: number
  retryDelaySeconds: number
  retryBackoff: boolean
  timeoutSeconds: number
  /** Set for queues with a recurring schedule: their deliveries arrive without a `jobs` row. */
  recurring: boolean
}

export interface RunnerDeps {
  orm: Orm
  log: CtxLogger
  worker: string
}

const MAX_ERROR_LENGTH = 2000

class JobTimeoutError extends Error {
  constructor(seconds: number) {
    super(`The job ran longer than its ${seconds} s timeout.`)
    this.name = 'JobTimeoutError'
  }
}

/** Kept in the job row and logged: the value-free description (no statement parameters, no row values). */
function describeFailure(err: unknown): string {
  return describeError(err).slice(0, MAX_ERROR_LENGTH)
}

/** Rejects after `seconds`; the handler cannot be killed, but its outcome no longer counts. */
async function withinSeconds<T>(work: Promise<T>, seconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new JobTimeoutError(seconds)), seconds * 1000)
  })
  try {
    return await Promise.race([work, expiry])
  } finally {
    clearTimeout(timer)
  }
}

interface Claimed {
  job: JobRow
  run: JobRunRow
  site: SiteOfJob | null
}

/**
 * Runs one delivery of a pg-boss job: claims our `jobs` row (a duplicate delivery of a finished job is
 * dropped here, which is what keeps a job to one successful run across workers and restarts), runs the
 * handler outside any transaction, and records the outcome. Throws when the attempt failed, so that
 * pg-boss schedules the retry or gives up.
 */
export async function runDelivery(
  deps: RunnerDeps,
  def: QueueDefinition,
  delivery: JobWithMetadata<object>,
): Promise<void> {
  // Lifecycle bookkeeping is platform work across sites: network scope, short transactions.
  const network = <T>(fn: (tx: Tx) => Promise<T>) => networkTransaction(deps.orm, 'job run bookkeeping', fn)
  const claimed = await network((tx) => claim(tx, def, delivery, deps.worker))
  if (!claimed) return
  const { job, run, site } = claimed
  const actorKind = job.actorKind as JobInfo['actor']['kind']
  const ctx = asSystem({
    orm: deps.orm,
    site,
    log: deps.log,
    reason: `job ${job.queue} ${job.id} sent by ${actorKind}${job.actorId ? ` ${job.actorId}` : ''}`,
  })
  const info: JobInfo = {
    id: job.id,
    queue: job.queue,
    attempt: job.attempts,
    isLastAttempt: delivery.retryCount >= delivery.retryLimit,
    siteId: job.siteId,
    actor: { kind: actorKind, userId: job.actorId },
  }
  const started = performance.now()
  try {
    await withinSeconds(def.handler(ctx, job.data as object, info), def.timeoutSeconds)
  } catch (err) {
    const final = info.isLastAttempt
    const error = describeFailure(err)
    await network(async (tx) => {
      await finishRun(tx, run.id, {
        status: err instanceof JobTimeoutError ? 'timed_out' : 'failed',
        durationMs: Math.round(performance.now() - started),
        error,
      })
      await updateJob(tx, job.id, {
        state: final ? 'dead' : 'retrying',
        lastError: error,
        ...(final ? { finishedAt: new Date() } : {}),
      })
    })
    deps.log.warn({ jobId: job.id, queue: job.queue, attempt: job.attempts, final, error }, 'job failed')
    throw err
  }
  await network(async (tx) => {
    await finishRun(tx, run.id, {
      status: 'completed',
      durationMs: Math.round(performance.now() - started),
      error: null,
    })
    await updateJob(tx, job.id, { state: 'completed', finishedAt: new Date() })
  })
}

async function claim(
  tx: Tx,
  def: QueueDefinition,
  delivery: JobWithMetadata<object>,
  worker: string,
): Promise<Claimed | undefined> {
  let job = await claimJob(tx, delivery.id)
  if (!job) {
    // No open row: either the job is finished (a duplicate delivery) or, for a recurring queue, this is
    // a delivery pg-boss's scheduler created, which gets its row now.
    if (!def.recurring || (await lockJob(tx, delivery.id, undefined))) return undefined
    job = await insertJob(tx, {
      id: delivery.id,
      siteId: null,
      queue: def.queue,
      state: 'active',
      attempts: 1,
      maxAttempts: def.retryLimit + 1,
      actorKind: 'system',
    })
  }
  const site = job.siteId ? ((await findSiteRef(tx, job.siteId)) ?? null) : null
  if (job.siteId && !site) {
    // Never run a site's job with network scope.
    await updateJob(tx, job.id, {
      state: 'failed',
      lastError: 'The site no longer exists.',
      finishedAt: new Date(),
    })
    return undefined
  }
  await closeAbandonedRuns(tx, job.id)
  const run = await insertRun(tx, { id: newId(), job, worker })
  return { job, run, site }
}
