import type { LightMyRequestResponse } from 'fastify'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../../test/harness/test-app.ts'
import { createUser, signIn, type Session } from '../../../../test/harness/identity.ts'
import { waitFor, waitForJob } from '../../../../test/harness/wait.ts'
import { asSystem } from '../../../platform/access/index.ts'
import { createJobs, type Jobs } from '../../../platform/jobs/index.ts'
import { purgeExpiredTrash, registerContentJobs, sweepSchedules } from './workflow.jobs.ts'

/**
 * Scheduled publishing on a real engine: jobs queued by the API, run by separate `Jobs` instances that
 * stand for worker processes (two at once, and restarts). Counting `entry_transitions` rows shows that
 * each scheduled change happens exactly once.
 */

const silent = { info() {}, warn() {}, error() {} }
let app: TestApp
let editor: Session
const workers: Jobs[] = []

const url = (rest = '') => `/api/v1/sites/main/entries${rest}`
const soon = (ms: number) => new Date(Date.now() + ms).toISOString()

async function json<T = Record<string, unknown>>(res: LightMyRequestResponse, status = 200): Promise<T> {
  expect(res.statusCode, res.body).toBe(status)
  return res.json() as T
}

async function createEntry(title: string): Promise<string> {
  const res = await editor.request({ method: 'POST', url: url(), payload: { type: 'post', title } })
  return (await json<{ id: string }>(res, 201)).id
}

const setStatus = (id: string, payload: Record<string, unknown>) =>
  editor.request({ method: 'POST', url: url(`/${id}/status`), payload })

/** A worker process: its own Jobs instance with the content queues. */
function worker(): Jobs {
  const jobs = createJobs({
    engine: app.db.engine,
    log: silent,
    pollingIntervalSeconds: 0.5,
    stopTimeoutMs: 2000,
  })
  registerContentJobs(jobs, { orm: app.db.engine.orm, trashRetentionDays: 30 })
  workers.push(jobs)
  return jobs
}

async function statusOf(id: string): Promise<string | undefined> {
  const [row] = await app.db.engine.query<{ status: string }>('SELECT status FROM entries WHERE id = $1', [
    id,
  ])
  return row?.status
}

async function transitionsTo(id: string, to: string): Promise<{ actor_id: string | null }[]> {
  return app.db.engine.query<{ actor_id: string | null }>(
    'SELECT actor_id FROM entry_transitions WHERE entry_id = $1 AND to_status = $2',
    [id, to],
  )
}

async function jobStates(id: string, queue: string): Promise<string[]> {
  const rows = await app.db.engine.query<{ state: string }>(
    `SELECT state FROM jobs WHERE queue = $1 AND data->>'entryId' = $2 ORDER BY id`,
    [queue, id],
  )
  return rows.map((r) => r.state)
}

/** Waits until the entry's status is `status`. */
const statusBecomes = (id: string, status: string) =>
  waitFor(async () => (await statusOf(id)) === status, { what: `entry ${id} to be ${status}` })

const networkCtx = () => asSystem({ orm: app.db.engine.orm, reason: 'test sweep', log: silent })

beforeAll(async () => {
  app = await createTestApp({ deps: { jobsPollingSeconds: 0.5 } })
  editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
})

afterEach(async () => {
  await Promise.all(workers.splice(0).map((jobs) => jobs.stop()))
})

afterAll(async () => {
  await app?.close()
})

