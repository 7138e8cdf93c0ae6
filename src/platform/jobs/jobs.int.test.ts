import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/harness/test-app.ts'
import { mainSiteId } from '../../../test/harness/identity.ts'
import { waitFor, waitForJob } from '../../../test/harness/wait.ts'
import { asSystem, createCtx, type Ctx } from '../access/index.ts'
import { newId } from '../db/index.ts'
import { createJobs, type Jobs } from './index.ts'

/**
 * The jobs platform against a real engine: several `Jobs` instances on one database stand for several
 * worker processes. Handlers count their runs in a table of the test's own, so a second run shows.
 */

const silent = { info() {}, warn() {}, error() {} }
let app: TestApp
let site: { id: string; slug: string; name: string }
const started: Jobs[] = []

async function countOf(key: string): Promise<number> {
  const [row] = await app.db.engine.query<{ runs: number }>('SELECT runs FROM test_job_runs WHERE key = $1', [
    key,
  ])
  return row ? Number(row.runs) : 0
}

async function count(key: string): Promise<void> {
  await app.db.engine.query(
    `INSERT INTO test_job_runs (key, runs) VALUES ($1, 1)
     ON CONFLICT (key) DO UPDATE SET runs = test_job_runs.runs + 1`,
    [key],
  )
}

async function stateOf(id: string): Promise<string | undefined> {
  const [row] = await app.db.engine.query<{ state: string }>('SELECT state FROM jobs WHERE id = $1', [id])
  return row?.state
}

/** One worker process: its own Jobs instance with the test queues. */
function workerWith(define: (jobs: Jobs) => void): Jobs {
  const jobs = createJobs({
    engine: app.db.engine,
    log: silent,
    pollingIntervalSeconds: 0.5,
    stopTimeoutMs: 2000,
  })
  define(jobs)
  started.push(jobs)
  return jobs
}

const counting = (jobs: Jobs) =>
  jobs.define<{ key: string }>('test.count', async (_ctx, data) => count(data.key), { retryLimit: 0 })

function userCtx(userId: string): Ctx {
  return createCtx({
    orm: app.db.engine.orm,
    actor: { kind: 'user', userId, email: 'u@example.com', name: 'U', sessionId: newId() },
    site,
    capabilities: [],
    log: silent,
  })
}

beforeAll(async () => {
  app = await createTestApp()
  const id = await mainSiteId(app)
  site = { id, slug: 'main', name: 'Main' }
  await app.db.engine.query('CREATE TABLE test_job_runs (key text PRIMARY KEY, runs int NOT NULL)')
})

afterEach(async () => {
  await Promise.all(started.splice(0).map((jobs) => jobs.stop()))
})

afterAll(async () => {
  await app?.close()
})

