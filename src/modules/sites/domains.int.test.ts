import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, queryCount, type TestApp } from '../../../test/harness/test-app.ts'
import { createUser, signIn, signInAdmin, type Session } from '../../../test/harness/identity.ts'
import { addDomain as insertDomain, createSite } from '../../../test/harness/factories.ts'

/** There is no outbound network in tests: TXT lookups answer from this table. */
const txtRecords = new Map<string, string[][]>()
async function fakeResolveTxt(name: string): Promise<string[][]> {
  const records = txtRecords.get(name)
  if (records) return records
  throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' })
}

let app: TestApp
let admin: Session
let echoId: string
let foxtrotId: string

interface Domain {
  id: string
  host: string
  kind: string
  isPrimary: boolean
  verificationState: string
  verification: { record: string; value: string } | null
}

/** A site with what creating one gives it: its primary subdomain. */
async function insertSite(slug: string, name: string): Promise<string> {
  const id = await createSite(app, { slug, name })
  await insertDomain(app, { siteId: id, host: `${slug}.localhost`, primary: true })
  return id
}

function domainsUrl(site: string, rest = ''): string {
  return `/api/v1/sites/${site}/domains${rest}`
}

async function addDomain(body: Record<string, unknown>, site = 'echo'): Promise<Domain> {
  const res = await admin.request({ method: 'POST', url: domainsUrl(site), payload: body })
  if (res.statusCode !== 201) throw new Error(`adding ${JSON.stringify(body)} failed: ${res.body}`)
  return res.json() as Domain
}

/** What the host routing says about a host: the API on a known site host is the wrong host. */
async function routingOf(host: string): Promise<string> {
  const res = await app.server.inject({ method: 'GET', url: '/api/v1/setup', headers: { host } })
  return res.statusCode === 200 ? 'root' : errorOf(res).code
}

async function auditCount(action: string, targetId: string): Promise<number> {
  const rows = await app.db.engine.query('SELECT 1 FROM audit_log WHERE action = $1 AND target_id = $2', [
    action,
    targetId,
  ])
  return rows.length
}

beforeAll(async () => {
  app = await createTestApp({
    config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 },
    deps: { resolveTxt: fakeResolveTxt },
  })
  admin = await signInAdmin(app)
  echoId = await insertSite('echo', 'Echo Journal')
  foxtrotId = await insertSite('foxtrot', 'Foxtrot Notes')
})
afterAll(() => app?.close())

describe('listing host names', () => {
  it('shows the site’s own host names only, in a fixed number of queries', async () => {
    const res = await admin.request({ method: 'GET', url: domainsUrl('echo') })
    expect(res.statusCode).toBe(200)
    const hosts = (res.json().items as Domain[]).map((d) => d.host)
    expect(hosts).toContain('echo.localhost')
    expect(hosts).not.toContain('foxtrot.localhost')
    expect(queryCount(res)).toBeLessThanOrEqual(8)
    const byId = await admin.request({ method: 'GET', url: domainsUrl(echoId) })
    expect(byId.json().items).toEqual(res.json().items)
  })

  it('is open to a site administrator, not to an editor', async () => {
    const siteAdmin = await signIn(app, await createUser(app, { siteRole: 'administrator', site: echoId }))
    expect((await siteAdmin.request({ method: 'GET', url: domainsUrl('echo') })).statusCode).toBe(200)
    const editor = await signIn(app, await createUser(app, { siteRole: 'editor', site: echoId }))
    const res = await editor.request({ method: 'GET', url: domainsUrl('echo') })
    expect(res.statusCode).toBe(403)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_FORBIDDEN')
  })
})

