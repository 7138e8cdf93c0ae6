import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asSystem } from '../../platform/access/index.ts'
import { createTestApp, errorOf, queryCount, type TestApp } from '../../../test/harness/test-app.ts'
import { createUser, mainSiteId, signIn, signInAdmin, type Session } from '../../../test/harness/identity.ts'
import { addDomain } from '../../../test/harness/factories.ts'
import { DEFAULT_SEO_SETTINGS, purgeDeletedSites } from './index.ts'

let app: TestApp
let admin: Session
let main: string

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  admin = await signInAdmin(app)
  main = await mainSiteId(app)
})
afterAll(() => app?.close())

let siteCounter = 0

/** Creates a site through the API as the network admin; returns its id and slug. */
async function newSite(name?: string): Promise<{ id: string; slug: string }> {
  siteCounter += 1
  const res = await admin.request({
    method: 'POST',
    url: '/api/v1/sites',
    payload: { name: name ?? `Test Site ${siteCounter} ${Date.now().toString(36)}` },
  })
  expect(res.statusCode, res.body).toBe(201)
  const body = res.json()
  return { id: body.id, slug: body.slug }
}

async function memberOf(site: string, siteRole: string): Promise<{ session: Session; id: string }> {
  const user = await createUser(app, { siteRole, site })
  return { session: await signIn(app, user), id: user.id }
}

function post(session: Session, url: string, payload?: unknown) {
  return session.request({ method: 'POST', url, ...(payload === undefined ? {} : { payload }) })
}

async function auditActions(siteId: string): Promise<string[]> {
  const rows = await app.db.engine.query<{ action: string }>(
    "SELECT action FROM audit_log WHERE target_type = 'site' AND target_id = $1 ORDER BY id",
    [siteId],
  )
  return rows.map((r) => r.action)
}

describe('creating a site', () => {
  it('creates a site with its subdomain, owned and administered by the creator, and audits it', async () => {
    const res = await admin.request({
      method: 'POST',
      url: '/api/v1/sites',
      payload: { name: 'Café Crème', locale: 'pt-br', timezone: 'Europe/Paris', tagline: 'Hot' },
    })
    expect(res.statusCode, res.body).toBe(201)
    const site = res.json()
    expect(site).toMatchObject({
      slug: 'cafe-creme',
      status: 'active',
      isMain: false,
      locale: 'pt-BR',
      timezone: 'Europe/Paris',
      tagline: 'Hot',
      primaryHost: 'cafe-creme.localhost',
      role: 'administrator',
      ownerId: admin.userId,
    })
    const domains = await app.db.engine.query<{ host: string; kind: string; is_primary: boolean }>(
      'SELECT host, kind, is_primary, verification_state FROM site_domains WHERE site_id = $1',
      [site.id],
    )
    expect(domains).toEqual([
      { host: 'cafe-creme.localhost', kind: 'subdomain', is_primary: true, verification_state: 'verified' },
    ])
    const [member] = await app.db.engine.query<{ slug: string }>(
      'SELECT r.slug FROM site_members m JOIN roles r ON r.id = m.role_id WHERE m.site_id = $1 AND m.user_id = $2',
      [site.id, admin.userId],
    )
    expect(member?.slug).toBe('administrator')
    expect(await auditActions(site.id)).toEqual(['sites.site.create'])
  })

  it('refuses a reserved slug, given or derived from the name', async () => {
    for (const payload of [{ name: 'Whatever', slug: 'admin' }, { name: 'WWW' }]) {
      const res = await admin.request({ method: 'POST', url: '/api/v1/sites', payload })
      expect(res.statusCode).toBe(400)
      expect(errorOf(res).code).toBe('COLOPHON_SITES_SLUG_RESERVED')
    }
  })

  it('refuses a malformed slug', async () => {
    for (const slug of ['-lead', 'trail-', 'Upper', 'a'.repeat(64), 'dot.ted']) {
      const res = await admin.request({ method: 'POST', url: '/api/v1/sites', payload: { name: 'X', slug } })
      expect(res.statusCode).toBe(400)
    }
  })

  it('refuses a duplicate slug with 409 and leaves nothing behind', async () => {
    const first = await newSite('Twin Peaks')
    const res = await admin.request({
      method: 'POST',
      url: '/api/v1/sites',
      payload: { name: 'Other', slug: first.slug },
    })
    expect(res.statusCode).toBe(409)
    expect(errorOf(res).code).toBe('COLOPHON_SITES_SLUG_TAKEN')
  })

  it('refuses a host another site already answers on', async () => {
    const holder = await newSite()
    await addDomain(app, { siteId: holder.id, host: 'claimed.localhost', kind: 'custom' })
    const res = await admin.request({ method: 'POST', url: '/api/v1/sites', payload: { name: 'Claimed' } })
    expect(res.statusCode).toBe(409)
    expect(errorOf(res).code).toBe('COLOPHON_SITES_HOST_TAKEN')
    const rows = await app.db.engine.query("SELECT id FROM sites WHERE slug = 'claimed'")
    expect(rows).toHaveLength(0)
  })

  it('refuses an unknown time zone and a malformed locale', async () => {
    const tz = await admin.request({
      method: 'POST',
      url: '/api/v1/sites',
      payload: { name: 'Somewhere', timezone: 'Mars/Olympus_Mons' },
    })
    expect(tz.statusCode).toBe(400)
    expect(errorOf(tz).code).toBe('COLOPHON_SITES_TIMEZONE_UNKNOWN')
    const locale = await admin.request({
      method: 'POST',
      url: '/api/v1/sites',
      payload: { name: 'Somewhere', locale: 'not a locale' },
    })
    expect(locale.statusCode).toBe(400)
  })

  it('is refused to a user without network.sites.create', async () => {
    const { session } = await memberOf(main, 'administrator')
    const res = await session.request({ method: 'POST', url: '/api/v1/sites', payload: { name: 'Mine' } })
    expect(res.statusCode).toBe(403)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_FORBIDDEN')
  })
})

