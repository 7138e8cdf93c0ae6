import type { ObjectStore } from './object-store.ts'
import { siteIdOfKey, siteIdOfPrefix } from './site-key.rules.ts'
import { destroyOnFailure } from './spool.ts'
import { StorageMoveErrors } from './storage-moves.errors.ts'

/** A provider's name, as a site records it. */
export type StoreKind = ObjectStore['kind']

/** Options of `createRoutedStore`. */
export interface RoutedStoreOptions {
  /** The providers this server has configured: local disk always, S3 when it is set up. */
  stores: Partial<Record<StoreKind, ObjectStore>>
  /** The provider of a site that names none. Must be one of `stores`. */
  defaultKind: StoreKind
  /** The provider a site names (its database record), or undefined to use `defaultKind`. */
  kindOf: (siteId: string) => Promise<StoreKind | undefined>
  /** How long a site's provider is remembered, in milliseconds (default 30 000). */
  cacheMs?: number
}

/** An `ObjectStore` that sends each key to the provider of the site it begins with. */
export interface RoutedStore extends ObjectStore {
  /**
   * Drops the remembered provider of one site (after moving it), or of every site when `siteId` is
   * absent. Other processes keep theirs until `cacheMs` passes.
   */
  forget(siteId?: string): void
  /** Every configured provider, each once (to remove a purged site's objects wherever they are). */
  readonly providers: readonly ObjectStore[]
}

const DEFAULT_CACHE_MS = 30_000
const KINDS: readonly StoreKind[] = ['local', 's3']

interface CachedKind {
  kind: Promise<StoreKind | undefined>
  /** When the answer stops counting; infinite while the lookup runs, so concurrent misses share it. */
  expiresAt: number
}

/**
 * One `ObjectStore` over several providers: every operation takes the site id from the key (or the list
 * prefix, which must hold a whole site id), asks `kindOf` which provider keeps that site, and forwards to
 * it. Answers are remembered per site for `cacheMs`; lookups for a site that start while one runs share
 * it, and a failed lookup is not remembered. A site whose provider is not configured here gets
 * `COLOPHON_STORAGE_PROVIDER_NOT_CONFIGURED`. `kind` is the default provider's.
 */
export function createRoutedStore(options: RoutedStoreOptions): RoutedStore {
  const { stores, defaultKind, kindOf } = options
  const cacheMs = options.cacheMs ?? DEFAULT_CACHE_MS
  const cache = new Map<string, CachedKind>()
  const storeOf = (kind: StoreKind, siteId?: string): ObjectStore => {
    const store = stores[kind]
    if (!store)
      throw StorageMoveErrors.providerNotConfigured({ details: { kind, ...(siteId && { siteId }) } })
    return store
  }
  // A default without a store is a wiring mistake: refuse it at boot rather than on the first request.
  storeOf(defaultKind)

  function lookUp(siteId: string): Promise<StoreKind | undefined> {
    const cached = cache.get(siteId)
    if (cached && cached.expiresAt > Date.now()) return cached.kind
    const entry: CachedKind = { kind: kindOf(siteId), expiresAt: Infinity }
    cache.set(siteId, entry)
    entry.kind.then(
      () => {
        // Unless `forget` dropped it (or a newer lookup replaced it) while it ran.
        if (cache.get(siteId) === entry) entry.expiresAt = Date.now() + cacheMs
      },
      () => {
        if (cache.get(siteId) === entry) cache.delete(siteId)
      },
    )
    return entry.kind
  }

  async function route(siteId: string): Promise<ObjectStore> {
    return storeOf((await lookUp(siteId)) ?? defaultKind, siteId)
  }

  let closing: Promise<void> | undefined

  return {
    kind: defaultKind,
    providers: [...new Set(Object.values(stores).filter((s): s is ObjectStore => s !== undefined))],

    async put(key, body, putOptions) {
      const store = await destroyOnFailure(body, () => route(siteIdOfKey(key)))
      return store.put(key, body, putOptions)
    },

    async get(key, getOptions) {
      return (await route(siteIdOfKey(key))).get(key, getOptions)
    },

    async head(key) {
      return (await route(siteIdOfKey(key))).head(key)
    },

    async delete(key) {
      return (await route(siteIdOfKey(key))).delete(key)
    },

    async *list(prefix) {
      yield* (await route(siteIdOfPrefix(prefix))).list(prefix)
    },

    forget(siteId) {
      if (siteId === undefined) cache.clear()
      else cache.delete(siteId)
    },

    close() {
      // A store given for both kinds is closed once, and so is every store when close is called twice.
      const configured = new Set(KINDS.flatMap((kind) => stores[kind] ?? []))
      closing ??= Promise.all([...configured].map((store) => store.close())).then(() => {})
      return closing
    },
  }
}
