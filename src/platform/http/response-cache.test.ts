import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { cacheKeyOf, createResponseCache } from './response-cache.ts'

/** A promise with its resolve handle, to hold a production open. */
function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (err: unknown) => void
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

describe('response cache', () => {
  it('returns a reply until it expires, per scope', () => {
    let clock = 0
    const cache = createResponseCache({ ttlMs: 1000, now: () => clock })
    cache.set('a', '/x', 'A')
    cache.set('b', '/x', 'B')
    expect(cache.get('a', '/x')).toBe('A')
    expect(cache.get('b', '/x')).toBe('B')
    clock = 1000
    expect(cache.get('a', '/x')).toBeUndefined()
    expect(cache.bytes).toBe(1)
  })

  it('forgets a scope, or everything, on invalidation', () => {
    const cache = createResponseCache({ ttlMs: 1000 })
    cache.set('a', '/x', 'A')
    cache.set('b', '/x', 'B')
    cache.invalidate('a')
    expect(cache.get('a', '/x')).toBeUndefined()
    expect(cache.get('b', '/x')).toBe('B')
    cache.invalidate()
    expect(cache.get('b', '/x')).toBeUndefined()
    expect(cache.bytes).toBe(0)
  })

  it('keeps nothing when turned off', () => {
    const off = createResponseCache({ ttlMs: 0 })
    off.set('a', '/x', 'A')
    expect(off.get('a', '/x')).toBeUndefined()
  })

  it('stays within its byte bound across scopes, dropping the least recently used reply', () => {
    const registry = new Registry()
    const cache = createResponseCache({ ttlMs: 1000, maxBytes: 10, registry })
    cache.set('a', '/1', 'aaaa')
    cache.set('b', '/2', 'bbbb')
    expect(cache.get('a', '/1')).toBe('aaaa') // now the most recently used
    cache.set('a', '/3', 'cccc')
    expect([cache.get('a', '/1'), cache.get('b', '/2'), cache.get('a', '/3')]).toEqual([
      'aaaa',
      undefined,
      'cccc',
    ])
    expect(cache.bytes).toBe(8)
    // Counted in UTF-8 bytes: "é" is two, so this reply is 12 bytes and never kept.
    cache.set('a', '/4', 'éééééé')
    expect(cache.get('a', '/4')).toBeUndefined()
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
    expect(await first).toEqual({ body: 'A', outcome: 'miss' })
    expect(await second).toEqual({ body: 'A', outcome: 'shared' })
    expect(await cache.fetch('a', '/x', produce)).toEqual({ body: 'A', outcome: 'hit' })
    expect(produced).toBe(1)
    const metrics = await registry.getMetricsAsJSON()
    const lookups = metrics.find((m) => m.name === 'colophon_reply_cache_lookups_total')
    expect(lookups?.values.map((v) => [v.labels.outcome, v.value]).sort()).toEqual([
      ['hit', 1],
      ['miss', 1],
      ['shared', 1],
    ])
  })

  it('lets a waiter produce its own reply when the one it waited for failed', async () => {
    const cache = createResponseCache({ ttlMs: 1000 })
    const held = deferred<string>()
    const failing = cache.fetch('a', '/x', () => held.promise)
    const waiting = cache.fetch('a', '/x', async () => 'B')
    held.reject(new Error('not found'))
    await expect(failing).rejects.toThrow('not found')
    expect(await waiting).toEqual({ body: 'B', outcome: 'miss' })
  })

  it('does not keep a reply produced while its scope was invalidated', async () => {
    const cache = createResponseCache({ ttlMs: 1000 })
    const held = deferred<string>()
    const pending = cache.fetch('a', '/x', () => held.promise)
    cache.invalidate('a') // a write committed while the old reply was being read
    held.resolve('stale')
    expect((await pending).body).toBe('stale')
    expect(cache.get('a', '/x')).toBeUndefined()
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
