import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, queryCount, type TestApp } from '../../../test/harness/test-app.ts'
import { createUser, signIn, signInAdmin, type Session } from '../../../test/harness/identity.ts'
import { addMember, createSite, type SiteSeed } from '../../../test/harness/factories.ts'
import { asSystem } from '../../platform/access/index.ts'
import { createQuotasService } from './quotas.service.ts'

let app: TestApp
let admin: Session
let siteAdmin: Session
const sites: Record<string, string> = {}

async function insertSite(slug: string, quotas: Pick<SiteSeed, 'apiCallsPerMinute' | 'entriesQuota'> = {}) {
  const id = await createSite(app, { slug, ...quotas })
  sites[slug] = id
  return id
}

const joinAsAdministrator = (userId: string, siteId: string) =>
  addMember(app, { siteId, userId, role: 'administrator' })

const settingsOf = (site: string) =>
  siteAdmin.request({ method: 'GET', url: `/api/v1/sites/${site}/settings` })
const patchQuotas = (session: Session, site: string, payload: unknown) =>
  session.request({ method: 'PATCH', url: `/api/v1/sites/${site}/quotas`, payload })

beforeAll(async () => {
  app = await createTestApp({ config: { anonymousRequestsPerMinute: 5 } })
  admin = await signInAdmin(app)
  const alpha = await insertSite('alpha', { apiCallsPerMinute: 3 })
  const user = await createUser(app, { siteRole: 'administrator', site: alpha })
  for (const slug of ['bravo', 'charlie', 'delta']) await joinAsAdministrator(user.id, await insertSite(slug))
  await joinAsAdministrator(user.id, await insertSite('readers', { apiCallsPerMinute: 2 }))
  siteAdmin = await signIn(app, user)
})

afterAll(async () => {
  await app?.close()
})

describe('API-call quota', () => {
  it('answers 429 with the site’s limit once a site has used its calls for the minute', async () => {
    for (let i = 0; i < 3; i += 1) expect((await settingsOf('alpha')).statusCode).toBe(200)
    const refused = await settingsOf('alpha')
    expect(refused.statusCode).toBe(429)
    const error = errorOf(refused)
    expect(error.code).toBe('COLOPHON_SITES_QUOTA_API_CALLS')
    const details = error.details as { limit: number; retryAfterSeconds: number }
    expect(details.limit).toBe(3)
    expect(details.retryAfterSeconds).toBeGreaterThan(0)
    expect(Number(refused.headers['retry-after'])).toBe(details.retryAfterSeconds)
    // Addressing the site by id counts against the same quota.
    expect((await settingsOf(sites.alpha as string)).statusCode).toBe(429)
  })

  it('is not spent by anonymous readers, who are limited per client address instead', async () => {
    const read = (address: string) =>
      app.server.inject({ method: 'GET', url: '/api/v1/sites/readers/entries', remoteAddress: address })
    for (let i = 0; i < 5; i += 1) expect((await read('192.0.2.10')).statusCode).toBe(200)
    const refused = await read('192.0.2.10')
    expect(refused.statusCode).toBe(429)
    expect(errorOf(refused).code).toBe('COLOPHON_HTTP_RATE_LIMITED')
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    // Another reader, and the site's own members, carry on: five anonymous reads spent none of its 2 calls.
    expect((await read('192.0.2.11')).statusCode).toBe(200)
    expect((await settingsOf('readers')).statusCode).toBe(200)
    expect((await settingsOf('readers')).statusCode).toBe(200)
    expect(errorOf(await settingsOf('readers')).code).toBe('COLOPHON_SITES_QUOTA_API_CALLS')
  })

  it('leaves other sites answering while one site is over its quota', async () => {
    expect((await settingsOf('alpha')).statusCode).toBe(429)
    expect((await settingsOf('bravo')).statusCode).toBe(200)
  })

  it('applies a network admin’s override at once, and the override is audited', async () => {
    expect((await settingsOf('alpha')).statusCode).toBe(429)
    const res = await patchQuotas(admin, 'alpha', { apiCallsPerMinute: 50 })
    expect(res.statusCode).toBe(200)
    expect(res.json().apiCallsPerMinute).toEqual({ limit: 50, isDefault: false })
    expect((await settingsOf('alpha')).statusCode).toBe(200)
    const rows = await app.db.engine.query<{ summary: { after: { apiCallsPerMinute: number } } }>(
      "SELECT summary FROM audit_log WHERE action = 'sites.site.quotas' AND target_id = $1",
      [sites.alpha],
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]?.summary.after.apiCallsPerMinute).toBe(50)
  })

  it('lets a network admin manage a site that is over its quota', async () => {
    await patchQuotas(admin, 'delta', { apiCallsPerMinute: 1 })
    expect((await settingsOf('delta')).statusCode).toBe(200)
    expect((await settingsOf('delta')).statusCode).toBe(429)
    const res = await patchQuotas(admin, 'delta', { apiCallsPerMinute: 100 })
    expect(res.statusCode).toBe(200)
    expect((await settingsOf('delta')).statusCode).toBe(200)
  })
})