describe('scheduled publishing', () => {
  it('publishes once across a restart and two workers, as the user who scheduled it', async () => {
    const id = await createEntry('Scheduled once')
    await json(await setStatus(id, { status: 'scheduled', publishAt: soon(1500) }))
    // The process that queued the job goes away before it is due; two others take over.
    await app.jobs.stop()
    const [a, b] = [worker(), worker()]
    await Promise.all([a.start({ work: true }), b.start({ work: true })])
    await statusBecomes(id, 'published')
    await waitForJob(app, { queue: 'content.publish', data: { entryId: id } })
    await Promise.all([a.stop(), b.stop()])
    // Another restart after the run: nothing happens twice, even when it works every due job at once.
    const restarted = worker()
    await restarted.start({ work: true })
    await restarted.drain(restarted.queues)
    const published = await transitionsTo(id, 'published')
    expect(published).toEqual([{ actor_id: editor.userId }])
  })

  it('unpublishes at the given time', async () => {
    const id = await createEntry('Short-lived')
    await json(await setStatus(id, { status: 'published', unpublishAt: soon(1500) }))
    await worker().start({ work: true })
    await statusBecomes(id, 'unpublished')
    expect(await transitionsTo(id, 'unpublished')).toEqual([{ actor_id: editor.userId }])
    const [row] = await app.db.engine.query<{ unpublish_at: unknown }>(
      'SELECT unpublish_at FROM entries WHERE id = $1',
      [id],
    )
    expect(row?.unpublish_at).toBeNull()
  })

  it('turns the old job into a no-op when an entry is rescheduled or sent back to draft', async () => {
    const moved = await createEntry('Moved later')
    const cancelled = await createEntry('Cancelled')
    await json(await setStatus(moved, { status: 'scheduled', publishAt: soon(1500) }))
    await json(await setStatus(cancelled, { status: 'scheduled', publishAt: soon(1500) }))
    const later = soon(3_600_000)
    await json(await setStatus(moved, { status: 'scheduled', publishAt: later }))
    await json(await setStatus(cancelled, { status: 'draft' }))
    await worker().start({ work: true })
    for (const id of [moved, cancelled])
      await waitForJob(app, { queue: 'content.publish', data: { entryId: id } })
    expect(await statusOf(moved)).toBe('scheduled')
    expect(await statusOf(cancelled)).toBe('draft')
    expect(await transitionsTo(moved, 'published')).toEqual([])
    expect(await transitionsTo(cancelled, 'published')).toEqual([])
    expect(await jobStates(moved, 'content.publish')).toEqual(['completed', 'queued'])
  })

  it('has the sweep publish overdue entries whose job was lost, and the late job then does nothing', async () => {
    const id = await createEntry('Lost job')
    await json(await setStatus(id, { status: 'scheduled', publishAt: soon(1000) }))
    // The sweep runs as if two seconds had passed; the job itself stays due in a second, as queued.
    const later = () => new Date(Date.now() + 2000)
    expect(
      await sweepSchedules(networkCtx(), { orm: app.db.engine.orm, trashRetentionDays: 30, clock: later }),
    ).toBeGreaterThanOrEqual(1)
    expect(await statusOf(id)).toBe('published')
    expect(await transitionsTo(id, 'published')).toEqual([{ actor_id: editor.userId }])
    await worker().start({ work: true })
    await waitForJob(app, { queue: 'content.publish', data: { entryId: id } })
    expect(await transitionsTo(id, 'published')).toHaveLength(1)
  })
})

describe('trash retention', () => {
  it('purges entries trashed longer ago than the retention period, and only those', async () => {
    const old = await createEntry('Old trash')
    const fresh = await createEntry('Fresh trash')
    for (const id of [old, fresh]) await json(await editor.request({ method: 'DELETE', url: url(`/${id}`) }))
    await app.db.engine.query(`UPDATE entries SET trashed_at = now() - interval '31 days' WHERE id = $1`, [
      old,
    ])
    const purged = await purgeExpiredTrash(networkCtx(), { orm: app.db.engine.orm, trashRetentionDays: 30 })
    expect(purged).toBe(1)
    expect(await statusOf(old)).toBeUndefined()
    expect(await statusOf(fresh)).toBe('trash')
    const [audit] = await app.db.engine.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'content.entry.purge' AND target_id = $1`,
      [old],
    )
    expect(Number(audit?.n)).toBe(1)
  })
})