describe('adding host names', () => {
  it('adds a custom domain as pending, normalised, with the record to publish; it does not serve yet', async () => {
    const domain = await addDomain({ host: 'Blog.Echo-Journal.TEST.:8443' })
    expect(domain).toMatchObject({
      host: 'blog.echo-journal.test',
      kind: 'custom',
      isPrimary: false,
      verificationState: 'pending',
    })
    expect(domain.verification?.record).toBe('_colophon.blog.echo-journal.test')
    expect(domain.verification?.value).toMatch(/^colophon-verify=\S{20,}$/)
    expect(await routingOf('blog.echo-journal.test')).toBe('COLOPHON_SITES_UNKNOWN_HOST')
    expect(await auditCount('sites.domain.add', domain.id)).toBe(1)
    const [row] = await app.db.engine.query<{ summary: Record<string, unknown> }>(
      "SELECT summary FROM audit_log WHERE action = 'sites.domain.add' AND target_id = $1",
      [domain.id],
    )
    expect(JSON.stringify(row?.summary)).not.toContain(domain.verification?.value.slice(16) ?? '-')
  })

  it('adds a subdomain that serves at once, invalidating the host cache', async () => {
    expect(await routingOf('echo-news.localhost')).toBe('COLOPHON_SITES_UNKNOWN_HOST')
    const domain = await addDomain({ host: 'echo-news.localhost', kind: 'subdomain' })
    expect(domain).toMatchObject({ verificationState: 'verified', isPrimary: false, verification: null })
    expect(await routingOf('echo-news.localhost')).toBe('COLOPHON_SITES_WRONG_HOST')
  })

  it('accepts an international name in its ASCII form', async () => {
    const domain = await addDomain({ host: 'café.example.test' })
    expect(domain.host).toBe('xn--caf-dma.example.test')
  })

  it('refuses a host name another site, or this one, already uses', async () => {
    for (const [site, host] of [
      ['echo', 'foxtrot.localhost'],
      ['echo', 'BLOG.echo-journal.test'],
    ] as const) {
      const kind = host.endsWith('.localhost') ? 'subdomain' : 'custom'
      const res = await admin.request({ method: 'POST', url: domainsUrl(site), payload: { host, kind } })
      expect(res.statusCode, host).toBe(409)
      expect(errorOf(res).code, host).toBe('COLOPHON_SITES_HOST_TAKEN')
      expect(res.body).not.toContain('Foxtrot Notes')
      expect(res.body).not.toContain('foxtrot')
    }
  })

  it('refuses the root domain, names under it that are not subdomains, and reserved labels', async () => {
    for (const payload of [
      { host: 'localhost' },
      { host: 'LOCALHOST:3000', kind: 'subdomain' },
      { host: 'deep.foxtrot.localhost' },
      { host: 'other.localhost' },
      { host: 'www.localhost', kind: 'subdomain' },
      { host: 'admin.localhost', kind: 'subdomain' },
    ]) {
      const res = await admin.request({ method: 'POST', url: domainsUrl('echo'), payload })
      expect(res.statusCode, payload.host).toBe(409)
      expect(errorOf(res).code, payload.host).toBe('COLOPHON_SITES_HOST_RESERVED')
    }
  })

  it('refuses malformed host names and subdomains outside the root domain', async () => {
    for (const payload of [
      { host: 'bad_host!.example' },
      { host: 'a..b.example' },
      { host: '-lead.example' },
      { host: '127.0.0.1' },
      { host: '[::1]' },
      { host: 'example.123' },
      { host: 'https://example.test/path' },
      { host: 'user@example.test' },
      { host: 'intranet' },
      { host: 'example.test:http' },
      { host: `${'a'.repeat(64)}.example` },
      { host: `${'abcdefghi.'.repeat(25)}example` },
      { host: 'blog.example.test', kind: 'subdomain' },
      { host: 'two.labels.localhost', kind: 'subdomain' },
    ]) {
      const res = await admin.request({ method: 'POST', url: domainsUrl('echo'), payload })
      expect(res.statusCode, payload.host).toBe(400)
      expect(errorOf(res).code, payload.host).toBe('COLOPHON_SITES_HOST_INVALID')
    }
    const extra = await admin.request({
      method: 'POST',
      url: domainsUrl('echo'),
      payload: { host: 'ok.example.test', site: foxtrotId },
    })
    expect(extra.statusCode).toBe(400)
    expect(errorOf(extra).code).toBe('COLOPHON_HTTP_VALIDATION_FAILED')
  })

  it('refuses a site administrator or an editor: domains are network business', async () => {
    for (const role of ['administrator', 'editor']) {
      const member = await signIn(app, await createUser(app, { siteRole: role, site: echoId }))
      const res = await member.request({
        method: 'POST',
        url: domainsUrl('echo'),
        payload: { host: `${role}.echo-journal.test` },
      })
      expect(res.statusCode, role).toBe(403)
      expect(errorOf(res).code, role).toBe('COLOPHON_AUTH_FORBIDDEN')
    }
  })
})

describe('verifying a custom domain', () => {
  it('refuses when the TXT record is missing or wrong, and marks the name failed', async () => {
    const domain = await addDomain({ host: 'wrong.echo-journal.test' })
    const verify = () => admin.request({ method: 'POST', url: domainsUrl('echo', `/${domain.id}/verify`) })
    const missing = await verify()
    expect(missing.statusCode).toBe(409)
    expect(errorOf(missing).code).toBe('COLOPHON_SITES_DOMAIN_UNVERIFIED')
    txtRecords.set('_colophon.wrong.echo-journal.test', [['colophon-verify=not-the-token'], ['v=spf1 -all']])
    const wrong = await verify()
    expect(wrong.statusCode).toBe(409)
    expect(errorOf(wrong).code).toBe('COLOPHON_SITES_DOMAIN_UNVERIFIED')
    const [row] = await app.db.engine.query<{ verification_state: string }>(
      'SELECT verification_state FROM site_domains WHERE id = $1',
      [domain.id],
    )
    expect(row?.verification_state).toBe('failed')
    expect(await routingOf('wrong.echo-journal.test')).toBe('COLOPHON_SITES_UNKNOWN_HOST')
    expect(await auditCount('sites.domain.verify', domain.id)).toBe(2)
  })

  it('verifies with the right record (even split in chunks) and the next request routes', async () => {
    const domain = await addDomain({ host: 'www.echo-journal.test' })
    expect(await routingOf('www.echo-journal.test')).toBe('COLOPHON_SITES_UNKNOWN_HOST')
    const value = domain.verification?.value ?? ''
    txtRecords.set('_colophon.www.echo-journal.test', [[value.slice(0, 10), value.slice(10)]])
    const res = await admin.request({ method: 'POST', url: domainsUrl('echo', `/${domain.id}/verify`) })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ verificationState: 'verified', verification: null })
    expect(await routingOf('WWW.echo-journal.test:443')).toBe('COLOPHON_SITES_WRONG_HOST')
    expect(await auditCount('sites.domain.verify', domain.id)).toBe(1)
  })

  it('does not find another site’s host name through this site', async () => {
    const other = await addDomain({ host: 'notes.foxtrot.test' }, 'foxtrot')
    const res = await admin.request({ method: 'POST', url: domainsUrl('echo', `/${other.id}/verify`) })
    expect(res.statusCode).toBe(404)
    expect(errorOf(res).code).toBe('COLOPHON_SITES_DOMAIN_NOT_FOUND')
  })
})

