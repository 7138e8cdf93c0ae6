import { Counter, Gauge, type Registry } from 'prom-client'
import { isCacheTag, siteTag, type CacheTag } from './cache-tags.ts'
import { entityTag } from './etag.ts'

/**
 * The page cache (ADR 0019): public pages as anonymous readers get them, per site and URL, indexed by
 * the cache tags of what each page shows. `invalidate(tags)` drops every page carrying any of the tags;
 * every page carries its site tag, so dropping the site tag drops the site.
 *
 * - **Layers**: an in-process LRU on every node, bounded in bytes; with a `shared` store (Redis), pages
 *   are also kept there for every node, the LRU in front. Without one, each node keeps its own.
 * - **Freshness**: pages expire after `ttlMs`. A page whose production started before one of its tags was
 *   invalidated is not kept: it may show what the change replaced. While the broadcast's `lease` says this
 *   node may have missed an invalidation, the LRU serves only pages younger than the lease.
 * - **Single flight**: simultaneous misses for one key render the page once; the others wait for it.
 * - **Entity tags**: computed once when the page is produced, kept with it.
 */
export interface PageCache {
  readonly enabled: boolean
  /**
   * The page for `key` on `siteId`: from this node's memory, else from the shared store, else produced
   * by `produce`. `toPage` says whether (and as what) a produced result may be kept; a result it refuses
   * is handed back as `result`, never kept or shared with waiters.
   */
  fetch<R>(
    siteId: string,
    key: string,
    produce: () => Promise<R>,
    toPage: (result: R) => PageToKeep | undefined,
  ): Promise<PageLookup<R>>
  /**
   * Drops every page carrying one of `tags`, on this node and in the shared store (other nodes hear of it
   * through the broadcast: see `forget`). No tags: every page of the network.
   */
  invalidate(change: PageChange): Promise<void>
  /** Drops this node's copies only (what a node does when the broadcast reports a change elsewhere). */
  forget(tags?: readonly string[]): void
  /** Bytes held on this node (UTF-8 size of the bodies). */
  readonly bytes: number
}

/**
 * A change that may alter pages: the site it happened on (none: network-wide) and the tags it touched
 * (the site's own tag for "anything on the site").
 */
export interface PageChange {
  siteId?: string | undefined
  tags: readonly string[]
}

/** What a produced result becomes in the cache. `tags` must start with the site tag (`pageTags`). */
export interface PageToKeep {
  status: number
  contentType: string
  body: string
  tags: readonly CacheTag[]
}

export interface CachedPage extends PageToKeep {
  etag: string
}

export type PageLookup<R> =
  | { outcome: 'hit' | 'shared' | 'miss'; page: CachedPage; result?: undefined }
  | { outcome: 'miss'; page?: undefined; result: R }

/**
 * A store every node shares. `read` answers the page (if kept and still current) and a token of the state
 * before the caller produces it; `write` keeps a page only if nothing it shows changed since that token.
 * Failures are the store's to absorb: it answers undefined or does nothing, never throws.
 */
export interface SharedPageStore {
  read(siteId: string, key: string): Promise<{ page: CachedPage | undefined; token: unknown }>
  write(siteId: string, key: string, page: CachedPage, token: unknown): Promise<void>
  invalidate(change: PageChange): Promise<void>
}

export interface PageCacheOptions {
  /** 0 turns the cache off. */
  ttlMs: number
  /** This node's bound on the bodies held, in bytes (default 64 MiB). */
  maxBytes?: number
  /** Pages larger than this are not kept (bytes; default 1 MiB). */
  maxBodyBytes?: number
  shared?: SharedPageStore | undefined
  lease?: { isCurrent: () => boolean; ms: number }
  registry?: Registry
  now?: () => number
}

interface Entry {
  page: CachedPage
  bytes: number
  expires: number
  producedAt: number
}

const SEPARATOR = '\u0000'
/** Past this many remembered tag invalidations, the memory of them is reset (conservatively). */
const MAX_REMEMBERED_TAGS = 100_000

