import { describe, expect, it } from 'vitest'
import { createResponseCache } from './response-cache.ts'

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
  })

  it('keeps nothing when turned off, and drops the oldest entry when a scope is full', () => {
    const off = createResponseCache({ ttlMs: 0 })
    off.set('a', '/x', 'A')
    expect(off.get('a', '/x')).toBeUndefined()
    const small = createResponseCache({ ttlMs: 1000, maxEntriesPerScope: 2 })
    small.set('a', '/1', '1')
    small.set('a', '/2', '2')
    small.set('a', '/3', '3')
    expect([small.get('a', '/1'), small.get('a', '/2'), small.get('a', '/3')]).toEqual([undefined, '2', '3'])
  })
})