describe('quota settings', () => {
  it('shows the effective limits and which are the network defaults', async () => {
    const res = await siteAdmin.request({ method: 'GET', url: '/api/v1/sites/bravo/quotas' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      apiCallsPerMinute: { limit: 1200, isDefault: true },
      entriesQuota: { limit: 0, isDefault: true },
      mediaBytesQuota: { limit: 0, isDefault: true },
    })
  })

  it('reads the quota with the site in the gate: no query of its own', async () => {
    const settings = await settingsOf('bravo')
    const quotas = await siteAdmin.request({ method: 'GET', url: '/api/v1/sites/bravo/quotas' })
    expect(quotas.statusCode).toBe(200)
    // The session, the site with the caller's role (and its quota), then the handler's one read.
    expect(queryCount(quotas)).toBe(3)
    expect(queryCount(settings)).toBe(3)
  })

  it('lets a network admin change the quotas of an archived site', async () => {
    const id = await insertSite('hotel')
    await app.db.engine.query("UPDATE sites SET status = 'archived' WHERE id = $1", [id])
    const res = await patchQuotas(admin, 'hotel', { entriesQuota: 10 })
    expect(res.statusCode).toBe(200)
    expect(res.json().entriesQuota).toEqual({ limit: 10, isDefault: false })
  })

  it('refuses a site administrator who tries to change the quotas', async () => {
    const res = await patchQuotas(siteAdmin, 'charlie', { apiCallsPerMinute: 100_000 })
    expect(res.statusCode).toBe(403)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_FORBIDDEN')
    const quotas = await siteAdmin.request({ method: 'GET', url: '/api/v1/sites/charlie/quotas' })
    expect(quotas.json().apiCallsPerMinute).toEqual({ limit: 1200, isDefault: true })
  })

  it('returns a limit to the network default when set to null, keeping the other', async () => {
    await patchQuotas(admin, 'charlie', { apiCallsPerMinute: 7, entriesQuota: 20 })
    const res = await patchQuotas(admin, 'charlie', { apiCallsPerMinute: null })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      apiCallsPerMinute: { limit: 1200, isDefault: true },
      entriesQuota: { limit: 20, isDefault: false },
      mediaBytesQuota: { limit: 0, isDefault: true },
    })
    const [row] = await app.db.engine.query<{ api_calls_per_minute: number | null }>(
      'SELECT api_calls_per_minute FROM sites WHERE id = $1',
      [sites.charlie],
    )
    expect(row?.api_calls_per_minute).toBeNull()
  })

  it('refuses out-of-range values and empty changes', async () => {
    for (const payload of [{ apiCallsPerMinute: 0 }, { entriesQuota: -1 }, {}, { apiCallsPerMinute: 1.5 }]) {
      const res = await patchQuotas(admin, 'bravo', payload)
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
    }
  })
})

describe('entries quota', () => {
  async function check(
    slug: string,
    count: number,
    defaults = { apiCallsPerMinute: 1200, entriesQuota: 0, mediaBytesQuota: 0 },
  ): Promise<unknown> {
    const service = createQuotasService({ defaults })
    const ctx = asSystem({
      orm: app.db.engine.orm,
      reason: 'test the entries quota',
      site: { id: sites[slug] as string, slug, name: slug },
      log: app.server.log,
    })
    try {
      await ctx.tx((tx) => service.assertEntryQuota(ctx, tx, async () => count))
      return null
    } catch (err) {
      return err
    }
  }

  it('refuses the entry that would go past the site’s own quota, with the limit', async () => {
    await insertSite('echo', { entriesQuota: 2 })
    expect(await check('echo', 1)).toBeNull()
    const err = (await check('echo', 2)) as { code: string; status: number; details: unknown }
    expect(err.code).toBe('COLOPHON_SITES_QUOTA_ENTRIES')
    expect(err.status).toBe(403)
    expect(err.details).toEqual({ limit: 2 })
  })

  it('uses the network default when the site has none, where 0 means no limit', async () => {
    await insertSite('foxtrot')
    expect(await check('foxtrot', 1_000_000)).toBeNull()
    const defaults = { apiCallsPerMinute: 1200, entriesQuota: 5, mediaBytesQuota: 0 }
    expect(await check('foxtrot', 4, defaults)).toBeNull()
    expect(((await check('foxtrot', 5, defaults)) as { code: string }).code).toBe(
      'COLOPHON_SITES_QUOTA_ENTRIES',
    )
  })

  it('is never passed by creations racing on several connections (nodes)', async () => {
    await insertSite('india', { entriesQuota: 2 })
    const create = (n: number) =>
      admin.request({
        method: 'POST',
        url: '/api/v1/sites/india/entries',
        payload: { type: 'post', title: `Race ${n}` },
      })
    const replies = await Promise.all([1, 2, 3, 4, 5].map(create))
    const statuses = replies.map((reply) => reply.statusCode).sort()
    expect(statuses).toEqual([201, 201, 403, 403, 403])
    const [row] = await app.db.engine.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM entries WHERE site_id = $1',
      [sites.india],
    )
    expect(row?.n).toBe(2)
  })

  it('lets a site quota of 0 lift the network default', async () => {
    await insertSite('golf', { entriesQuota: 0 })
    expect(
      await check('golf', 50, { apiCallsPerMinute: 1200, entriesQuota: 5, mediaBytesQuota: 0 }),
    ).toBeNull()
  })
})
