import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  addDomain,
  assignTerms,
  createEntry,
  createSite,
  createTerm,
} from '../../../../test/harness/factories.ts'
import { mainSiteId, signInAdmin, type Session } from '../../../../test/harness/identity.ts'
import { createTestApp, queryCount, type TestApp } from '../../../../test/harness/test-app.ts'
import { waitFor } from '../../../../test/harness/wait.ts'
import { entityTag } from '../../../platform/http/index.ts'

/**
 * The page cache for anonymous readers (ADR 0019) on one node: what is kept, with which headers, who
 * bypasses it, and that every kind of change that can alter a page drops it. Two nodes on one database
 * are in page-cache-nodes.int.test.ts.
 */

let app: TestApp
let site: string
let other: string
let admin: Session
const OTHER_HOST = 'other-cache.localhost'

type Headers = Record<string, string>
const get = (url: string, headers: Headers = {}) => app.server.inject({ method: 'GET', url, headers })
const cacheOf = (r: { headers: Record<string, unknown> }) => r.headers['x-colophon-cache']

async function api(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
  const response = await admin.request({ method, url: `/api/v1/sites/${site}${url}`, payload })
  expect(response.statusCode, response.body).toBeLessThan(300)
  return response.statusCode === 204 ? {} : (response.json() as Record<string, unknown>)
}

async function draft(title: string): Promise<string> {
  return (await api('POST', '/entries', { type: 'post', title })).id as string
}
const setStatus = (id: string, body: Record<string, unknown>) => api('POST', `/entries/${id}/status`, body)

/** Reads `url` until it is a hit: the cache holds it. */
async function cached(url: string, headers: Headers = {}): Promise<void> {
  await get(url, headers)
  expect(cacheOf(await get(url, headers))).toBe('hit')
}

/**
 * The contract every trigger must meet: `url` is held before `change`, and the next read after it is
 * rendered afresh (and, when given, shows `shows`).
 */
async function dropsPage(url: string, change: () => Promise<unknown>, shows?: string): Promise<string> {
  await cached(url)
  await change()
  const after = await get(url)
  expect(after.statusCode).toBe(200)
  expect(cacheOf(after)).toBe('miss')
  if (shows !== undefined) expect(after.body).toContain(shows)
  return after.body
}

beforeAll(async () => {
  app = await createTestApp({ config: { pageCacheSeconds: 300 } })
  site = await mainSiteId(app)
  admin = await signInAdmin(app)
  other = await createSite(app, { slug: 'other-cache', name: 'Other Cache Site' })
  await addDomain(app, { siteId: other, host: OTHER_HOST, kind: 'subdomain', primary: true })
  const first = await draft('First cached post')
  await setStatus(first, { status: 'published' })
})
afterAll(() => app?.close())

