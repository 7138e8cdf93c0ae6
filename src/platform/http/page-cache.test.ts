import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import {
  CACHE_TAG_HEADER_MAX_BYTES,
  cacheTagHeader,
  entryTag,
  pageTags,
  siteTag,
  termTag,
} from './cache-tags.ts'
import { entityTag } from './etag.ts'
import {
  createPageCache,
  pageChangeMessage,
  parsePageChange,
  type CachedPage,
  type PageCache,
  type PageToKeep,
  type SharedPageStore,
} from './page-cache.ts'

const SITE = '0190a0a0-0000-7000-8000-000000000001'
const OTHER = '0190a0a0-0000-7000-8000-000000000002'

function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((res) => (resolve = res))
  return { promise, resolve }
}

const html = (body: string, tags: string[] = [], site = SITE): PageToKeep => ({
  status: 200,
  contentType: 'text/html; charset=utf-8',
  body,
  tags: pageTags(site, tags),
})
const keepAll = (page: PageToKeep | null) => page ?? undefined

/** Stores a page through a miss; answers the outcome. */
const put = async (cache: PageCache, key: string, page: PageToKeep, site = SITE) =>
  (await cache.fetch(site, key, async () => page, keepAll)).outcome
/** The cached body, or undefined (a miss produces nothing to keep). */
const peek = async (cache: PageCache, key: string, site = SITE) =>
  (await cache.fetch(site, key, async () => null, keepAll)).page?.body

describe('cache tags', () => {
  it('puts the site tag first, once, and drops what is not a tag', () => {
    expect(pageTags(SITE, [entryTag('e1'), siteTag(SITE), 'not a tag', entryTag('e1')])).toEqual([
      `s:${SITE}`,
      'e:e1',
    ])
  })

  it('falls back to the site tag alone when the header would be too long', () => {
    const many = pageTags(
      SITE,
      Array.from({ length: 400 }, (_, i) =>
        entryTag(`0190a0a0-0000-7000-8000-${String(i).padStart(12, '0')}`),
      ),
    )
    expect(many.join(',').length).toBeGreaterThan(CACHE_TAG_HEADER_MAX_BYTES)
    expect(cacheTagHeader(many)).toBe(siteTag(SITE))
    expect(cacheTagHeader(pageTags(SITE, [termTag('t1')]))).toBe(`s:${SITE},t:t1`)
  })

  it('reads broadcast changes safely, old messages included', () => {
    const change = { siteId: SITE, tags: pageTags(SITE, [entryTag('e1')]) }
    expect(parsePageChange(pageChangeMessage(change))).toEqual(change)
    expect(parsePageChange(undefined)).toEqual({ tags: [] })
    expect(parsePageChange(SITE)).toEqual({ siteId: SITE, tags: [siteTag(SITE)] })
    expect(parsePageChange('{broken')).toEqual({ tags: [] })
    const huge = {
      siteId: SITE,
      tags: pageTags(
        SITE,
        Array.from({ length: 500 }, (_, i) =>
          entryTag(`0190a0a0-0000-7000-8000-${String(i).padStart(12, '0')}`),
        ),
      ),
    }
    expect(parsePageChange(pageChangeMessage(huge))).toEqual({ siteId: SITE, tags: [siteTag(SITE)] })
  })
})

