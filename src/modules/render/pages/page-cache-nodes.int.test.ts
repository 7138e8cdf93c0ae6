import { afterAll, afterEach, describe, expect, inject, it } from 'vitest'
import { mainSiteId, signInAdmin, type Session } from '../../../../test/harness/identity.ts'
import { TEST_REDIS_URL, dropKeys, redisForTests, testKeyPrefix } from '../../../../test/harness/redis.ts'
import { createTestApp, queryCount, type TestApp } from '../../../../test/harness/test-app.ts'
import { waitFor } from '../../../../test/harness/wait.ts'
import {
  cachedPageOf,
  entryTag,
  pageTags,
  siteTag,
  type SharedPageStore,
} from '../../../platform/http/index.ts'
import { createRedisPageStore, openRedis, type RedisLink } from '../../../platform/redis/index.ts'

/**
 * The page cache across nodes (ADR 0019): two app instances on one database. Without Redis they hear each
 * other's changes through PostgreSQL LISTEN/NOTIFY (PGlite is a single process: nothing to share); with
 * Redis through its pub/sub, and they share the pages themselves.
 */

const redis = await redisForTests()
const onPostgres = inject('harness').engine === 'postgres'
const prefix = testKeyPrefix()
const CACHING = { pageCacheSeconds: 300, readCacheSeconds: 300 }
const opened: TestApp[] = []
const links: RedisLink[] = []

afterEach(async () => {
  // The second node first: the first one owns the database.
  for (const app of opened.splice(0).reverse()) await app.close()
})
afterAll(async () => {
  for (const link of links) await link.close()
  if (!redis.skip) await dropKeys(prefix)
})

async function twoNodes(config: Record<string, unknown> = {}) {
  const a = await createTestApp({ config: { ...CACHING, ...config } })
  opened.push(a)
  const b = await createTestApp({ db: a.db, config: { ...CACHING, ...config } })
  opened.push(b)
  await b.server.ready()
  await waitFor(() => a.bus.isCurrent() && b.bus.isCurrent(), { what: 'both nodes to hear the broadcast' })
  const site = await mainSiteId(a)
  const admin = await signInAdmin(a)
  return { a, b, site, admin }
}

const get = (app: TestApp, url: string) => app.server.inject({ method: 'GET', url })
const cacheOf = (r: { headers: Record<string, unknown> }) => r.headers['x-colophon-cache']

async function publish(admin: Session, site: string, title: string): Promise<string> {
  const created = await admin.request({
    method: 'POST',
    url: `/api/v1/sites/${site}/entries`,
    payload: { type: 'post', title },
  })
  expect(created.statusCode, created.body).toBe(201)
  const id = created.json().id as string
  const published = await admin.request({
    method: 'POST',
    url: `/api/v1/sites/${site}/entries/${id}/status`,
    payload: { status: 'published' },
  })
  expect(published.statusCode, published.body).toBe(200)
  return id
}

/** Node `b` holds `url`; a write on node `a` makes it show `title` (never the held copy again). */
async function changeReachesOtherNode(
  nodes: Awaited<ReturnType<typeof twoNodes>>,
  url: string,
  title: string,
): Promise<void> {
  const { a, b, site, admin } = nodes
  await get(b, url)
  expect(cacheOf(await get(b, url))).toBe('hit')
  await publish(admin, site, title)
  // The write's broadcasts may arrive after its commit: B may render the new page more than once
  // before it holds it, but never serves the old one again once it showed the new.
  let shown = false
  await waitFor(
    async () => {
      const response = await get(b, url)
      const fresh = response.body.includes(title)
      if (shown) expect(fresh).toBe(true)
      shown ||= fresh
      return fresh && cacheOf(response) === 'hit'
    },
    { what: `node B to hold "${title}" at ${url}`, timeoutMs: 5000 },
  )
  expect((await get(a, url)).body).toContain(title)
}

