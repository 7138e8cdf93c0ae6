import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, type TestApp } from '../../../test/harness/test-app.ts'
import { signInAdmin } from '../../../test/harness/identity.ts'
import { addDomain, createSite, type SiteSeed } from '../../../test/harness/factories.ts'

let app: TestApp

/** Site names no refusal may ever show: a page for one host must not reveal the network's other sites. */
const SITE_NAMES = ['Alpha Garden', 'Bravo Kitchen', 'Charlie Archive', 'Delta Letters']

const insertSite = (slug: string, name: string, status: SiteSeed['status']) =>
  createSite(app, { slug, name, status })

const insertHost = (
  siteId: string,
  host: string,
  options: {
    kind?: 'subdomain' | 'custom'
    state?: 'pending' | 'verified' | 'failed'
    primary?: boolean
  } = {},
) => addDomain(app, { siteId, host, ...options })

function get(host: string | undefined, url: string, headers: Record<string, string> = {}) {
  return app.server.inject({
    method: 'GET',
    url,
    headers: host === undefined ? headers : { host, ...headers },
  })
}

function expectNoSiteNames(res: LightMyRequestResponse): void {
  for (const name of SITE_NAMES) expect(res.body).not.toContain(name)
  for (const slug of ['alpha', 'bravo', 'charlie', 'delta'])
    expect(res.body.toLowerCase()).not.toContain(slug)
}

beforeAll(async () => {
  app = await createTestApp()
  const alpha = await insertSite('alpha', 'Alpha Garden', 'active')
  const bravo = await insertSite('bravo', 'Bravo Kitchen', 'disabled')
  const charlie = await insertSite('charlie', 'Charlie Archive', 'deleted')
  const delta = await insertSite('delta', 'Delta Letters', 'archived')
  await insertHost(alpha, 'alpha.localhost', { primary: true })
  await insertHost(alpha, 'www.alpha-garden.test', { kind: 'custom' })
  await insertHost(alpha, 'pending.alpha-garden.test', { kind: 'custom', state: 'pending' })
  await insertHost(alpha, 'failed.alpha-garden.test', { kind: 'custom', state: 'failed' })
  await insertHost(bravo, 'bravo.localhost', { primary: true })
  await insertHost(charlie, 'charlie.localhost', { primary: true })
  await insertHost(delta, 'delta.localhost', { primary: true })
})
afterAll(() => app?.close())

describe('the root host', () => {
  it('serves the network API on the root domain, with or without a port', async () => {
    for (const host of ['localhost', 'localhost:3000', 'LocalHost:80', 'localhost.']) {
      const res = await get(host, '/api/v1/setup')
      expect(res.statusCode, host).toBe(200)
    }
  })

  it('treats IP-address hosts and a missing Host header as the root host', async () => {
    for (const host of ['127.0.0.1:3000', '127.0.0.1', '10.1.2.3:8080', '[::1]:3000', '[::1]']) {
      const res = await get(host, '/api/v1/setup')
      expect(res.statusCode, host).toBe(200)
    }
    const res = await app.server.inject({ method: 'GET', url: '/api/v1/setup', headers: { host: '' } })
    expect(res.statusCode).toBe(200)
  })

  it('keeps the admin pages on the root host', async () => {
    const res = await get('localhost', '/admin/account.js')
    expect(res.statusCode).toBe(200)
  })
})