describe('page cache', () => {
  it('keeps a page per site and key, with its entity tag, until it expires', async () => {
    let clock = 0
    const cache = createPageCache({ ttlMs: 1000, now: () => clock })
    expect(await put(cache, '/a', html('A'))).toBe('miss')
    expect(await put(cache, '/a', html('B', [], OTHER), OTHER)).toBe('miss')
    const hit = await cache.fetch(SITE, '/a', async () => null, keepAll)
    expect(hit).toMatchObject({ outcome: 'hit', page: { body: 'A', etag: entityTag('A') } })
    expect(await peek(cache, '/a', OTHER)).toBe('B')
    clock = 1000
    expect(await peek(cache, '/a')).toBeUndefined()
  })

  it('drops every page carrying an invalidated tag, and only those', async () => {
    const cache = createPageCache({ ttlMs: 60_000 })
    await put(cache, '/one', html('one', [entryTag('e1')]))
    await put(cache, '/two', html('two', [entryTag('e2'), termTag('t1')]))
    await put(cache, '/list', html('list', [entryTag('e1'), entryTag('e2')]))
    await put(cache, '/other', html('other', [entryTag('e1')], OTHER), OTHER)
    cache.forget([termTag('t1')])
    expect(await peek(cache, '/two')).toBeUndefined()
    expect(await peek(cache, '/one')).toBe('one')
    await cache.invalidate({ siteId: SITE, tags: [entryTag('e1')] })
    expect(await peek(cache, '/one')).toBeUndefined()
    expect(await peek(cache, '/list')).toBeUndefined()
    // Ids are unique across the network: the other site's page showing e1 goes too.
    expect(await peek(cache, '/other', OTHER)).toBeUndefined()
  })

  it('drops a whole site by its tag, and everything without a site', async () => {
    const cache = createPageCache({ ttlMs: 60_000 })
    await put(cache, '/a', html('a', [entryTag('e1')]))
    await put(cache, '/b', html('b', [], OTHER), OTHER)
    await cache.invalidate({ siteId: SITE, tags: [siteTag(SITE)] })
    expect(await peek(cache, '/a')).toBeUndefined()
    expect(await peek(cache, '/b', OTHER)).toBe('b')
    await cache.invalidate({ tags: [] })
    expect(await peek(cache, '/b', OTHER)).toBeUndefined()
    expect(cache.bytes).toBe(0)
  })

  it('does not keep a page whose production started before one of its tags was invalidated', async () => {
    const cache = createPageCache({ ttlMs: 60_000 })
    const held = deferred<PageToKeep>()
    const first = cache.fetch(SITE, '/a', () => held.promise, keepAll)
    cache.forget([entryTag('e1')])
    held.resolve(html('stale', [entryTag('e1')]))
    expect((await first).page?.body).toBe('stale')
    expect(await peek(cache, '/a')).toBeUndefined()
    // A change to something the page does not show does not stop it being kept.
    const again = deferred<PageToKeep>()
    const second = cache.fetch(SITE, '/a', () => again.promise, keepAll)
    cache.forget([entryTag('e2')])
    again.resolve(html('fresh', [entryTag('e1')]))
    await second
    expect(await peek(cache, '/a')).toBe('fresh')
  })

  it('renders once for simultaneous misses, and hands back what it may not keep', async () => {
    const cache = createPageCache({ ttlMs: 60_000 })
    let renders = 0
    const held = deferred<void>()
    const produce = async () => {
      renders += 1
      await held.promise
      return html('once')
    }
    const lookups = Array.from({ length: 5 }, () => cache.fetch(SITE, '/a', produce, keepAll))
    held.resolve()
    const outcomes = (await Promise.all(lookups)).map((l) => l.outcome).sort()
    expect(renders).toBe(1)
    expect(outcomes).toEqual(['miss', 'shared', 'shared', 'shared', 'shared'])
    const refused = await cache.fetch(
      SITE,
      '/redirect',
      async () => 'a redirect',
      () => undefined,
    )
    expect(refused).toEqual({ outcome: 'miss', result: 'a redirect' })
  })

  it('stays within its byte bound, least recently used first, and counts evictions', async () => {
    const registry = new Registry()
    const cache = createPageCache({ ttlMs: 60_000, maxBytes: 10, registry })
    await put(cache, '/a', html('aaaa'))
    await put(cache, '/b', html('bbbb'))
    await peek(cache, '/a')
    await put(cache, '/c', html('cccc'))
    expect(await peek(cache, '/b')).toBeUndefined()
    expect(await peek(cache, '/a')).toBe('aaaa')
    expect(cache.bytes).toBe(8)
    await put(cache, '/big', html('x'.repeat(11)))
    expect(await peek(cache, '/big')).toBeUndefined()
    const text = await registry.metrics()
    expect(text).toMatch(/^colophon_page_cache_evictions_total 1$/m)
    expect(text).toMatch(/^colophon_page_cache_lookups_total\{outcome="hit"\} [1-9]/m)
    expect(text).toMatch(/^colophon_page_cache_bytes 8$/m)
  })

  it('serves only pages younger than the lease while it may have missed an invalidation', async () => {
    let clock = 0
    let current = true
    const cache = createPageCache({
      ttlMs: 60_000,
      now: () => clock,
      lease: { isCurrent: () => current, ms: 1000 },
    })
    await put(cache, '/old', html('old'))
    clock = 5000
    current = false
    await put(cache, '/new', html('new'))
    clock = 5500
    expect(await peek(cache, '/old')).toBeUndefined()
    expect(await peek(cache, '/new')).toBe('new')
  })

  it('answers from the shared store, keeping what it reads, and writes what it renders with the token', async () => {
    const stored = new Map<string, CachedPage>()
    const writes: unknown[] = []
    const invalidations: unknown[] = []
    const shared: SharedPageStore = {
      read: async (site, key) => ({ page: stored.get(site + key), token: 'T' }),
      write: async (site, key, page, token) => {
        writes.push(token)
        stored.set(site + key, page)
      },
      invalidate: async (change) => void invalidations.push(change),
    }
    const nodeA = createPageCache({ ttlMs: 60_000, shared })
    const nodeB = createPageCache({ ttlMs: 60_000, shared })
    expect(await put(nodeA, '/a', html('A'))).toBe('miss')
    expect(writes).toEqual(['T'])
    let renders = 0
    const fromB = await nodeB.fetch(SITE, '/a', async () => ((renders += 1), html('B')), keepAll)
    expect(fromB).toMatchObject({ outcome: 'hit', page: { body: 'A' } })
    expect(renders).toBe(0)
    expect(await peek(nodeB, '/a')).toBe('A')
    await nodeB.invalidate({ siteId: SITE, tags: [siteTag(SITE)] })
    expect(invalidations).toEqual([{ siteId: SITE, tags: [siteTag(SITE)] }])
  })

  it('renders every time when turned off', async () => {
    const cache = createPageCache({ ttlMs: 0 })
    expect(cache.enabled).toBe(false)
    expect(await put(cache, '/a', html('A'))).toBe('miss')
    expect(await peek(cache, '/a')).toBeUndefined()
  })
})