describe('listing sites', () => {
  it('shows a member only their sites, with their role', async () => {
    const a = await newSite()
    await newSite()
    const { session } = await memberOf(a.id, 'editor')
    const res = await session.request({ method: 'GET', url: '/api/v1/sites' })
    expect(res.statusCode).toBe(200)
    expect(res.json().items).toEqual([
      expect.objectContaining({ id: a.id, role: 'editor', primaryHost: `${a.slug}.localhost` }),
    ])
    const all = await admin.request({ method: 'GET', url: '/api/v1/sites?limit=100' })
    expect(all.json().items).toContainEqual(
      expect.objectContaining({ id: a.id, role: 'administrator', primaryHost: `${a.slug}.localhost` }),
    )
  })

  it('shows a user who is a member of nothing no site', async () => {
    const user = await createUser(app)
    const session = await signIn(app, user)
    const res = await session.request({ method: 'GET', url: '/api/v1/sites' })
    expect(res.statusCode).toBe(200)
    expect(res.json().items).toEqual([])
    const deleted = await session.request({ method: 'GET', url: '/api/v1/sites?status=deleted' })
    expect(deleted.json().items).toEqual([])
  })

  it('shows the network admin every site, paged, in a bounded number of queries', async () => {
    for (let i = 0; i < 3; i += 1) await newSite()
    const total = await app.db.engine.query("SELECT id FROM sites WHERE status <> 'deleted'")
    const first = await admin.request({ method: 'GET', url: '/api/v1/sites?limit=2' })
    expect(first.statusCode).toBe(200)
    expect(first.json().items).toHaveLength(2)
    expect(first.json().nextCursor).toEqual(expect.any(String))
    const small = queryCount(first)
    const all = await admin.request({ method: 'GET', url: '/api/v1/sites?limit=100' })
    expect(all.json().items).toHaveLength(total.length)
    expect(all.json().items.map((s: { id: string }) => s.id)).toContain(main)
    expect(queryCount(all)).toBe(small)
    expect(queryCount(all)).toBeLessThanOrEqual(4)
    const second = await admin.request({
      method: 'GET',
      url: `/api/v1/sites?limit=2&cursor=${first.json().nextCursor}`,
    })
    expect(second.json().items[0].id < first.json().items[1].id).toBe(true)
  })

  it('filters by name and status, and shows deleted sites only on request', async () => {
    const gone = await newSite('Zebra Crossing')
    await admin.request({ method: 'DELETE', url: `/api/v1/sites/${gone.id}?confirm=${gone.slug}` })
    const byName = await admin.request({ method: 'GET', url: '/api/v1/sites?q=zebra' })
    expect(byName.json().items).toEqual([])
    const deleted = await admin.request({ method: 'GET', url: '/api/v1/sites?status=deleted&q=zebra' })
    expect(deleted.json().items).toEqual([expect.objectContaining({ id: gone.id, status: 'deleted' })])
    const odd = await admin.request({ method: 'GET', url: '/api/v1/sites?q=%25' })
    expect(odd.statusCode).toBe(200)
    expect(odd.json().items).toEqual([])
  })
})

