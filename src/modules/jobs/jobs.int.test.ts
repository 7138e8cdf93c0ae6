import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, type TestApp } from '../../../test/harness/test-app.ts'
import { createUser, mainSiteId, signIn, signInAdmin, type Session } from '../../../test/harness/identity.ts'
import { createSite } from '../../../test/harness/factories.ts'
import { asSystem } from '../../platform/access/index.ts'

/** The jobs views over HTTP. Jobs are sent but never worked here: the queue `test.noop` stays idle. */

const silent = { info() {}, warn() {}, error() {} }
let app: TestApp
let admin: Session
let siteAdmin: Session
let author: Session
let mainId: string
let otherId: string
let mainJob: string
let otherJob: string

async function send(siteId: string, slug: string): Promise<string> {
  const ctx = asSystem({
    orm: app.db.engine.orm,
    reason: 'test',
    site: { id: siteId, slug, name: slug },
    log: silent,
  })
  return (await app.jobs.send(ctx, 'test.noop', { slug }, { startAfter: new Date(Date.now() + 3_600_000) }))!
}

beforeAll(async () => {
  app = await createTestApp()
  app.jobs.define('test.noop', async () => {})
  mainId = await mainSiteId(app)
  otherId = await createSite(app, { slug: 'other', name: 'Other' })
  admin = await signInAdmin(app)
  siteAdmin = await signIn(app, await createUser(app, { siteRole: 'administrator' }))
  author = await signIn(app, await createUser(app, { siteRole: 'author' }))
  mainJob = await send(mainId, 'main')
  otherJob = await send(otherId, 'other')
})

afterAll(async () => {
  await app?.close()
})

describe('jobs views', () => {
  it('network admins list every site’s jobs and filter them', async () => {
    const res = await admin.request({ method: 'GET', url: '/api/v1/jobs?state=queued&queue=test.noop' })
    expect(res.statusCode).toBe(200)
    const ids = (res.json().items as { id: string }[]).map((j) => j.id)
    expect(ids).toEqual(expect.arrayContaining([mainJob, otherJob]))
    const bySite = await admin.request({ method: 'GET', url: `/api/v1/jobs?site=${otherId}` })
    expect((bySite.json().items as { id: string }[]).map((j) => j.id)).toEqual([otherJob])
    const page = await admin.request({ method: 'GET', url: '/api/v1/jobs?limit=1' })
    expect(page.json().items).toHaveLength(1)
    expect(page.json().nextCursor).toBe(otherJob)
  })

  it('site admins see only their site’s jobs', async () => {
    const res = await siteAdmin.request({ method: 'GET', url: '/api/v1/sites/main/jobs' })
    expect(res.statusCode).toBe(200)
    expect((res.json().items as { id: string }[]).map((j) => j.id)).toEqual([mainJob])
    const foreign = await siteAdmin.request({ method: 'GET', url: `/api/v1/sites/main/jobs/${otherJob}` })
    expect(foreign.statusCode).toBe(404)
    expect(errorOf(foreign).code).toBe('COLOPHON_JOBS_NOT_FOUND')
    const cancelForeign = await siteAdmin.request({
      method: 'POST',
      url: `/api/v1/sites/main/jobs/${otherJob}/cancel`,
    })
    expect(errorOf(cancelForeign).code).toBe('COLOPHON_JOBS_NOT_FOUND')
  })

  it('authors cannot see the site’s jobs', async () => {
    const res = await author.request({ method: 'GET', url: '/api/v1/sites/main/jobs' })
    expect(res.statusCode).toBe(403)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_FORBIDDEN')
  })

  it('inspects a job with its attempts', async () => {
    const res = await siteAdmin.request({ method: 'GET', url: `/api/v1/sites/main/jobs/${mainJob}` })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      id: mainJob,
      siteId: mainId,
      queue: 'test.noop',
      state: 'queued',
      data: { slug: 'main' },
      actor: { kind: 'system', userId: null },
      runs: [],
    })
  })

  it('cancels a queued job, audited, and refuses to cancel it twice', async () => {
    const id = await send(mainId, 'main')
    const res = await siteAdmin.request({ method: 'POST', url: `/api/v1/sites/main/jobs/${id}/cancel` })
    expect(res.statusCode).toBe(200)
    expect(res.json().state).toBe('cancelled')
    const again = await siteAdmin.request({ method: 'POST', url: `/api/v1/sites/main/jobs/${id}/cancel` })
    expect(again.statusCode).toBe(409)
    expect(errorOf(again).code).toBe('COLOPHON_JOBS_NOT_CANCELLABLE')
    const audit = await app.db.engine.query(
      'SELECT site_id FROM audit_log WHERE action = $1 AND target_id = $2',
      ['jobs.job.cancel', id],
    )
    expect(audit).toEqual([{ site_id: mainId }])
  })

  it('retries a dead job, audited, and refuses to retry a queued one', async () => {
    const id = await send(otherId, 'other')
    const queued = await admin.request({ method: 'POST', url: `/api/v1/jobs/${id}/retry` })
    expect(queued.statusCode).toBe(409)
    expect(errorOf(queued).code).toBe('COLOPHON_JOBS_NOT_RETRYABLE')
    await app.db.engine.query("UPDATE jobs SET state = 'dead', attempts = 4 WHERE id = $1", [id])
    const res = await admin.request({ method: 'POST', url: `/api/v1/jobs/${id}/retry` })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ state: 'queued', attempts: 4, maxAttempts: 8 })
    const audit = await app.db.engine.query('SELECT 1 FROM audit_log WHERE action = $1 AND target_id = $2', [
      'jobs.job.retry',
      id,
    ])
    expect(audit).toHaveLength(1)
  })

  it('reports queue health to network admins only', async () => {
    const res = await admin.request({ method: 'GET', url: '/api/v1/jobs/health' })
    expect(res.statusCode).toBe(200)
    const noop = (res.json().queues as { queue: string }[]).find((q) => q.queue === 'test.noop')
    expect(noop).toMatchObject({ counts: { queued: 3, cancelled: 1 }, failuresLastHour: 0 })
    const denied = await siteAdmin.request({ method: 'GET', url: '/api/v1/jobs/health' })
    expect(denied.statusCode).toBe(403)
  })
})