function pageCacheMetrics(registry: Registry | undefined, bytes: () => number) {
  if (!registry) return { lookup() {}, evicted() {} }
  const registers = [registry]
  const lookups = new Counter({
    name: 'colophon_page_cache_lookups_total',
    help: 'Page cache lookups by outcome: hit (this node), shared_hit (the shared store), shared (waited for a page in flight), miss (rendered here).',
    labelNames: ['outcome'],
    registers,
  })
  const evictions = new Counter({
    name: 'colophon_page_cache_evictions_total',
    help: 'Pages dropped from this node to stay within the byte bound (expiry and invalidation not counted).',
    registers,
  })
  new Gauge({
    name: 'colophon_page_cache_bytes',
    help: 'UTF-8 bytes of the pages the page cache holds on this node.',
    registers,
    collect() {
      this.set(bytes())
    },
  })
  return {
    lookup: (outcome: 'hit' | 'shared_hit' | 'shared' | 'miss') => lookups.inc({ outcome }),
    evicted: () => evictions.inc(),
  }
}

/** Keeps a page as the cache hands it out: with its entity tag. */
export function cachedPageOf(page: PageToKeep): CachedPage {
  return { ...page, tags: [...page.tags], etag: entityTag(page.body) }
}

export function createPageCache(options: PageCacheOptions): PageCache {
  const now = options.now ?? Date.now
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024
  const maxBodyBytes = Math.min(options.maxBodyBytes ?? 1024 * 1024, maxBytes)
  const enabled = options.ttlMs > 0
  const shared = options.shared
  const metrics = pageCacheMetrics(options.registry, () => bytes)
  // Least recently used first (a hit moves its entry to the end).
  const entries = new Map<string, Entry>()
  const keysOfTag = new Map<string, Set<string>>()
  // Invalidations are numbered; each tag remembers the number of its latest, and `clearedAt` the latest
  // that dropped everything. A production started at number N is kept only if none of its tags moved past N.
  let changes = 0
  let clearedAt = 0
  const invalidatedAt = new Map<string, number>()
  const inFlight = new Map<string, Promise<CachedPage | undefined>>()
  let bytes = 0

  function drop(fullKey: string): void {
    const entry = entries.get(fullKey)
    if (!entry) return
    entries.delete(fullKey)
    bytes -= entry.bytes
    for (const tag of entry.page.tags) {
      const keys = keysOfTag.get(tag)
      keys?.delete(fullKey)
      if (keys?.size === 0) keysOfTag.delete(tag)
    }
  }

  function readLocal(fullKey: string): CachedPage | undefined {
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
    return entry.page
  }

  function isCurrent(tags: readonly string[], started: number): boolean {
    if (clearedAt > started) return false
    return tags.every((tag) => (invalidatedAt.get(tag) ?? 0) <= started)
  }

  function keepLocal(fullKey: string, page: CachedPage, producedAt: number): void {
    const size = Buffer.byteLength(page.body)
    if (size > maxBodyBytes) return
    drop(fullKey)
    while (bytes + size > maxBytes) {
      drop(entries.keys().next().value as string)
      metrics.evicted()
    }
    entries.set(fullKey, { page, bytes: size, expires: now() + options.ttlMs, producedAt })
    bytes += size
    for (const tag of page.tags) {
      let keys = keysOfTag.get(tag)
      if (!keys) keysOfTag.set(tag, (keys = new Set()))
      keys.add(fullKey)
    }
  }

  function forget(tags?: readonly string[]): void {
    changes += 1
    if (tags === undefined || invalidatedAt.size + tags.length > MAX_REMEMBERED_TAGS) {
      clearedAt = changes
      invalidatedAt.clear()
      if (tags === undefined) {
        entries.clear()
        keysOfTag.clear()
        bytes = 0
        return
      }
    }
    for (const tag of tags) {
      invalidatedAt.set(tag, changes)
      for (const fullKey of keysOfTag.get(tag) ?? []) drop(fullKey)
    }
  }

  /** Shared store, then `produce`; what may be kept goes to both layers if still current. */
  async function load<R>(
    siteId: string,
    key: string,
    fullKey: string,
    produce: () => Promise<R>,
    toPage: (result: R) => PageToKeep | undefined,
  ): Promise<{ page?: CachedPage; result?: R; fromShared?: boolean }> {
    const started = changes
    const startedAt = now()
    const stored = shared ? await shared.read(siteId, key) : undefined
    if (stored?.page) {
      if (isCurrent(stored.page.tags, started)) keepLocal(fullKey, stored.page, startedAt)
      return { page: stored.page, fromShared: true }
    }
    const result = await produce()
    const keep = toPage(result)
    if (!keep) return { result }
    const page = cachedPageOf(keep)
    if (isCurrent(page.tags, started)) {
      keepLocal(fullKey, page, startedAt)
      if (shared && stored) await shared.write(siteId, key, page, stored.token)
    }
    return { page }
  }

  return {
    enabled,
    get bytes() {
      return bytes
    },
    async fetch<R>(
      siteId: string,
      key: string,
      produce: () => Promise<R>,
      toPage: (result: R) => PageToKeep | undefined,
    ): Promise<PageLookup<R>> {
      if (!enabled) {
        const result = await produce()
        const keep = toPage(result)
        return keep ? { outcome: 'miss', page: cachedPageOf(keep) } : { outcome: 'miss', result }
      }
      const fullKey = siteId + SEPARATOR + key
      const local = readLocal(fullKey)
      if (local) {
        metrics.lookup('hit')
        return { outcome: 'hit', page: local }
      }
      const pending = inFlight.get(fullKey)
      if (pending) {
        // A failed or unkeepable production is the producer's; a waiter then loads its own.
        const page = await pending.catch(() => undefined)
        if (page) {
          metrics.lookup('shared')
          return { outcome: 'shared', page }
        }
      }
      let resolveShared: (page: CachedPage | undefined) => void = () => undefined
      const production = new Promise<CachedPage | undefined>((resolve) => (resolveShared = resolve))
      inFlight.set(fullKey, production)
      try {
        const loaded = await load(siteId, key, fullKey, produce, toPage)
        resolveShared(loaded.page)
        if (loaded.page) {
          metrics.lookup(loaded.fromShared ? 'shared_hit' : 'miss')
          return { outcome: loaded.fromShared ? 'hit' : 'miss', page: loaded.page }
        }
        metrics.lookup('miss')
        return { outcome: 'miss', result: loaded.result as R }
      } catch (err) {
        resolveShared(undefined)
        throw err
      } finally {
        if (inFlight.get(fullKey) === production) inFlight.delete(fullKey)
      }
    },
    async invalidate(change) {
      forget(change.siteId === undefined ? undefined : change.tags)
      await shared?.invalidate(change)
    },
    forget,
  }
}

