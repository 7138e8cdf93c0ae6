import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../platform/db/index.ts'
import { createTestApp, errorOf, queryCount, type TestApp } from '../../../test/harness/test-app.ts'
import { createUser, mainSiteId, signIn, signInAdmin, type Session } from '../../../test/harness/identity.ts'
import { createSite } from '../../../test/harness/factories.ts'

let app: TestApp
let admin: Session
let siteA: string
let siteB: string

async function insertEntry(values: {
  action: string
  siteId?: string | null
  summary?: object
  actorLabel?: string
}) {
  await app.db.engine.query(
    `INSERT INTO audit_log (id, actor_type, actor_label, action, site_id, summary)
     VALUES ($1, 'system', $2, $3, $4, $5)`,
    [
      newId(),
      values.actorLabel ?? null,
      values.action,
      values.siteId ?? null,
      JSON.stringify(values.summary ?? {}),
    ],
  )
}

beforeAll(async () => {
  app = await createTestApp()
  admin = await signInAdmin(app)
  siteA = await mainSiteId(app)
  siteB = await createSite(app, { slug: 'other', name: 'Other' })
  for (let i = 0; i < 5; i++) await insertEntry({ action: 'test.entry.page', siteId: siteA })
  await insertEntry({ action: 'test.entry.other_site', siteId: siteB })
  await insertEntry({
    action: 'test.entry.formula',
    summary: { title: '=HYPERLINK("http://evil.example","x")' },
  })
})
afterAll(() => app?.close())

describe('audit log API', () => {
  it('lists the trail newest first, filtered by action, with cursor pagination in one query per page', async () => {
    const first = await admin.request({ method: 'GET', url: '/api/v1/audit?action=test.entry.page&limit=2' })
    expect(first.statusCode).toBe(200)
    const page1 = first.json() as { items: { id: string; action: string }[]; nextCursor: string }
    expect(page1.items.map((e) => e.action)).toEqual(['test.entry.page', 'test.entry.page'])
    // One for the gate (session, user, role), one for the page.
    expect(queryCount(first)).toBe(2)
    const ids = [...page1.items.map((e) => e.id)]
    let cursor: string | null = page1.nextCursor
    while (cursor) {
      const next = (
        await admin.request({
          method: 'GET',
          url: `/api/v1/audit?action=test.entry.page&limit=2&cursor=${cursor}`,
        })
      ).json() as { items: { id: string }[]; nextCursor: string | null }
      ids.push(...next.items.map((e) => e.id))
      cursor = next.nextCursor
    }
    expect(ids).toHaveLength(5)
    expect([...ids].sort().reverse()).toEqual(ids)
  })

  it('filters by actor, site and time, and records real changes with actor and address', async () => {
    const user = await createUser(app)
    await signIn(app, user)
    const byActor = (await admin.request({ method: 'GET', url: `/api/v1/audit?actor=${user.id}` })).json()
    expect(byActor.items[0]).toMatchObject({
      action: 'auth.login',
      actor: { type: 'user', id: user.id, label: user.email },
      target: { type: 'user', id: user.id },
      ip: '127.0.0.1',
    })
    const bySite = (await admin.request({ method: 'GET', url: `/api/v1/audit?site=${siteB}` })).json()
    expect(bySite.items.map((e: { action: string }) => e.action)).toEqual(['test.entry.other_site'])
    const future = new Date(Date.now() + 3_600_000).toISOString()
    const none = (
      await admin.request({ method: 'GET', url: `/api/v1/audit?since=${encodeURIComponent(future)}` })
    ).json()
    expect(none.items).toEqual([])
  })

  it('refuses unbounded or malformed queries with a coded 400', async () => {
    for (const query of [
      'limit=100000',
      'limit=-1',
      'actor=not-a-uuid',
      "action=x'%20OR%201=1",
      'sort=password',
    ]) {
      const res = await admin.request({ method: 'GET', url: `/api/v1/audit?${query}` })
      expect(res.statusCode, query).toBe(400)
      expect(errorOf(res).code).toBe('COLOPHON_HTTP_VALIDATION_FAILED')
    }
  })

  it('exports as NDJSON and as CSV with formulas neutralised', async () => {
    const ndjson = await admin.request({ method: 'GET', url: '/api/v1/audit/export?action=test.entry.page' })
    expect(ndjson.headers['content-type']).toContain('application/x-ndjson')
    expect(ndjson.body.trim().split('\n')).toHaveLength(5)
    const csv = await admin.request({
      method: 'GET',
      url: '/api/v1/audit/export?format=csv&action=test.entry.formula',
    })
    expect(csv.headers['content-type']).toContain('text/csv')
    expect(csv.headers['content-disposition']).toContain('attachment')
    const [header, row] = csv.body.trim().split('\r\n')
    expect(header?.split(',')).toContain('summary')
    // The summary cell is JSON starting with `{`; an action or label starting with `=` would be quoted.
    expect(row).not.toMatch(/,=/)
    // Written as such: audit rows are append-only, for the owner role as much as for the application.
    await insertEntry({ action: 'test.entry.formula2', actorLabel: '=cmd()' })
    const risky = await admin.request({
      method: 'GET',
      url: '/api/v1/audit/export?format=csv&action=test.entry.formula2',
    })
    expect(risky.body).toContain(",'=cmd()")
  })

  it('shows a site administrator their own site only, and nothing of the network trail', async () => {
    const siteAdmin = await signIn(app, await createUser(app, { siteRole: 'administrator' }))
    const own = await siteAdmin.request({ method: 'GET', url: `/api/v1/sites/${siteA}/audit?limit=100` })
    expect(own.statusCode).toBe(200)
    const actions = (own.json().items as { action: string; siteId: string }[]).map((e) => e.siteId)
    expect(new Set(actions)).toEqual(new Set([siteA]))
    // Filtering on another site from a site route changes nothing: the route's site wins.
    const sneaky = await siteAdmin.request({
      method: 'GET',
      url: `/api/v1/sites/${siteA}/audit?site=${siteB}`,
    })
    expect((sneaky.json().items as { siteId: string }[]).every((e) => e.siteId === siteA)).toBe(true)
    const other = await siteAdmin.request({ method: 'GET', url: `/api/v1/sites/${siteB}/audit` })
    expect(other.statusCode).toBe(403)
    expect(errorOf(other).code).toBe('COLOPHON_AUTH_FORBIDDEN')
    const network = await siteAdmin.request({ method: 'GET', url: '/api/v1/audit' })
    expect(network.statusCode).toBe(403)
  })

  it('is append-only for the application role', async () => {
    const attempt = app.db.engine.query(
      'DO $$ BEGIN SET LOCAL ROLE colophon_app; DELETE FROM audit_log; END $$',
    )
    await expect(attempt).rejects.toThrow(/permission denied/)
  })
})
