import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, queryCount, type TestApp } from '../../../../test/harness/test-app.ts'
import { mainSiteId, signInAdmin, type Session } from '../../../../test/harness/identity.ts'
import { entityTag } from '../../../platform/http/index.ts'

/**
 * The reply cache of the reading API (COLOPHON_READ_CACHE_SECONDS): anonymous readers share replies for
 * a few seconds; signed-in callers and password holders never do; a write on the node clears the site's.
 */

let app: TestApp
let site: string
let admin: Session
let entryId: string

const read = (url: string, headers: Record<string, string> = {}) =>
  app.server.inject({ method: 'GET', url, headers })

beforeAll(async () => {
  app = await createTestApp({ config: { readCacheSeconds: 60 } })
  site = await mainSiteId(app)
  admin = await signInAdmin(app)
  const created = await admin.request({
    method: 'POST',
    url: `/api/v1/sites/${site}/entries`,
    payload: { type: 'post', title: 'First title' },
  })
  expect(created.statusCode).toBe(201)
  entryId = created.json().id as string
  const published = await admin.request({
    method: 'POST',
    url: `/api/v1/sites/${site}/entries/${entryId}/status`,
    payload: { status: 'published' },
  })
  expect(published.statusCode).toBe(200)
})
afterAll(() => app?.close())

describe('reading API reply cache', () => {
  it('answers a repeated anonymous read from the cache, without touching the database', async () => {
    const url = `/api/v1/sites/${site}/entries?include=author,terms`
    const first = await read(url)
    const second = await read(url)
    expect(first.headers['x-colophon-cache']).toBe('miss')
    expect(second.headers['x-colophon-cache']).toBe('hit')
    expect(second.body).toBe(first.body)
    expect(queryCount(second)).toBe(0)
    expect(second.json().items[0].title).toBe('First title')
  })

  it('tags a kept reply as the ETag hook would, and revalidates a hit with 304', async () => {
    const url = `/api/v1/sites/${site}/entries?include=terms`
    const first = await read(url)
    const second = await read(url)
    expect(second.headers['x-colophon-cache']).toBe('hit')
    expect(first.headers.etag).toBe(entityTag(first.body))
    expect(second.headers.etag).toBe(first.headers.etag)
    const revalidated = await read(url, { 'if-none-match': String(first.headers.etag) })
    expect(revalidated.statusCode).toBe(304)
    expect(revalidated.headers['x-colophon-cache']).toBe('hit')
    expect(revalidated.body).toBe('')
  })

  it('names one entry whatever the parameter order, and whether defaults are spelled out', async () => {
    const base = `/api/v1/sites/${site}/entries`
    expect((await read(`${base}?type=post&include=author`)).headers['x-colophon-cache']).toBe('miss')
    const reordered = await read(`${base}?include=author&limit=20&type=post&sort=-publishedAt`)
    expect(reordered.headers['x-colophon-cache']).toBe('hit')
    expect(queryCount(reordered)).toBe(0)
    expect((await read(`${base}?include=author&type=post&limit=21`)).headers['x-colophon-cache']).toBe('miss')
  })

  it('reads the database once for simultaneous misses on one key', async () => {
    const url = `/api/v1/sites/${site}/entries?include=terms&limit=7`
    const replies = await Promise.all(Array.from({ length: 6 }, () => read(url)))
    const outcomes = replies.map((r) => r.headers['x-colophon-cache']).sort()
    expect(outcomes.filter((o) => o === 'miss')).toHaveLength(1)
    expect(outcomes.filter((o) => o !== 'miss').every((o) => o === 'shared' || o === 'hit')).toBe(true)
    const statements = replies.map(queryCount)
    expect(statements.reduce((a, b) => a + b, 0)).toBe(Math.max(...statements))
    expect(new Set(replies.map((r) => r.body)).size).toBe(1)
  })

  it('reports its lookups and size in /metrics', async () => {
    const metrics = (await app.server.inject({ method: 'GET', url: '/metrics' })).body
    expect(metrics).toMatch(/^colophon_reply_cache_lookups_total\{outcome="hit"\} [1-9]/m)
    expect(metrics).toMatch(/^colophon_reply_cache_lookups_total\{outcome="shared"\} [1-9]/m)
    expect(metrics).toMatch(/^colophon_reply_cache_bytes [1-9]/m)
    expect(metrics).toMatch(/^colophon_reply_cache_evictions_total 0$/m)
  })

  it('never serves signed-in callers from it, nor stores what they get', async () => {
    const url = `/api/v1/sites/${site}/entries/${entryId}`
    await read(url)
    const mine = await admin.request({ method: 'GET', url })
    expect(mine.statusCode).toBe(200)
    expect(mine.headers['x-colophon-cache']).toBeUndefined()
    expect(mine.json().revisions).toBeDefined()
    expect((await read(url)).json().revisions).toBeUndefined()
  })

  it('is cleared for the site by a successful write on this node', async () => {
    const url = `/api/v1/sites/${site}/entries/${entryId}`
    await read(url)
    expect((await read(url)).headers['x-colophon-cache']).toBe('hit')
    const saved = await admin.request({
      method: 'PATCH',
      url: `/api/v1/sites/${site}/entries/${entryId}`,
      payload: { title: 'Second title' },
    })
    expect(saved.statusCode).toBe(200)
    // The save waits in a draft revision: readers still see the published title, read afresh.
    const afterSave = await read(url)
    expect(afterSave.headers['x-colophon-cache']).toBe('miss')
    expect(afterSave.json().title).toBe('First title')
    await admin.request({
      method: 'POST',
      url: `/api/v1/sites/${site}/entries/${entryId}/status`,
      payload: { status: 'published' },
    })
    expect((await read(url)).json().title).toBe('Second title')
  })

  it('does not keep refusals or replies to a password holder', async () => {
    const missing = `/api/v1/sites/${site}/entries/00000000-0000-7000-8000-000000000000`
    expect((await read(missing)).statusCode).toBe(404)
    expect((await read(missing)).headers['x-colophon-cache']).toBeUndefined()
    const withPassword = await read(`/api/v1/sites/${site}/entries/${entryId}`, { 'x-entry-password': 'x' })
    expect(withPassword.headers['x-colophon-cache']).toBeUndefined()
    expect(withPassword.headers['cache-control']).toBe('private, no-store')
  })
})
