import type { RedisLink, RedisLog } from './redis.ts'

/**
 * Fixed-window counters: rate limits and per-site quotas count here. With a Redis link they are shared
 * by every node (one key per counter, `<prefix>rl:<key>`, expiring with its window); without one, or while
 * Redis cannot be reached, they live in this node's memory.
 *
 * Falling back to memory is deliberate (ADR 0014): failing open would drop the limits that protect sign-in
 * exactly when something is wrong, failing closed would turn a Redis outage into a network-wide outage. A
 * node on its own memory still enforces every limit, only per node rather than for the network.
 */
export interface Counters {
  /** Counts one hit; returns the count in the current window and the milliseconds left in it. */
  hit(key: string, windowMs: number): Promise<CounterState>
  /** The current count and time left, counting nothing (0 and 0 when no window is open). */
  peek(key: string, windowMs: number): Promise<CounterState>
  /** Whether counts go to Redis (a link is configured), whether or not it is reachable right now. */
  readonly shared: boolean
  /** Hits and peeks answered from this node's memory because Redis failed (for /metrics). */
  readonly fallbacks: number
}

export interface CounterState {
  count: number
  ttlMs: number
}

export interface CountersOptions {
  redis: RedisLink | null
  log: RedisLog
  /** Most counters kept in memory; past it the oldest window is dropped (default 10 000). */
  maxLocalKeys?: number
  now?: () => number
}

// INCR and PEXPIRE in one script, so a counter can never be left without its expiry.
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }`

const PEEK = `
local count = redis.call('GET', KEYS[1])
if not count then return { 0, 0 } end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = 0 end
return { tonumber(count), ttl }`

/** How often a node still falling back repeats its warning. */
const WARN_EVERY_MS = 60_000

function localCounters(maxKeys: number, now: () => number) {
  // Insertion order doubles as age: a window that starts again moves to the end.
  const windows = new Map<string, { count: number; endsAt: number }>()
  const open = (key: string) => {
    const window = windows.get(key)
    if (window && window.endsAt > now()) return window
    if (window) windows.delete(key)
    return undefined
  }
  return {
    hit(key: string, windowMs: number): CounterState {
      let window = open(key)
      if (!window) {
        if (windows.size >= maxKeys) windows.delete(windows.keys().next().value as string)
        window = { count: 0, endsAt: now() + windowMs }
        windows.set(key, window)
      }
      window.count += 1
      return { count: window.count, ttlMs: window.endsAt - now() }
    },
    peek(key: string): CounterState {
      const window = open(key)
      return window ? { count: window.count, ttlMs: window.endsAt - now() } : { count: 0, ttlMs: 0 }
    },
  }
}

export function createCounters(options: CountersOptions): Counters {
  const { redis, log } = options
  const now = options.now ?? Date.now
  const local = localCounters(options.maxLocalKeys ?? 10_000, now)
  let fallbacks = 0
  let warnedAt = -Infinity

  async function shared(script: string, key: string, windowMs: number): Promise<CounterState | undefined> {
    if (!redis?.isUp()) return undefined
    try {
      const reply = (await redis.commands.eval(script, 1, redis.keyPrefix + 'rl:' + key, windowMs)) as [
        number,
        number,
      ]
      return { count: Number(reply[0]), ttlMs: Number(reply[1]) }
    } catch (err) {
      if (now() - warnedAt >= WARN_EVERY_MS) {
        warnedAt = now()
        log.warn({ err }, 'shared counter unavailable: counting on this node')
      }
      return undefined
    }
  }

  function fellBack<T>(value: T): T {
    if (redis) fallbacks += 1
    return value
  }

  return {
    shared: redis !== null,
    get fallbacks() {
      return fallbacks
    },
    async hit(key, windowMs) {
      return (await shared(HIT, key, windowMs)) ?? fellBack(local.hit(key, windowMs))
    },
    async peek(key, windowMs) {
      return (await shared(PEEK, key, windowMs)) ?? fellBack(local.peek(key))
    },
  }
}
