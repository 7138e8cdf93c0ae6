import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSite } from '../harness/factories.ts'
import { createUser, mainSiteId, signIn, signInAdmin, type Session } from '../harness/identity.ts'
import {
  UNREACHABLE_REDIS_URL,
  TEST_REDIS_URL,
  dropKeys,
  redisForTests,
  testKeyPrefix,
} from '../harness/redis.ts'
import { createTestApp, errorOf, type TestApp } from '../harness/test-app.ts'
import { waitFor } from '../harness/wait.ts'

/**
 * Two apps on one database and one Redis stand for two nodes (in one process, through `inject`, on both
 * engines): limits and quotas count once for the network, and a write through one node clears the other
 * node's cached replies at once. A third app whose Redis cannot be reached still starts and still limits.
 * The same with real processes, a worker and a killed node: multi-node.int.test.ts (PostgreSQL).
 */

const redis = await redisForTests()
const prefix = testKeyPrefix()
const shared = {
  redisUrl: TEST_REDIS_URL,
  redisKeyPrefix: prefix,
  readCacheSeconds: 60,
  authAccountRateLimit: 3,
  authRateLimit: 5,
}

let nodeA: TestApp
let nodeB: TestApp
let admin: Session
let site: string

/** The same signed-in browser, talking to another node. */
function on(node: TestApp, session: Session) {
  return (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object): Promise<LightMyRequestResponse> =>
    node.server.inject({
      method,
      url,
      ...(payload ? { payload } : {}),
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    })
}

beforeAll(async () => {
  if (redis.skip) return
  nodeA = await createTestApp({ config: shared })
  nodeB = await createTestApp({ db: nodeA.db, config: shared })
  admin = await signInAdmin(nodeA)
  site = await mainSiteId(nodeA)
})
afterAll(async () => {
  await nodeB?.close()
  await nodeA?.close()
  if (!redis.skip) await dropKeys(prefix)
})

describe.skipIf(redis.skip)(`two nodes sharing Redis ${redis.reason}`, () => {
  it('spends one API-call quota for a site, whichever node answers', async () => {
    await createSite(nodeA, { slug: 'quota-shared', apiCallsPerMinute: 4 })
    const nodes = [on(nodeA, admin), on(nodeB, admin)]
    const statuses: number[] = []
    for (let i = 0; i < 6; i += 1) {
      const res = await (nodes[i % 2] as (typeof nodes)[0])('GET', '/api/v1/sites/quota-shared/settings')
      statuses.push(res.statusCode)
      if (res.statusCode === 429) expect(errorOf(res).code).toBe('COLOPHON_SITES_QUOTA_API_CALLS')
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429])
  })

  it('counts sign-in attempts for an account on every node together', async () => {
    const attempt = (node: TestApp) =>
      node.server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'guessed@example.com', password: 'not the password at all' },
      })
    const statuses = [
      (await attempt(nodeA)).statusCode,
      (await attempt(nodeB)).statusCode,
      (await attempt(nodeA)).statusCode,
    ]
    expect(statuses).toEqual([401, 401, 401])
    const refused = await attempt(nodeB)
    expect(refused.statusCode).toBe(429)
    expect(errorOf(refused).code).toBe('COLOPHON_HTTP_RATE_LIMITED')
  })

  it('counts a route’s per-address limit on every node together', async () => {
    const attempt = (node: TestApp, n: number) =>
      node.server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: '192.0.2.50',
        payload: { email: `someone${n}@example.com`, password: 'not the password at all' },
      })
    const statuses: number[] = []
    for (let n = 0; n < 6; n += 1) statuses.push((await attempt(n % 2 ? nodeB : nodeA, n)).statusCode)
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429])
  })

  it('clears the other node’s cached replies when one node publishes, before the writer is answered', async () => {
    const list = `/api/v1/sites/${site}/entries`
    const read = () => nodeB.server.inject({ method: 'GET', url: list })
    await waitFor(async () => (await read()).headers['x-colophon-cache'] === 'hit', {
      what: 'node B to answer the list from its cache',
    })
    const write = on(nodeA, admin)
    const created = await write('POST', `/api/v1/sites/${site}/entries`, {
      type: 'post',
      title: 'Fresh news',
    })
    expect(created.statusCode).toBe(201)
    const id = created.json().id as string
    const published = await write('POST', `/api/v1/sites/${site}/entries/${id}/status`, {
      status: 'published',
    })
    expect(published.statusCode).toBe(200)
    const seen = await waitFor(
      async () => {
        const res = await read()
        return res.body.includes(id) ? res : undefined
      },
      { what: 'node B to list the new entry', timeoutMs: 1000, intervalMs: 20 },
    )
    expect(seen.headers['x-colophon-cache']).toBe('miss')
  })

  it('reports Redis in readiness', async () => {
    const res = await nodeB.server.inject({ method: 'GET', url: '/ready' })
    expect(res.statusCode).toBe(200)
    expect(res.json().checks.redis).toBe('ok')
  })
})

describe.skipIf(redis.skip)(`a node whose Redis is down ${redis.reason}`, () => {
  let alone: TestApp
  beforeAll(async () => {
    alone = await createTestApp({
      db: nodeA.db,
      config: { ...shared, redisUrl: UNREACHABLE_REDIS_URL, authAccountRateLimit: 2 },
    })
  })
  afterAll(() => alone?.close())

  it('starts, stays ready, and says Redis is unreachable', async () => {
    const res = await alone.server.inject({ method: 'GET', url: '/ready' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ status: 'ready', checks: { redis: 'unreachable' } })
  })

  it('still limits sign-in attempts, in its own memory', async () => {
    const attempt = () =>
      alone.server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'alone@example.com', password: 'not the password at all' },
      })
    expect([(await attempt()).statusCode, (await attempt()).statusCode]).toEqual([401, 401])
    expect((await attempt()).statusCode).toBe(429)
  })

  it('still answers writes and reads, caching a reply no longer than the broadcast’s lease', async () => {
    const user = await createUser(alone, { siteRole: 'editor' })
    const editor = await signIn(alone, user)
    const created = await editor.request({
      method: 'POST',
      url: `/api/v1/sites/${site}/entries`,
      payload: { type: 'post', title: 'Written while Redis is down' },
    })
    expect(created.statusCode).toBe(201)
    const list = `/api/v1/sites/${site}/entries?limit=3`
    const first = await alone.server.inject({ method: 'GET', url: list })
    expect(first.statusCode).toBe(200)
    expect(alone.bus.isCurrent()).toBe(false)
  })
})
