import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { PgBoss, type Db, type JobWithMetadata, type SendOptions as BossSendOptions } from 'pg-boss'
import { actorUserId, type Ctx, type CtxLogger } from '../access/index.ts'
import { networkTransaction, newId, type Engine, type Tx } from '../db/index.ts'
import { JobsErrors } from './jobs.errors.ts'
import {
  countBusyJobs,
  findOpenSingleton,
  insertJob,
  lockJob,
  lockSingleton,
  updateJob,
  type JobRow,
} from './jobs.repo.ts'
import { runDelivery, type JobHandler, type QueueDefinition } from './jobs.runner.ts'
import { queueDatabaseFor, withQueueStatements } from './queue.repo.ts'

/**
 * The jobs platform (R48): durable background work on pg-boss, mirrored in our `jobs` and `job_runs`
 * tables so that every job carries its site and actor and every attempt is on record. See README.md.
 */

export interface QueueOptions {
  /** Retries after the first attempt before the job is dead (default 3). */
  retryLimit?: number
  /** Delay before the first retry (default 30 s); doubled at each retry with `retryBackoff`. */
  retryDelaySeconds?: number
  /** Exponential backoff between retries (default true). */
  retryBackoff?: boolean
  /** An attempt running longer fails as `timed_out` (default 300 s). */
  timeoutSeconds?: number
}

export interface SendOptions {
  /** Not before this time (UTC instant). */
  startAfter?: Date
  /** At most one unfinished job per queue, site and key: a second send returns null. */
  singletonKey?: string
}

/** Called inside the transaction that changed a job (the jobs module audits there). */
export type JobChangeHook = (tx: Tx, job: JobRow) => Promise<void>

export interface Jobs {
  /** Declares a queue and its handler; before `start({ work: true })` for workers to work it. */
  define<T extends object>(queue: string, handler: JobHandler<T>, options?: QueueOptions): void
  /** A recurring network job (no site) on a cron expression in UTC; the queue is declared with `define`. */
  every(queue: string, cron: string): void
  /** Queues a job for `ctx.site` (null: network) and `ctx.actor`; null when the singleton key is taken. */
  send<T extends object>(ctx: Ctx, queue: string, data: T, options?: SendOptions): Promise<string | null>
  /**
   * `send` inside a transaction the caller already opened with `ctx.tx`, so that the job exists exactly
   * when the caller's own writes commit (a mail and the token it carries). The queue must already be
   * connected (`start()`; build-app connects it when the server is ready): connecting from inside an open
   * transaction would wait on itself on PGlite's single connection.
   */
  sendWithin<T extends object>(
    tx: Tx,
    ctx: Ctx,
    queue: string,
    data: T,
    options?: SendOptions,
  ): Promise<string | null>
  /**
   * Runs every due job of `queues` in this process now, in order, until none is left (retries that are
   * due at once included), then waits for those another worker is running. Tests and `mailer.flush()`
   * use it instead of waiting for a poll. Returns the number of deliveries it ran.
   */
  drain(queues: readonly string[], options?: { timeoutMs?: number }): Promise<number>
  /** Cancels a queued or retrying job of `ctx.site` (any site in network scope). */
  cancel(ctx: Ctx, jobId: string, options?: { onChange?: JobChangeHook }): Promise<JobRow>
  /** Queues a dead or failed job again with a fresh set of retries. */
  retry(ctx: Ctx, jobId: string, options?: { onChange?: JobChangeHook }): Promise<JobRow>
  /** Connects to the queue (creating pg-boss's schema on first use); `work: true` also runs handlers. */
  start(options?: { work?: boolean }): Promise<void>
  /** Stops working: waits for running handlers (up to the stop timeout), then releases them for retry. */
  stop(): Promise<void>
  /** The declared queues, in declaration order. */
  readonly queues: readonly string[]
}

export interface JobsDeps {
  engine: Engine
  log: CtxLogger
  /** How often an idle worker polls each queue (default 2 s; pg-boss's minimum is 0.5 s). */
  pollingIntervalSeconds?: number
  /** How long `stop()` waits for running handlers (default 10 s). */
  stopTimeoutMs?: number
}

/** pg-boss's own schema, beside ours. */
const QUEUE_SCHEMA = 'pgboss'
/** pg-boss's expiry backs our own timeout up (a worker that died); ours must fire first. */
const EXPIRY_GRACE_SECONDS = 30

