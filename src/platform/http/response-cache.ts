import { Counter, Gauge, type Registry } from 'prom-client'
import { entityTag } from './etag.ts'

/**
 * A per-node cache of serialised public replies, grouped by scope (a site id). Anonymous readers all get
 * the same reply for the same request, so reusing it for a few seconds spares the database the bulk of a
 * public site's traffic. Only replies that are the same for every anonymous caller may go in: never one
 * that depends on credentials, a password or a cookie.
 *
 * - **Freshness**: entries expire after `ttlMs`; writes clear their scope at once (`invalidate`: on this
 *   node directly, on the others through the broadcast when Redis is configured, else within the TTL). A
 *   reply produced while its scope was cleared is not kept: it may predate the write. While the
 *   broadcast's `lease` says this node may have missed an invalidation, only replies younger than the
 *   lease are served, so no reply is older than the lease then either.
 * - **Memory**: one bound in bytes for the whole node (UTF-8 size of the bodies); the least recently used
 *   entries go first.
 * - **Single flight**: simultaneous misses for one key produce the reply once; the others wait for it.
 * - **Keys**: callers build them with `cacheKeyOf`, which does not depend on parameter order or on
 *   parameters given their default value.
 * - **Entity tags**: each kept reply carries its ETag, computed once when it is produced (the same tag the
 *   ETag hook would compute from the body), so a hit does not hash the body again.
 */
export interface ResponseCache {
  readonly enabled: boolean
  /**
   * The cached reply, or the one `produce` makes (kept for the next callers). While one caller produces
   * a key, others asking for it wait for that reply instead of producing their own. `produce` may return
   * undefined for a reply that must not be kept; errors reach only the caller that produced.
   */
  fetch(scope: string, key: string, produce: () => Promise<string | undefined>): Promise<CachedReply>
  /** Forgets one scope, or everything when no scope is given. */
  invalidate(scope?: string): void
  /** Bytes held now (UTF-8 size of the bodies). */
  readonly bytes: number
}

export interface ResponseCacheOptions {
  /** 0 turns the cache off. */
  ttlMs: number
  /** The node's bound on the bodies held, in bytes (default 32 MiB). */
  maxBytes?: number
  /** Replies larger than this are not kept (bytes; default 512 KiB). */
  maxBodyBytes?: number
  /**
   * The broadcast's lease, when invalidations from other nodes reach this cache through it. While
   * `isCurrent()` is false (this node may have missed one), a reply is served only if its production
   * started less than `ms` ago: a micro-cache that still spares the database, and stays within the bound.
   */
  lease?: { isCurrent: () => boolean; ms: number }
  /** Where hit, miss, eviction and size metrics go (the app's /metrics registry). */
  registry?: Registry
  now?: () => number
}

/** A reply as the cache answers it: `etag` is set when the reply went into the cache (or came from it). */
export interface CachedReply {
  body: string | undefined
  etag?: string
  outcome: 'hit' | 'miss' | 'shared'
}

interface Produced {
  body: string
  etag: string
}

/** What waiters of a production get: the body, and its tag when it was kept. */
type Shared = Pick<Produced, 'body'> & Partial<Pick<Produced, 'etag'>>

interface Entry extends Produced {
  scope: string
  bytes: number
  expires: number
  /** When the production of this reply started: what it shows is at least this recent. */
  producedAt: number
}

const SEPARATOR = '\u0000'

/**
 * A cache key for a request: the route's pattern, its path parameters and its validated query (defaults
 * applied by validation), each with sorted keys, so `?a=1&b=2`, `?b=2&a=1` and `?a=1&b=2&limit=20` (when
 * 20 is the default) name one entry. Parameters that pick the scope (the site) belong in the scope.
 */
export function cacheKeyOf(
  route: string,
  params: Record<string, unknown>,
  query: Record<string, unknown>,
): string {
  return `${route}${SEPARATOR}${sortedJson(params)}${SEPARATOR}${sortedJson(query)}`
}

function sortedJson(value: Record<string, unknown>): string {
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort()
  return JSON.stringify(keys.map((k) => [k, value[k]]))
}

