import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { entityTag } from './etag.ts'
import { cacheKeyOf, createResponseCache, type ResponseCache } from './response-cache.ts'

/** A promise with its resolve handle, to hold a production open. */
function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (err: unknown) => void
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

/** Stores `body` under the key through a miss. */
const put = async (cache: ResponseCache, scope: string, key: string, body: string) =>
  (await cache.fetch(scope, key, async () => body)).outcome
/** The cached reply, or undefined: a miss produces nothing to keep. */
const peek = async (cache: ResponseCache, scope: string, key: string) =>
  (await cache.fetch(scope, key, async () => undefined)).body

describe('response cache', () => {
  it('returns a reply until it expires, per scope', async () => {
    let clock = 0
    const cache = createResponseCache({ ttlMs: 1000, now: () => clock })
    await put(cache, 'a', '/x', 'A')
    await put(cache, 'b', '/x', 'B')
    expect(await peek(cache, 'a', '/x')).toBe('A')
    expect(await peek(cache, 'b', '/x')).toBe('B')
    clock = 1000
    expect(await peek(cache, 'a', '/x')).toBeUndefined()
    expect(cache.bytes).toBe(1)
  })

  it('forgets a scope, or everything, on invalidation', async () => {
    const cache = createResponseCache({ ttlMs: 1000 })
    await put(cache, 'a', '/x', 'A')
    await put(cache, 'b', '/x', 'B')
    cache.invalidate('a')
    expect(await peek(cache, 'a', '/x')).toBeUndefined()
    expect(await peek(cache, 'b', '/x')).toBe('B')
    cache.invalidate()
    expect(await peek(cache, 'b', '/x')).toBeUndefined()
    expect(cache.bytes).toBe(0)
  })

  it('serves only replies younger than the lease while it may have missed an invalidation', async () => {
    let clock = 0
    let current = true
    const cache = createResponseCache({
      ttlMs: 60_000,
      now: () => clock,
      lease: { isCurrent: () => current, ms: 1000 },
    })
    await put(cache, 'a', '/old', 'old')
    clock = 5000
    expect(await peek(cache, 'a', '/old')).toBe('old') // heard everything: the TTL rules
    current = false
    await put(cache, 'a', '/new', 'new')
    clock = 5999
    expect(await peek(cache, 'a', '/old')).toBeUndefined()
    expect(await peek(cache, 'a', '/new')).toBe('new')
    clock = 6000
    expect(await peek(cache, 'a', '/new')).toBeUndefined()
  })

  it('dates a reply from the start of its production, not its end', async () => {
    let clock = 0
    const cache = createResponseCache({
      ttlMs: 60_000,
      now: () => clock,
      lease: { isCurrent: () => false, ms: 1000 },
    })
    const slow = deferred<string>()
    const fetching = cache.fetch('a', '/x', () => slow.promise)
    clock = 900
    slow.resolve('X')
    await fetching
    expect(await peek(cache, 'a', '/x')).toBe('X')
    clock = 1000
    expect(await peek(cache, 'a', '/x')).toBeUndefined()
  })

  it('keeps nothing when turned off', async () => {
    const off = createResponseCache({ ttlMs: 0 })
    await put(off, 'a', '/x', 'A')
    expect(await peek(off, 'a', '/x')).toBeUndefined()
  })

  it('stays within its byte bound across scopes, dropping the least recently used reply', async () => {
    const registry = new Registry()
    const cache = createResponseCache({ ttlMs: 1000, maxBytes: 10, registry })
    await put(cache, 'a', '/1', 'aaaa')
    await put(cache, 'b', '/2', 'bbbb')
    expect(await peek(cache, 'a', '/1')).toBe('aaaa') // now the most recently used
    await put(cache, 'a', '/3', 'cccc')
    expect([
      await peek(cache, 'a', '/1'),
      await peek(cache, 'b', '/2'),
      await peek(cache, 'a', '/3'),
    ]).toEqual(['aaaa', undefined, 'cccc'])
    expect(cache.bytes).toBe(8)
    const evictions = (await registry.getMetricsAsJSON()).find(
      (m) => m.name === 'colophon_reply_cache_evictions_total',
    )
    expect(evictions?.values[0]?.value).toBe(1)
    // Counted in UTF-8 bytes: "é" is two, so this reply is 12 bytes and never kept.
    await put(cache, 'a', '/4', 'éééééé')
    expect(await peek(cache, 'a', '/4')).toBeUndefined()
    expect(cache.bytes).toBeLessThanOrEqual(10)
  })

  it('produces a reply once for simultaneous misses, and serves the rest from it', async () => {
    const registry = new Registry()
    const cache = createResponseCache({ ttlMs: 1000, registry })
    const held = deferred<string>()
    let produced = 0
    const produce = () => {
      produced += 1
      return held.promise
    }
    const first = cache.fetch('a', '/x', produce)
    const second = cache.fetch('a', '/x', produce)
    held.resolve('A')
    // Each carries the tag computed once, when the reply was kept.
    const etag = entityTag('A')
    expect(await first).toEqual({ body: 'A', etag, outcome: 'miss' })
    expect(await second).toEqual({ body: 'A', etag, outcome: 'shared' })
    expect(await cache.fetch('a', '/x', produce)).toEqual({ body: 'A', etag, outcome: 'hit' })
    expect(produced).toBe(1)
    const metrics = await registry.getMetricsAsJSON()
    const lookups = metrics.find((m) => m.name === 'colophon_reply_cache_lookups_total')
    expect(lookups?.values.map((v) => [v.labels.outcome, v.value]).sort()).toEqual([
      ['hit', 1],
      ['miss', 1],
      ['shared', 1],
    ])
  })

  it('tags only the replies it keeps: one too large, or produced while off, is left to the ETag hook', async () => {
    const small = createResponseCache({ ttlMs: 1000, maxBodyBytes: 4 })
    expect(await small.fetch('a', '/x', async () => 'ABCD')).toEqual({
      body: 'ABCD',
      etag: entityTag('ABCD'),
      outcome: 'miss',
    })
    // Too large to keep, yet made once for simultaneous misses.
    let produced = 0
    const large = async () => {
      produced += 1
      return 'ABCDE'
    }
    expect(await Promise.all([small.fetch('a', '/y', large), small.fetch('a', '/y', large)])).toEqual([
      { body: 'ABCDE', outcome: 'miss' },
      { body: 'ABCDE', outcome: 'shared' },
    ])
    expect(produced).toBe(1)
    const off = createResponseCache({ ttlMs: 0 })
    expect(await off.fetch('a', '/x', async () => 'A')).toEqual({ body: 'A', outcome: 'miss' })
  })

  it('lets a waiter produce its own reply when the one it waited for failed', async () => {
    const cache = createResponseCache({ ttlMs: 1000 })
    const held = deferred<string>()
    const failing = cache.fetch('a', '/x', () => held.promise)
    const waiting = cache.fetch('a', '/x', async () => 'B')
    held.reject(new Error('not found'))
    await expect(failing).rejects.toThrow('not found')
    expect(await waiting).toEqual({ body: 'B', etag: entityTag('B'), outcome: 'miss' })
  })

  it('does not keep a reply produced while its scope, or everything, was invalidated', async () => {
    const cache = createResponseCache({ ttlMs: 1000 })
    const held = deferred<string>()
    const pending = cache.fetch('a', '/x', () => held.promise)
    cache.invalidate('a') // a write committed while the old reply was being read
    held.resolve('stale')
    expect((await pending).body).toBe('stale')
    expect(await peek(cache, 'a', '/x')).toBeUndefined()
    const heldAgain = deferred<string>()
    const pendingAgain = cache.fetch('b', '/y', () => heldAgain.promise)
    cache.invalidate() // a network-wide write, before scope b ever held a reply
    heldAgain.resolve('stale too')
    await pendingAgain
    expect(await peek(cache, 'b', '/y')).toBeUndefined()
  })

  it('builds one key whatever the parameter order, without undefined parameters', () => {
    const route = '/api/v1/sites/:site/entries'
    expect(cacheKeyOf(route, {}, { limit: 20, type: 'post' })).toBe(
      cacheKeyOf(route, {}, { type: 'post', limit: 20, cursor: undefined }),
    )
    expect(cacheKeyOf(route, {}, { limit: 20 })).not.toBe(cacheKeyOf(route, {}, { limit: 21 }))
    expect(cacheKeyOf(route, { id: 'a' }, {})).not.toBe(cacheKeyOf(route, { id: 'b' }, {}))
  })
})