describe('what the page cache keeps', () => {
  it('answers a repeated anonymous page from memory, without a statement', async () => {
    const miss = await get('/')
    const hit = await get('/')
    expect(miss.statusCode).toBe(200)
    expect(cacheOf(miss)).toBe('miss')
    expect(cacheOf(hit)).toBe('hit')
    expect(hit.body).toBe(miss.body)
    expect(hit.body).toContain('First cached post')
    expect(queryCount(hit)).toBe(0)
  })

  it('sends CDN headers, the site tag and an entity tag, and answers 304 to a matching If-None-Match', async () => {
    const hit = await get('/')
    expect(hit.headers['cache-control']).toBe('public, max-age=0, s-maxage=60, stale-while-revalidate=30')
    // The site's tag first, then what the page shows (its entries, their authors, the menus …).
    const tags = String(hit.headers['cache-tag']).split(',')
    expect(tags[0]).toBe(`s:${site}`)
    expect(tags).toContain(`m:${site}`)
    expect(tags.every((t) => /^[setuml]:/.test(t))).toBe(true)
    expect(hit.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(hit.headers.etag).toBe(entityTag(hit.body))
    const revalidated = await get('/', { 'if-none-match': String(hit.headers.etag) })
    expect(revalidated.statusCode).toBe(304)
    expect(revalidated.body).toBe('')
    expect(cacheOf(revalidated)).toBe('hit')
    expect((await get('/', { 'if-none-match': '"other"' })).statusCode).toBe(200)
  })

  it('keeps feeds with their content type', async () => {
    const miss = await get('/feed/atom')
    const hit = await get('/feed/atom')
    expect(cacheOf(hit)).toBe('hit')
    expect(hit.headers['content-type']).toBe(miss.headers['content-type'])
    expect(hit.headers['content-type']).toContain('atom')
    expect(hit.body).toBe(miss.body)
  })

  it('keeps one entry per site: the same path on two hosts never shares a page', async () => {
    const mainHome = await get('/')
    const otherHome = await get('/', { host: OTHER_HOST })
    expect(cacheOf(otherHome)).toBe('miss')
    expect(otherHome.body).toContain('Other Cache Site')
    expect(otherHome.body).not.toContain('First cached post')
    expect(String(otherHome.headers['cache-tag']).split(',')[0]).toBe(`s:${other}`)
    expect(String(otherHome.headers['cache-tag'])).not.toContain(site)
    expect((await get('/', { host: OTHER_HOST })).body).toBe(otherHome.body)
    expect((await get('/')).body).toBe(mainHome.body)
  })

  it('is bypassed by a session or any Colophon cookie and by an Authorization header, never stored for them', async () => {
    await cached('/')
    const bypassing: Headers[] = [
      { cookie: admin.cookie },
      { cookie: 'theme=dark; colophon_entry_x=1' },
      { authorization: 'Bearer not-a-key' },
    ]
    for (const headers of bypassing) {
      const response = await get('/', headers)
      expect(cacheOf(response), JSON.stringify(headers)).toBeUndefined()
      expect(response.headers['cache-control']).toBe('private, no-store')
      expect(response.headers['cache-tag']).toBeUndefined()
    }
    // Someone else's cookies (analytics, a theme switch) do not make a page personal.
    expect(cacheOf(await get('/', { cookie: '_ga=GA1.1; theme=dark' }))).toBe('hit')
  })

  it('never keeps error pages or redirects, and tells others not to', async () => {
    for (let i = 0; i < 2; i += 1) {
      const missing = await get('/no-such-page')
      expect(missing.statusCode).toBe(404)
      expect(cacheOf(missing)).toBe('miss')
      expect(missing.headers['cache-control']).toBe('no-store')
      expect(missing.headers['cache-tag']).toBeUndefined()
    }
    const redirect = await get('/feed/')
    expect([301, 302]).toContain(redirect.statusCode)
    expect(redirect.headers['cache-control']).toBe('no-cache')
    expect(cacheOf(await get('/feed/'))).toBe('miss')
  })

  it('reports lookups and size in /metrics', async () => {
    const metrics = (await app.server.inject({ method: 'GET', url: '/metrics' })).body
    expect(metrics).toMatch(/^colophon_page_cache_lookups_total\{outcome="hit"\} [1-9]/m)
    expect(metrics).toMatch(/^colophon_page_cache_lookups_total\{outcome="miss"\} [1-9]/m)
    expect(metrics).toMatch(/^colophon_page_cache_bytes [1-9]/m)
  })
})

describe('what does not drop pages', () => {
  it('keeps the site’s pages when a reader opens a protected entry with its password', async () => {
    await createEntry(app, {
      siteId: site,
      status: 'published',
      slug: 'locked-in-cache',
      title: 'Locked in cache',
      visibility: 'password',
      password: 'letmein',
      publishedAt: '2026-03-09T12:00:00Z',
    })
    await get('/')
    expect(cacheOf(await get('/'))).toBe('hit')
    const opened = await app.server.inject({
      method: 'POST',
      url: '/2026/03/locked-in-cache',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'password=letmein',
    })
    expect(opened.statusCode).toBe(303)
    expect(cacheOf(await get('/'))).toBe('hit')
  })
})

describe('every change that can alter a page drops it', () => {
  it('entry publish', async () => {
    const id = await draft('Freshly published')
    await dropsPage('/', () => setStatus(id, { status: 'published' }), 'Freshly published')
  })

  it('update of a published entry', async () => {
    const id = await draft('Before the edit')
    await setStatus(id, { status: 'published' })
    await dropsPage(
      '/',
      async () => {
        await api('PATCH', `/entries/${id}`, { title: 'After the edit' })
        await setStatus(id, { status: 'published' })
      },
      'After the edit',
    )
    // The save alone (a draft revision) drops the page too: every successful write does.
    await dropsPage('/', () => api('PATCH', `/entries/${id}`, { title: 'Another draft title' }))
  })

  it('unpublish', async () => {
    const id = await draft('Soon withdrawn')
    await setStatus(id, { status: 'published' })
    const body = await dropsPage('/', () => setStatus(id, { status: 'unpublished' }))
    expect(body).not.toContain('Soon withdrawn')
  })

  it('delete (to the trash)', async () => {
    const id = await draft('Soon trashed')
    await setStatus(id, { status: 'published' })
    const body = await dropsPage('/feed', () => api('DELETE', `/entries/${id}`))
    expect(body).not.toContain('Soon trashed')
  })

  it('scheduled publish firing in the job worker', async () => {
    const id = await draft('Published by the clock')
    await setStatus(id, { status: 'scheduled', publishAt: new Date(Date.now() + 1500).toISOString() })
    await cached('/')
    await app.jobs.start({ work: true })
    // Nothing else writes meanwhile: only the job's change can drop the held page.
    await waitFor(async () => (await get('/')).body.includes('Published by the clock'), {
      what: 'the front page to show the scheduled entry',
      timeoutMs: 20_000,
    })
  })

  it('term rename and move', async () => {
    const id = await draft('Filed under a term')
    await setStatus(id, { status: 'published' })
    const parent = await createTerm(app, {
      siteId: site,
      taxonomy: 'category',
      slug: 'parent-cat',
      name: 'Parent',
    })
    const term = await createTerm(app, {
      siteId: site,
      taxonomy: 'category',
      slug: 'old-name',
      name: 'Old name',
    })
    await assignTerms(app, [{ entryId: id, termId: term }])
    await dropsPage('/feed', () => api('PATCH', `/terms/${term}`, { name: 'New name' }), 'New name')
    await dropsPage('/feed', () => api('PATCH', `/terms/${term}`, { parentId: parent }))
  })

  it('menu edit', async () => {
    const menu = await dropsPage('/', () => api('POST', '/menus', { name: 'Cached menu' }))
    expect(menu).toBeDefined()
    const created = (await admin.request({ method: 'GET', url: `/api/v1/sites/${site}/menus` })).json()
    const id = (created.items as { id: string; name: string }[]).find((m) => m.name === 'Cached menu')?.id
    await dropsPage('/', () => api('PATCH', `/menus/${id}`, { name: 'Renamed menu' }))
  })

  it('site settings', async () => {
    await dropsPage('/', () => api('PATCH', '/settings', { name: 'Renamed Main' }), 'Renamed Main')
  })

  it('theme and theme settings', async () => {
    await dropsPage('/', () => api('PUT', '/theme', { settings: { accent: '#aa3300' } }))
    await dropsPage('/', () => api('PUT', '/theme', { themeId: 'colophon' }))
  })

  it('network changes: an author’s name on every site, a site’s domains', async () => {
    const id = await draft('Written by the admin')
    await setStatus(id, { status: 'published' })
    await cached('/')
    await cached('/feed')
    const renamed = await app.server.inject({
      method: 'PATCH',
      url: `/api/v1/users/${admin.userId}`,
      payload: { name: 'Renamed Admin' },
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
    })
    expect(renamed.statusCode, renamed.body).toBe(200)
    const feed = await get('/feed')
    expect(cacheOf(feed)).toBe('miss')
    expect(feed.body).toContain('Renamed Admin')
    await cached('/', { host: OTHER_HOST })
    await cached('/feed')
    const added = await admin.request({
      method: 'POST',
      url: `/api/v1/sites/${other}/domains`,
      payload: { host: 'other-cache.example' },
    })
    expect(added.statusCode, added.body).toBeLessThan(300)
    expect(cacheOf(await get('/', { host: OTHER_HOST }))).toBe('miss')
    // A change on one site leaves the other site's pages held.
    expect(cacheOf(await get('/feed'))).toBe('hit')
  })
})