describe('jobs platform', () => {
  it('runs each job once with two workers on one database', async () => {
    const a = workerWith(counting)
    const b = workerWith(counting)
    const ctx = asSystem({ orm: app.db.engine.orm, reason: 'test', site, log: silent })
    const ids: string[] = []
    for (let i = 0; i < 6; i++) ids.push((await a.send(ctx, 'test.count', { key: `two-${i}` })) as string)
    await Promise.all([a.start({ work: true }), b.start({ work: true })])
    for (const id of ids) await waitForJob(app, { id })
    for (let i = 0; i < 6; i++) expect(await countOf(`two-${i}`)).toBe(1)
    const [runs] = await app.db.engine.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM job_runs WHERE job_id = ANY($1::uuid[])`,
      [ids],
    )
    expect(Number(runs?.n)).toBe(6)
  })

  it('runs a job once when its worker restarts before it is due', async () => {
    const first = workerWith(counting)
    await first.start({ work: true })
    const ctx = asSystem({ orm: app.db.engine.orm, reason: 'test', site, log: silent })
    const id = (await first.send(
      ctx,
      'test.count',
      { key: 'restart' },
      { startAfter: new Date(Date.now() + 1500) },
    ))!
    await first.stop()
    expect(await stateOf(id)).toBe('queued')
    const second = workerWith(counting)
    const third = workerWith(counting)
    await second.start({ work: true })
    await waitForJob(app, { id })
    await second.stop()
    // Another restart after completion: nothing runs again, even when it works every due job at once.
    await third.start({ work: true })
    await third.drain(['test.count'])
    expect(await countOf('restart')).toBe(1)
  })

  it('retries a failing job with backoff settings, then marks it dead and keeps it', async () => {
    const jobs = workerWith((j) =>
      j.define(
        'test.fail',
        async () => {
          await count('fail')
          throw new Error('boom')
        },
        { retryLimit: 2, retryDelaySeconds: 0, retryBackoff: false },
      ),
    )
    await jobs.start({ work: true })
    const ctx = asSystem({ orm: app.db.engine.orm, reason: 'test', site, log: silent })
    const id = (await jobs.send(ctx, 'test.fail', {}))!
    await waitForJob(app, { id, state: 'dead' })
    expect(await countOf('fail')).toBe(3)
    const [job] = await app.db.engine.query<{ attempts: number; last_error: string }>(
      'SELECT attempts, last_error FROM jobs WHERE id = $1',
      [id],
    )
    expect(job?.attempts).toBe(3)
    expect(job?.last_error).toContain('boom')
    const runs = await app.db.engine.query<{ attempt: number; status: string }>(
      'SELECT attempt, status FROM job_runs WHERE job_id = $1 ORDER BY attempt',
      [id],
    )
    expect(runs.map((r) => [r.attempt, r.status])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'failed'],
    ])
    // A dead job is retried by hand with fresh retries.
    const retried = await jobs.retry(ctx, id)
    expect(retried.state).toBe('queued')
    await waitFor(async () => (await countOf('fail')) === 6, {
      what: 'the retried job to run its 3 attempts',
    })
    await waitForJob(app, { id, state: 'dead' })
  })

  it('fails an attempt that runs past its timeout as timed_out', async () => {
    const jobs = workerWith((j) =>
      j.define('test.slow', () => new Promise<void>((resolve) => setTimeout(resolve, 4000)), {
        retryLimit: 0,
        timeoutSeconds: 1,
      }),
    )
    await jobs.start({ work: true })
    const ctx = asSystem({ orm: app.db.engine.orm, reason: 'test', site, log: silent })
    const id = (await jobs.send(ctx, 'test.slow', {}))!
    await waitForJob(app, { id, state: 'dead' })
    const runs = await app.db.engine.query<{ status: string }>(
      'SELECT status FROM job_runs WHERE job_id = $1',
      [id],
    )
    expect(runs.map((r) => r.status)).toEqual(['timed_out'])
  })

  it('runs the handler bound to the job’s site, naming the queue and the actor who sent it', async () => {
    const seen: unknown[] = []
    const jobs = workerWith((j) =>
      j.define('test.ctx', async (ctx, data: { n: number }, info) => {
        // The site-bound transaction sees the site's rows only.
        const sites = await ctx.tx(async () => ctx.site?.id)
        seen.push({ site: sites, actor: ctx.actor, info, data })
      }),
    )
    await jobs.start({ work: true })
    const userId = newId()
    const id = (await jobs.send(userCtx(userId), 'test.ctx', { n: 7 }))!
    await waitForJob(app, { id })
    expect(seen).toEqual([
      {
        site: site.id,
        actor: { kind: 'system', reason: expect.stringMatching(new RegExp(`test\\.ctx.*user ${userId}`)) },
        info: {
          id,
          queue: 'test.ctx',
          attempt: 1,
          isLastAttempt: false,
          siteId: site.id,
          actor: { kind: 'user', userId },
        },
        data: { n: 7 },
      },
    ])
  })

  it('refuses a second unfinished job with the same singleton key, and cancels a queued job', async () => {
    const jobs = workerWith(counting)
    const ctx = asSystem({ orm: app.db.engine.orm, reason: 'test', site, log: silent })
    const later = new Date(Date.now() + 60_000)
    const first = await jobs.send(
      ctx,
      'test.count',
      { key: 'single' },
      { singletonKey: 'k', startAfter: later },
    )
    expect(first).not.toBeNull()
    expect(await jobs.send(ctx, 'test.count', { key: 'single' }, { singletonKey: 'k' })).toBeNull()
    const cancelled = await jobs.cancel(ctx, first!)
    expect(cancelled.state).toBe('cancelled')
    // Once cancelled, the key is free again.
    expect(
      await jobs.send(ctx, 'test.count', { key: 'single' }, { singletonKey: 'k', startAfter: later }),
    ).not.toBeNull()
    await expect(jobs.cancel(ctx, first!)).rejects.toMatchObject({ code: 'COLOPHON_JOBS_NOT_CANCELLABLE' })
  })
})