/** The broadcast message of a change; past `maxBytes`, the site's tag alone (which covers the rest). */
export function pageChangeMessage(change: PageChange, maxBytes = 6000): string {
  const text = JSON.stringify({ site: change.siteId, tags: change.tags })
  if (change.siteId === undefined || Buffer.byteLength(text) <= maxBytes) return text
  return JSON.stringify({ site: change.siteId, tags: [siteTag(change.siteId)] })
}

/**
 * A change as broadcast. Anything unreadable (a message from an older node: a site id or nothing) is
 * read as safely as possible: the site's tag for a bare id, every page for the rest.
 */
export function parsePageChange(message: string | undefined): PageChange {
  if (message === undefined || message === '') return { tags: [] }
  if (!message.startsWith('{')) return { siteId: message, tags: [siteTag(message)] }
  try {
    const parsed = JSON.parse(message) as { site?: unknown; tags?: unknown }
    if (typeof parsed.site !== 'string') return { tags: [] }
    const tags = Array.isArray(parsed.tags)
      ? parsed.tags.filter((t): t is string => typeof t === 'string' && isCacheTag(t))
      : []
    return { siteId: parsed.site, tags: tags.length > 0 ? tags : [siteTag(parsed.site)] }
  } catch {
    return { tags: [] }
  }
}