describe('site settings', () => {
  it('lets a site administrator read and change their own site settings, audited', async () => {
    const site = await newSite()
    const { session } = await memberOf(site.id, 'administrator')
    const read = await session.request({ method: 'GET', url: `/api/v1/sites/${site.slug}/settings` })
    expect(read.statusCode).toBe(200)
    expect(read.json().settings).toEqual({
      authorsMayPublish: false,
      robotsTxt: '',
      seo: DEFAULT_SEO_SETTINGS,
      media: { allowedCategories: ['image', 'pdf', 'audio', 'video', 'document'], keepMetadata: false },
      frontPageEntryId: null,
    })
    const detail = await session.request({ method: 'GET', url: `/api/v1/sites/${site.id}` })
    expect(detail.statusCode).toBe(200)
    expect(queryCount(detail)).toBeLessThanOrEqual(4)
    const res = await session.request({
      method: 'PATCH',
      url: `/api/v1/sites/${site.id}/settings`,
      payload: { tagline: 'New words', timezone: 'America/New_York', settings: { authorsMayPublish: true } },
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({
      tagline: 'New words',
      timezone: 'America/New_York',
      settings: { authorsMayPublish: true },
    })
    expect(await auditActions(site.id)).toEqual(['sites.site.create', 'sites.site.update'])
  })

  it('refuses a site administrator on another site', async () => {
    const own = await newSite()
    const other = await newSite()
    const { session } = await memberOf(own.id, 'administrator')
    const read = await session.request({ method: 'GET', url: `/api/v1/sites/${other.id}/settings` })
    expect(read.statusCode).toBe(403)
    const res = await session.request({
      method: 'PATCH',
      url: `/api/v1/sites/${other.id}/settings`,
      payload: { tagline: 'Hijacked' },
    })
    expect(res.statusCode).toBe(403)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_FORBIDDEN')
  })

  it('refuses an editor changing settings, unknown settings keys and bad time zones', async () => {
    const site = await newSite()
    const { session } = await memberOf(site.id, 'editor')
    const res = await session.request({
      method: 'PATCH',
      url: `/api/v1/sites/${site.id}/settings`,
      payload: { tagline: 'Nope' },
    })
    expect(res.statusCode).toBe(403)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_FORBIDDEN')
    const unknown = await admin.request({
      method: 'PATCH',
      url: `/api/v1/sites/${site.id}/settings`,
      payload: { settings: { theme: 'dark' } },
    })
    expect(unknown.statusCode).toBe(400)
    const tz = await admin.request({
      method: 'PATCH',
      url: `/api/v1/sites/${site.id}/settings`,
      payload: { timezone: 'Nowhere/Land' },
    })
    expect(tz.statusCode).toBe(400)
    expect(errorOf(tz).code).toBe('COLOPHON_SITES_TIMEZONE_UNKNOWN')
  })
})

describe('lifecycle', () => {
  it('refuses to delete, disable or archive the main site', async () => {
    for (const step of ['disable', 'archive']) {
      const res = await post(admin, `/api/v1/sites/${main}/${step}`)
      expect(res.statusCode).toBe(409)
      expect(errorOf(res).code).toBe('COLOPHON_SITES_MAIN_SITE')
    }
    const slug = (await app.db.engine.query<{ slug: string }>('SELECT slug FROM sites WHERE is_main'))[0]
      ?.slug
    const res = await admin.request({ method: 'DELETE', url: `/api/v1/sites/${main}?confirm=${slug}` })
    expect(res.statusCode).toBe(409)
    expect(errorOf(res).code).toBe('COLOPHON_SITES_MAIN_SITE')
  })

  it('disables and enables a site, audited, and refuses a site administrator', async () => {
    const site = await newSite()
    const { session } = await memberOf(site.id, 'administrator')
    const refused = await post(session, `/api/v1/sites/${site.id}/disable`)
    expect(refused.statusCode).toBe(403)
    const off = await post(admin, `/api/v1/sites/${site.id}/disable`)
    expect(off.statusCode).toBe(200)
    expect(off.json().status).toBe('disabled')
    const unarchive = await post(admin, `/api/v1/sites/${site.id}/unarchive`)
    expect(unarchive.statusCode).toBe(409)
    expect(errorOf(unarchive).code).toBe('COLOPHON_SITES_STATUS_CONFLICT')
    const on = await post(admin, `/api/v1/sites/${site.id}/enable`)
    expect(on.json().status).toBe('active')
    expect(await auditActions(site.id)).toEqual([
      'sites.site.create',
      'sites.site.disable',
      'sites.site.enable',
    ])
  })

  it('deletes only with the exact slug typed as confirmation', async () => {
    const site = await newSite()
    const none = await admin.request({ method: 'DELETE', url: `/api/v1/sites/${site.id}` })
    expect(none.statusCode).toBe(400)
    expect(errorOf(none).code).toBe('COLOPHON_SITES_CONFIRMATION_REQUIRED')
    const wrong = await admin.request({
      method: 'DELETE',
      url: `/api/v1/sites/${site.id}`,
      payload: { confirm: `${site.slug}x` },
    })
    expect(wrong.statusCode).toBe(400)
    expect(errorOf(wrong).code).toBe('COLOPHON_SITES_CONFIRMATION_REQUIRED')
    const ok = await admin.request({
      method: 'DELETE',
      url: `/api/v1/sites/${site.id}`,
      payload: { confirm: site.slug },
    })
    expect(ok.statusCode, ok.body).toBe(200)
    expect(ok.json().status).toBe('deleted')
    const purgeAfter = new Date(ok.json().purgeAfter).getTime() - new Date(ok.json().deletedAt).getTime()
    expect(purgeAfter).toBe(30 * 24 * 3600 * 1000)
    expect(await auditActions(site.id)).toEqual(['sites.site.create', 'sites.site.delete'])
  })

  it('answers 404 on every route of a deleted site', async () => {
    const site = await newSite()
    const { session } = await memberOf(site.id, 'administrator')
    await admin.request({ method: 'DELETE', url: `/api/v1/sites/${site.slug}?confirm=${site.slug}` })
    for (const [who, method, url] of [
      [admin, 'GET', `/api/v1/sites/${site.id}`],
      [admin, 'GET', `/api/v1/sites/${site.slug}/settings`],
      [session, 'GET', `/api/v1/sites/${site.id}/members`],
      [admin, 'POST', `/api/v1/sites/${site.id}/enable`],
      [admin, 'DELETE', `/api/v1/sites/${site.id}?confirm=${site.slug}`],
    ] as const) {
      const res = await who.request({ method, url })
      expect(res.statusCode, url).toBe(404)
      expect(errorOf(res).code).toBe('COLOPHON_SITES_NOT_FOUND')
    }
  })

  it('transfers ownership to a member only; the previous owner stays a member', async () => {
    const site = await newSite()
    const outsider = await createUser(app)
    const refused = await post(admin, `/api/v1/sites/${site.id}/transfer`, { userId: outsider.id })
    expect(refused.statusCode).toBe(409)
    expect(errorOf(refused).code).toBe('COLOPHON_SITES_OWNER_NOT_MEMBER')
    const { id: memberId } = await memberOf(site.id, 'editor')
    const res = await post(admin, `/api/v1/sites/${site.id}/transfer`, { userId: memberId })
    expect(res.statusCode).toBe(200)
    expect(res.json().ownerId).toBe(memberId)
    const previous = await app.db.engine.query(
      'SELECT user_id FROM site_members WHERE site_id = $1 AND user_id = $2',
      [site.id, admin.userId],
    )
    expect(previous).toHaveLength(1)
    expect(await auditActions(site.id)).toEqual(['sites.site.create', 'sites.site.transfer'])
  })

  it('keeps an archived site read-only while lifecycle routes still work', async () => {
    const site = await newSite()
    const { id: editorId } = await memberOf(site.id, 'editor')
    const archived = await post(admin, `/api/v1/sites/${site.id}/archive`)
    expect(archived.statusCode).toBe(200)
    expect(archived.json().status).toBe('archived')
    const write = await admin.request({
      method: 'PUT',
      url: `/api/v1/sites/${site.id}/members/${editorId}`,
      payload: { role: 'author' },
    })
    expect(write.statusCode).toBe(409)
    expect(errorOf(write).code).toBe('COLOPHON_SITES_ARCHIVED')
    const patch = await admin.request({
      method: 'PATCH',
      url: `/api/v1/sites/${site.id}/settings`,
      payload: { tagline: 'x' },
    })
    expect(errorOf(patch).code).toBe('COLOPHON_SITES_ARCHIVED')
    const read = await admin.request({ method: 'GET', url: `/api/v1/sites/${site.id}/members` })
    expect(read.statusCode).toBe(200)
    const transfer = await post(admin, `/api/v1/sites/${site.id}/transfer`, { userId: editorId })
    expect(transfer.statusCode).toBe(200)
    const back = await post(admin, `/api/v1/sites/${site.id}/unarchive`)
    expect(back.statusCode).toBe(200)
    expect(back.json().status).toBe('active')
    const again = await admin.request({
      method: 'PUT',
      url: `/api/v1/sites/${site.id}/members/${editorId}`,
      payload: { role: 'author' },
    })
    expect(again.statusCode).toBe(200)
  })

  it('refuses an archived-site write to a non-member with 403, not the archive status', async () => {
    const site = await newSite()
    await post(admin, `/api/v1/sites/${site.id}/archive`)
    const { session } = await memberOf(main, 'administrator')
    const res = await session.request({
      method: 'PATCH',
      url: `/api/v1/sites/${site.id}/settings`,
      payload: { tagline: 'x' },
    })
    expect(res.statusCode).toBe(403)
  })
})

describe('purging deleted sites', () => {
  it('removes sites past their grace period with their members and hosts, and keeps the rest', async () => {
    const old = await newSite()
    const recent = await newSite()
    const alive = await newSite()
    await memberOf(old.id, 'editor')
    for (const s of [old, recent]) {
      await admin.request({ method: 'DELETE', url: `/api/v1/sites/${s.id}?confirm=${s.slug}` })
    }
    await app.db.engine.query("UPDATE sites SET purge_after = now() - interval '1 day' WHERE id = $1", [
      old.id,
    ])
    const ctx = asSystem({ orm: app.db.engine.orm, reason: 'test: purge deleted sites', log: console })
    const purged = await purgeDeletedSites(ctx, new Date())
    expect(purged).toEqual([{ id: old.id, slug: old.slug }])
    const left = await app.db.engine.query<{ id: string }>('SELECT id FROM sites WHERE id = ANY($1)', [
      [old.id, recent.id, alive.id],
    ])
    expect(left.map((r) => r.id).sort()).toEqual([recent.id, alive.id].sort())
    for (const table of ['site_members', 'site_domains']) {
      const rows = await app.db.engine.query(`SELECT 1 FROM ${table} WHERE site_id = $1`, [old.id])
      expect(rows, table).toHaveLength(0)
    }
    const audit = await app.db.engine.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE target_id = $1 AND action = 'sites.site.purge'",
      [old.id],
    )
    expect(audit).toHaveLength(1)
  })
})

describe('maintenance', () => {
  it('purges sites past their grace period when the app runs its housekeeping', async () => {
    const doomed = await newSite()
    await admin.request({ method: 'DELETE', url: `/api/v1/sites/${doomed.id}?confirm=${doomed.slug}` })
    await app.runMaintenance(new Date())
    expect(await app.db.engine.query('SELECT id FROM sites WHERE id = $1', [doomed.id])).toHaveLength(1)
    const analyses = async () => {
      const [row] = await app.db.engine.query<{ n: number }>(
        "SELECT analyze_count::int AS n FROM pg_stat_user_tables WHERE relname = 'entries'",
      )
      return row?.n ?? 0
    }
    const before = await analyses()
    await app.runMaintenance(new Date(Date.now() + 31 * 24 * 3600 * 1000))
    expect(await app.db.engine.query('SELECT id FROM sites WHERE id = $1', [doomed.id])).toHaveLength(0)
    // A purge removes a whole site's rows: the planner's statistics are refreshed at once.
    expect(await analyses()).toBeGreaterThan(before)
  })
})