export function createJobs(deps: JobsDeps): Jobs {
  const definitions = new Map<string, QueueDefinition>()
  const schedules = new Map<string, string>()
  const db: Db = queueDatabaseFor(deps.engine)
  const worker = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  let boss: PgBoss | undefined
  let working = false
  // start/stop/lazy starts run one at a time.
  let lifecycle: Promise<unknown> = Promise.resolve()
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = lifecycle.then(fn, fn)
    lifecycle = next.catch(() => undefined)
    return next
  }
  // Queues defined after the connection opened (a test's own queue), created before the next `send`.
  let lateQueues: Promise<unknown> = Promise.resolve()

  function definitionOf(queue: string): QueueDefinition {
    const def = definitions.get(queue)
    if (!def) throw new TypeError(`job queue "${queue}" is not defined`)
    return def
  }

  function bossOptions(def: QueueDefinition): BossSendOptions {
    return {
      retryLimit: def.retryLimit,
      retryDelay: def.retryDelaySeconds,
      retryBackoff: def.retryBackoff,
      expireInSeconds: def.timeoutSeconds + EXPIRY_GRACE_SECONDS,
    }
  }

  async function open(work: boolean): Promise<void> {
    if (boss && (working || !work)) return
    if (boss) await boss.stop({ graceful: false, close: false })
    const instance = new PgBoss({
      db,
      backend: deps.engine.kind === 'pglite' ? 'pglite' : 'postgres',
      schema: QUEUE_SCHEMA,
      migrate: true,
      // Maintenance (expiring jobs of dead workers) and the cron clock belong to workers.
      supervise: work,
      schedule: work,
    })
    instance.on('error', (err) => deps.log.error({ err }, 'job queue error'))
    await instance.start()
    boss = instance
    working = work
    for (const queue of definitions.keys()) await instance.createQueue(queue)
    if (!work) return
    for (const def of definitions.values()) {
      await instance.work(
        def.queue,
        {
          includeMetadata: true,
          batchSize: 1,
          pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 2,
        },
        async ([delivery]: JobWithMetadata<object>[]) => {
          if (delivery) await runDelivery({ orm: deps.engine.orm, log: deps.log, worker }, def, delivery)
        },
      )
    }
    for (const [queue, cron] of schedules) {
      await instance.schedule(queue, cron, null, { tz: 'UTC', ...bossOptions(definitionOf(queue)) })
    }
  }

  async function connected(): Promise<PgBoss> {
    if (!boss) await serially(() => open(false))
    await lateQueues
    if (!boss) throw new TypeError('the job queue did not start')
    return boss
  }

  /** Our row and pg-boss's job, in the caller's transaction (bound to `ctx`, which row-level security checks). */
  async function enqueue<T extends object>(
    tx: Tx,
    ctx: Ctx,
    queueBoss: PgBoss,
    job: { queue: string; data: T; options: SendOptions },
  ): Promise<string | null> {
    const { queue, data, options } = job
    const def = definitionOf(queue)
    const siteId = ctx.site?.id ?? null
    const id = newId()
    if (options.singletonKey !== undefined) {
      await lockSingleton(tx, `${queue}\n${siteId ?? ''}\n${options.singletonKey}`)
      if (await findOpenSingleton(tx, { siteId, queue, singletonKey: options.singletonKey })) return null
    }
    await insertJob(tx, {
      id,
      siteId,
      queue,
      data,
      actorKind: ctx.actor.kind,
      actorId: actorUserId(ctx.actor),
      maxAttempts: def.retryLimit + 1,
      runAfter: options.startAfter ?? new Date(),
      singletonKey: options.singletonKey ?? null,
    })
    await withQueueStatements(tx, (txDb) =>
      queueBoss.send(queue, {}, { ...bossOptions(def), id, startAfter: options.startAfter, db: txDb }),
    )
    return id
  }

  async function send<T extends object>(
    ctx: Ctx,
    queue: string,
    data: T,
    options: SendOptions = {},
  ): Promise<string | null> {
    definitionOf(queue)
    const queueBoss = await connected()
    return ctx.tx((tx) => enqueue(tx, ctx, queueBoss, { queue, data, options }))
  }

  async function sendWithin<T extends object>(
    tx: Tx,
    ctx: Ctx,
    queue: string,
    data: T,
    options: SendOptions = {},
  ): Promise<string | null> {
    if (!boss) throw new TypeError('the job queue is not connected: call jobs.start() before sendWithin')
    return enqueue(tx, ctx, boss, { queue, data, options })
  }

  /** One due delivery of `queue`, run here; false when there was none. */
  async function runOneDue(queueBoss: PgBoss, queue: string): Promise<boolean> {
    const def = definitionOf(queue)
    const [delivery] = await queueBoss.fetch<object>(queue, { batchSize: 1, includeMetadata: true })
    if (!delivery) return false
    try {
      await runDelivery({ orm: deps.engine.orm, log: deps.log, worker }, def, delivery)
    } catch (err) {
      await queueBoss.fail(queue, delivery.id, err as object)
      return true
    }
    await queueBoss.complete(queue, delivery.id)
    return true
  }

  async function drain(queues: readonly string[], options: { timeoutMs?: number } = {}): Promise<number> {
    for (const queue of queues) definitionOf(queue)
    const queueBoss = await connected()
    const deadline = Date.now() + (options.timeoutMs ?? 10_000)
    let ran = 0
    for (;;) {
      let progressed = false
      for (const queue of queues) {
        while (await runOneDue(queueBoss, queue)) {
          ran += 1
          progressed = true
        }
      }
      if (progressed) continue
      // Nothing due here: done, unless another worker holds some of them.
      const busy = await networkTransaction(deps.engine.orm, 'draining: jobs busy on any site', (tx) =>
        countBusyJobs(tx, queues),
      )
      if (busy === 0 || Date.now() > deadline) return ran
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  /** A state change of one job: our row (application role) and pg-boss's job, in one transaction. */
  async function change(
    ctx: Ctx,
    jobId: string,
    hook: JobChangeHook | undefined,
    apply: (
      tx: Tx,
      job: JobRow,
      onQueue: (fn: (queueBoss: PgBoss, txDb: Db) => Promise<unknown>) => Promise<void>,
    ) => Promise<JobRow>,
  ): Promise<JobRow> {
    const queueBoss = await connected()
    return ctx.tx(async (tx) => {
      // Network scope sees every job; a site context only its own (row-level security agrees).
      const job = await lockJob(tx, jobId, ctx.site ? ctx.site.id : undefined)
      if (!job) throw JobsErrors.notFound()
      const changed = await apply(tx, job, async (fn) => {
        await withQueueStatements(tx, (txDb) => fn(queueBoss, txDb))
      })
      if (hook) await hook(tx, changed)
      return changed
    })
  }

  return {
    get queues() {
      return [...definitions.keys()]
    },
    define(queue, handler, options = {}) {
      if (definitions.has(queue)) throw new TypeError(`job queue "${queue}" is defined twice`)
      if (!/^[\w.-]+$/.test(queue)) throw new TypeError(`job queue name "${queue}" has invalid characters`)
      definitions.set(queue, {
        queue,
        handler: handler as JobHandler<object>,
        retryLimit: options.retryLimit ?? 3,
        retryDelaySeconds: options.retryDelaySeconds ?? 30,
        retryBackoff: options.retryBackoff ?? true,
        timeoutSeconds: options.timeoutSeconds ?? 300,
        recurring: false,
      })
      const connectedBoss = boss
      if (connectedBoss) lateQueues = serially(() => connectedBoss.createQueue(queue))
    },
    every(queue, cron) {
      definitionOf(queue).recurring = true
      schedules.set(queue, cron)
    },
    send,
    sendWithin,
    drain,
    cancel: (ctx, jobId, options = {}) =>
      change(ctx, jobId, options.onChange, async (tx, job, onQueue) => {
        if (job.state !== 'queued' && job.state !== 'retrying')
          throw JobsErrors.notCancellable({ details: { state: job.state } })
        const changed = await updateJob(tx, job.id, { state: 'cancelled', finishedAt: new Date() })
        await onQueue((queueBoss, txDb) => queueBoss.cancel(job.queue, job.id, { db: txDb }))
        return changed
      }),
    retry: (ctx, jobId, options = {}) =>
      change(ctx, jobId, options.onChange, async (tx, job, onQueue) => {
        if (job.state !== 'dead' && job.state !== 'failed')
          throw JobsErrors.notRetryable({ details: { state: job.state } })
        const def = definitions.get(job.queue)
        const changed = await updateJob(tx, job.id, {
          state: 'queued',
          maxAttempts: job.attempts + (def?.retryLimit ?? 3) + 1,
          runAfter: new Date(),
          finishedAt: null,
        })
        // pg-boss keeps the failed job for a while: replace it, so the retry starts with fresh retries.
        await onQueue(async (queueBoss, txDb) => {
          await queueBoss.deleteJob(job.queue, job.id, { db: txDb })
          await queueBoss.send(job.queue, {}, { ...(def ? bossOptions(def) : {}), id: job.id, db: txDb })
        })
        return changed
      }),
    start: (options = {}) => serially(() => open(options.work ?? false)),
    stop: () =>
      serially(async () => {
        const instance = boss
        boss = undefined
        working = false
        await instance?.stop({ graceful: true, timeout: deps.stopTimeoutMs ?? 10_000, close: false })
      }),
  }
}