describe('primary host names and removal', () => {
  it('moves the primary flag to a verified name only, keeping one primary', async () => {
    const pending = await addDomain({ host: 'later.echo-journal.test' })
    const refused = await admin.request({ method: 'POST', url: domainsUrl('echo', `/${pending.id}/primary`) })
    expect(refused.statusCode).toBe(409)
    expect(errorOf(refused).code).toBe('COLOPHON_SITES_DOMAIN_UNVERIFIED')

    const sub = await addDomain({ host: 'echo-main.localhost', kind: 'subdomain' })
    const res = await admin.request({ method: 'POST', url: domainsUrl('echo', `/${sub.id}/primary`) })
    expect(res.statusCode).toBe(200)
    expect(res.json().isPrimary).toBe(true)
    const primaries = await app.db.engine.query<{ host: string }>(
      'SELECT host FROM site_domains WHERE site_id = $1 AND is_primary',
      [echoId],
    )
    expect(primaries).toEqual([{ host: 'echo-main.localhost' }])
    expect(await auditCount('sites.domain.primary', sub.id)).toBe(1)
  })

  it('removes a secondary name, which stops serving at once', async () => {
    const sub = await addDomain({ host: 'echo-old.localhost', kind: 'subdomain' })
    expect(await routingOf('echo-old.localhost')).toBe('COLOPHON_SITES_WRONG_HOST')
    const res = await admin.request({ method: 'DELETE', url: domainsUrl('echo', `/${sub.id}`) })
    expect(res.statusCode).toBe(204)
    expect(await routingOf('echo-old.localhost')).toBe('COLOPHON_SITES_UNKNOWN_HOST')
    expect(await auditCount('sites.domain.remove', sub.id)).toBe(1)
    const again = await admin.request({ method: 'DELETE', url: domainsUrl('echo', `/${sub.id}`) })
    expect(again.statusCode).toBe(404)
    expect(errorOf(again).code).toBe('COLOPHON_SITES_DOMAIN_NOT_FOUND')
  })

  it('keeps the primary name while the site has others, and lets it go last', async () => {
    const [primary] = await app.db.engine.query<{ id: string }>(
      'SELECT id FROM site_domains WHERE site_id = $1 AND is_primary',
      [foxtrotId],
    )
    const refused = await admin.request({ method: 'DELETE', url: domainsUrl('foxtrot', `/${primary?.id}`) })
    expect(refused.statusCode).toBe(409)
    expect(errorOf(refused).code).toBe('COLOPHON_SITES_PRIMARY_REQUIRED')
    const others = await app.db.engine.query<{ id: string }>(
      'SELECT id FROM site_domains WHERE site_id = $1 AND NOT is_primary',
      [foxtrotId],
    )
    for (const other of others) {
      const res = await admin.request({ method: 'DELETE', url: domainsUrl('foxtrot', `/${other.id}`) })
      expect(res.statusCode).toBe(204)
    }
    const last = await admin.request({ method: 'DELETE', url: domainsUrl('foxtrot', `/${primary?.id}`) })
    expect(last.statusCode).toBe(204)
    expect(await routingOf('foxtrot.localhost')).toBe('COLOPHON_SITES_UNKNOWN_HOST')
  })

  it('refuses an editor every change', async () => {
    const editor = await signIn(app, await createUser(app, { siteRole: 'editor', site: echoId }))
    const [row] = await app.db.engine.query<{ id: string }>(
      'SELECT id FROM site_domains WHERE site_id = $1',
      [echoId],
    )
    for (const [method, rest] of [
      ['POST', `/${row?.id}/verify`],
      ['POST', `/${row?.id}/primary`],
      ['DELETE', `/${row?.id}`],
    ] as const) {
      const res = await editor.request({ method, url: domainsUrl('echo', rest) })
      expect(res.statusCode, rest).toBe(403)
      expect(errorOf(res).code, rest).toBe('COLOPHON_AUTH_FORBIDDEN')
    }
  })
})