describe('site hosts', () => {
  it('resolves <slug>.localhost to its site: the network API is refused there as the wrong host', async () => {
    const res = await get('alpha.localhost', '/api/v1/setup')
    expect(res.statusCode).toBe(404)
    expect(errorOf(res).code).toBe('COLOPHON_SITES_WRONG_HOST')
  })

  it('normalises case, port and a trailing dot', async () => {
    for (const host of ['ALPHA.LocalHost:8080', 'alpha.localhost.', 'Alpha.Localhost.:443']) {
      const res = await get(host, '/api/v1/setup')
      expect(res.statusCode, host).toBe(404)
      expect(errorOf(res).code, host).toBe('COLOPHON_SITES_WRONG_HOST')
    }
  })

  it('resolves a verified custom domain', async () => {
    const res = await get('www.alpha-garden.test', '/api/v1/auth/me')
    expect(res.statusCode).toBe(404)
    expect(errorOf(res).code).toBe('COLOPHON_SITES_WRONG_HOST')
  })

  it('does not serve a pending or failed custom domain: it is an unknown host', async () => {
    for (const host of ['pending.alpha-garden.test', 'failed.alpha-garden.test']) {
      const api = await get(host, '/api/v1/setup')
      expect(api.statusCode, host).toBe(404)
      expect(errorOf(api).code, host).toBe('COLOPHON_SITES_UNKNOWN_HOST')
      const page = await get(host, '/')
      expect(page.statusCode, host).toBe(404)
      expect(page.headers['content-type']).toMatch(/^text\/html/)
    }
  })

  it('refuses the admin on a site host with a plain page', async () => {
    const res = await get('alpha.localhost', '/admin/account.js')
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toMatch(/^text\/html/)
    expectNoSiteNames(res)
  })

  it('never authenticates on a site host: a session cookie gets the wrong-host refusal', async () => {
    const admin = await signInAdmin(app)
    const res = await get('alpha.localhost', '/api/v1/auth/me', { cookie: admin.cookie })
    expect(res.statusCode).toBe(404)
    expect(errorOf(res).code).toBe('COLOPHON_SITES_WRONG_HOST')
    expect(res.headers['set-cookie']).toBeUndefined()
  })

  it('answers a non-API path on an active site with that site’s own 404 page, naming no other site', async () => {
    const res = await get('alpha.localhost', '/some/page')
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.body).toContain('Alpha Garden')
    for (const name of SITE_NAMES.filter((n) => n !== 'Alpha Garden')) expect(res.body).not.toContain(name)
  })

  it('keeps an archived site readable', async () => {
    const res = await get('delta.localhost', '/')
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('Delta Letters')
    expect((await get('delta.localhost', '/some/page')).statusCode).toBe(404)
  })

  it('answers 503 with a plain page on a disabled site’s host', async () => {
    const res = await get('bravo.localhost', '/')
    expect(res.statusCode).toBe(503)
    expect(res.headers['content-type']).toMatch(/^text\/html/)
    expect(res.body).toContain('temporarily unavailable')
    expectNoSiteNames(res)
    const api = await get('bravo.localhost', '/api/v1/setup')
    expect(api.statusCode).toBe(404)
    expect(errorOf(api).code).toBe('COLOPHON_SITES_WRONG_HOST')
  })

  it('treats a deleted site’s host as unknown', async () => {
    const res = await get('charlie.localhost', '/api/v1/setup')
    expect(res.statusCode).toBe(404)
    expect(errorOf(res).code).toBe('COLOPHON_SITES_UNKNOWN_HOST')
  })
})

describe('unknown hosts', () => {
  it('get the network’s plain 404 page, naming no site', async () => {
    const res = await get('nowhere.example.test', '/')
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toMatch(/^text\/html/)
    expect(res.body).toContain('There is no site at this address.')
    expectNoSiteNames(res)
  })

  it('get a coded 404 on API paths', async () => {
    for (const host of ['nowhere.example.test', 'zulu.localhost', 'x.alpha.localhost']) {
      const res = await get(host, '/api/v1/sites')
      expect(res.statusCode, host).toBe(404)
      expect(errorOf(res).code, host).toBe('COLOPHON_SITES_UNKNOWN_HOST')
      expectNoSiteNames(res)
    }
  })

  it('still answer the health and readiness probes', async () => {
    for (const url of ['/health', '/ready']) {
      const res = await get('nowhere.example.test', url)
      expect(res.statusCode, url).toBe(200)
    }
    const site = await get('bravo.localhost', '/health')
    expect(site.statusCode).toBe(200)
  })
})