function cacheMetrics(registry: Registry | undefined, bytes: () => number) {
  if (!registry) return { hit() {}, miss() {}, evicted() {} }
  const registers = [registry]
  const lookups = new Counter({
    name: 'colophon_reply_cache_lookups_total',
    help: 'Reply cache lookups by outcome: hit, miss (produced here), shared (waited for a reply in flight).',
    labelNames: ['outcome'],
    registers,
  })
  const evictions = new Counter({
    name: 'colophon_reply_cache_evictions_total',
    help: 'Replies dropped to stay within the byte bound (expiry and invalidation not counted).',
    registers,
  })
  new Gauge({
    name: 'colophon_reply_cache_bytes',
    help: 'UTF-8 bytes of the replies the cache holds on this node.',
    registers,
    collect() {
      this.set(bytes())
    },
  })
  return {
    hit: (outcome: 'hit' | 'shared' = 'hit') => lookups.inc({ outcome }),
    miss: () => lookups.inc({ outcome: 'miss' }),
    evicted: () => evictions.inc(),
  }
}

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const now = options.now ?? Date.now
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024
  const maxBodyBytes = Math.min(options.maxBodyBytes ?? 512 * 1024, maxBytes)
  const enabled = options.ttlMs > 0
  // One map for the node, in least-recently-used order (a hit moves its entry to the end).
  const entries = new Map<string, Entry>()
  const keysOfScope = new Map<string, Set<string>>()
  // A scope's generation grows when it is invalidated, the epoch when everything is; a reply started
  // under an older generation or epoch is not kept.
  const generations = new Map<string, number>()
  let epoch = 0
  const inFlight = new Map<string, Promise<Shared | undefined>>()
  let bytes = 0
  const metrics = cacheMetrics(options.registry, () => bytes)

  function drop(fullKey: string): void {
    const entry = entries.get(fullKey)
    if (!entry) return
    entries.delete(fullKey)
    bytes -= entry.bytes
    keysOfScope.get(entry.scope)?.delete(fullKey)
  }

  function read(scope: string, key: string): Entry | undefined {
    if (!enabled) return undefined
    const fullKey = scope + SEPARATOR + key
    const entry = entries.get(fullKey)
    if (!entry) return undefined
    const lease = options.lease
    const tooOld = lease && !lease.isCurrent() && entry.producedAt + lease.ms <= now()
    if (entry.expires <= now() || tooOld) {
      drop(fullKey)
      return undefined
    }
    entries.delete(fullKey)
    entries.set(fullKey, entry)
    return entry
  }

  /** Keeps `body` unless it is too large; its entity tag when kept. */
  function write(scope: string, key: string, body: string, producedAt: number): Produced | undefined {
    const size = Buffer.byteLength(body)
    if (size > maxBodyBytes) return undefined
    const fullKey = scope + SEPARATOR + key
    drop(fullKey)
    while (bytes + size > maxBytes) {
      const oldest = entries.keys().next().value as string
      drop(oldest)
      metrics.evicted()
    }
    const etag = entityTag(body)
    entries.set(fullKey, { scope, body, etag, bytes: size, expires: now() + options.ttlMs, producedAt })
    bytes += size
    let keys = keysOfScope.get(scope)
    if (!keys) keysOfScope.set(scope, (keys = new Set()))
    keys.add(fullKey)
    return { body, etag }
  }

  return {
    enabled,
    get bytes() {
      return bytes
    },
    async fetch(scope, key, produce) {
      const cached = read(scope, key)
      if (cached !== undefined) {
        metrics.hit()
        return { body: cached.body, etag: cached.etag, outcome: 'hit' }
      }
      const fullKey = scope + SEPARATOR + key
      const pending = enabled ? inFlight.get(fullKey) : undefined
      if (pending) {
        // A failed production is the producer's to report; a waiter then produces its own reply.
        const shared = await pending.catch(() => undefined)
        if (shared !== undefined) {
          metrics.hit('shared')
          return { ...shared, outcome: 'shared' }
        }
      }
      metrics.miss()
      if (!enabled) return { body: await produce(), outcome: 'miss' }
      const started = { epoch, generation: generations.get(scope) ?? 0, at: now() }
      // Waiters share what was produced, kept or not (a reply too large to keep is still made once).
      const production = produce().then((body): Shared | undefined => {
        if (body === undefined) return undefined
        const current = started.epoch === epoch && started.generation === (generations.get(scope) ?? 0)
        return (current ? write(scope, key, body, started.at) : undefined) ?? { body }
      })
      inFlight.set(fullKey, production)
      try {
        return { body: undefined, ...(await production), outcome: 'miss' }
      } finally {
        if (inFlight.get(fullKey) === production) inFlight.delete(fullKey)
      }
    },
    invalidate(scope) {
      if (scope === undefined) {
        epoch += 1
        entries.clear()
        keysOfScope.clear()
        bytes = 0
        return
      }
      generations.set(scope, (generations.get(scope) ?? 0) + 1)
      for (const fullKey of keysOfScope.get(scope) ?? []) drop(fullKey)
      keysOfScope.delete(scope)
    },
  }
}