describe.skipIf(!onPostgres)('two nodes on one PostgreSQL database, without Redis', () => {
  it('carry every change to the other node’s pages and reading API replies by LISTEN/NOTIFY', async () => {
    const nodes = await twoNodes()
    expect(nodes.b.bus.shared).toBe(true)
    await publish(nodes.admin, nodes.site, 'Seen by both nodes')
    await changeReachesOtherNode(nodes, '/', 'Reached node B')
    await changeReachesOtherNode(nodes, '/feed', 'Reached the feed on node B')
    await changeReachesOtherNode(nodes, `/api/v1/sites/${nodes.site}/entries`, 'Reached the API on node B')
  }, 30_000)

  it('forgets everything when its listening connection is lost, and hears changes again once back', async () => {
    const nodes = await twoNodes()
    const { a, b } = nodes
    let missed = 0
    b.bus.onMissed(() => (missed += 1))
    await get(b, '/')
    expect(cacheOf(await get(b, '/'))).toBe('hit')
    const dropped = await a.db.engine.query<{ ok: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'colophon-bus'`,
    )
    expect(dropped.length).toBe(2)
    await waitFor(() => missed > 0, { what: 'node B to reconnect and forget', timeoutMs: 5000 })
    expect(cacheOf(await get(b, '/'))).toBe('miss')
    await waitFor(() => a.bus.isCurrent() && b.bus.isCurrent(), { what: 'both nodes current again' })
    await changeReachesOtherNode(nodes, '/', 'Heard after the reconnect')
  }, 30_000)
})

describe.skipIf(redis.skip)(`two nodes sharing Redis ${redis.reason}`, () => {
  it('share the pages: one node’s render is the other’s hit, and changes reach both', async () => {
    const nodes = await twoNodes({ redisUrl: TEST_REDIS_URL, redisKeyPrefix: prefix })
    const { a, b } = nodes
    await publish(nodes.admin, nodes.site, 'Rendered once for the network')
    await get(b, '/feed/json') // node B's first request learns the setup state and the main site
    const rendered = await get(a, '/')
    expect(cacheOf(rendered)).toBe('miss')
    const fromRedis = await get(b, '/')
    expect(cacheOf(fromRedis)).toBe('hit')
    expect(fromRedis.body).toBe(rendered.body)
    expect(fromRedis.headers.etag).toBe(rendered.headers.etag)
    expect(queryCount(fromRedis)).toBe(0)
    await changeReachesOtherNode(nodes, '/', 'Reached node B through Redis')
    await changeReachesOtherNode(nodes, `/api/v1/sites/${nodes.site}/entries`, 'Reached the API via Redis')
  }, 30_000)
})

describe.skipIf(redis.skip)(`the Redis page store ${redis.reason}`, () => {
  const SITE = '0190a0a0-0000-7000-8000-0000000000aa'
  const log = { info() {}, warn() {} }
  const page = (body: string, tags: string[]) =>
    cachedPageOf({ status: 200, contentType: 'text/html', body, tags: pageTags(SITE, tags) })
  let store: SharedPageStore

  async function keep(key: string, body: string, tags: string[]): Promise<void> {
    const { token } = await store.read(SITE, key)
    await store.write(SITE, key, page(body, tags), token)
  }
  const bodyOf = async (key: string) => (await store.read(SITE, key)).page?.body

  it('keeps a page until one of its own tags, its site or the network changes', async () => {
    const link = await openRedis({ url: TEST_REDIS_URL, keyPrefix: prefix, log })
    links.push(link)
    store = createRedisPageStore({ redis: link, log, ttlMs: 60_000 })
    await keep('/a', 'A', [entryTag('e1')])
    await keep('/b', 'B', [entryTag('e2')])
    expect(await bodyOf('/a')).toBe('A')
    await store.invalidate({ siteId: SITE, tags: [entryTag('e2')] })
    expect(await bodyOf('/a')).toBe('A')
    expect(await bodyOf('/b')).toBeUndefined()
    await store.invalidate({ siteId: SITE, tags: [siteTag(SITE)] })
    expect(await bodyOf('/a')).toBeUndefined()
    await keep('/a', 'A2', [entryTag('e1')])
    expect(await bodyOf('/a')).toBe('A2')
    await store.invalidate({ tags: [] })
    expect(await bodyOf('/a')).toBeUndefined()
  })

  it('refuses a page rendered across a change on its site', async () => {
    const { token } = await store.read(SITE, '/late')
    await store.invalidate({ siteId: SITE, tags: [entryTag('e9')] })
    await store.write(SITE, '/late', page('late', [entryTag('e1')]), token)
    expect(await bodyOf('/late')).toBeUndefined()
  })
})
