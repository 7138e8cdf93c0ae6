/**
 * A per-node cache of serialised public replies, grouped by scope (a site id). Anonymous readers all get
 * the same reply for the same URL, so reusing it for a few seconds spares the database the bulk of a
 * public site's traffic. Entries expire after `ttlMs`; writes on this node clear their scope at once
 * (`invalidate`), other nodes converge within the TTL. Only replies that are the same for every anonymous
 * caller may go in: never one that depends on credentials, a password or a cookie.
 */
export interface ResponseCache {
  readonly enabled: boolean
  get(scope: string, key: string): string | undefined
  set(scope: string, key: string, body: string): void
  /** Forgets one scope, or everything when no scope is given. */
  invalidate(scope?: string): void
}

export interface ResponseCacheOptions {
  /** 0 turns the cache off. */
  ttlMs: number
  /** Per scope; the oldest entries go first when it is full. */
  maxEntriesPerScope?: number
  /** Replies larger than this are not kept (characters). */
  maxBodyLength?: number
  now?: () => number
}

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const now = options.now ?? Date.now
  const maxEntries = options.maxEntriesPerScope ?? 1000
  const maxBody = options.maxBodyLength ?? 512 * 1024
  const scopes = new Map<string, Map<string, { body: string; expires: number }>>()
  const enabled = options.ttlMs > 0
  return {
    enabled,
    get(scope, key) {
      if (!enabled) return undefined
      const entries = scopes.get(scope)
      const hit = entries?.get(key)
      if (!hit) return undefined
      if (hit.expires > now()) return hit.body
      entries?.delete(key)
      return undefined
    },
    set(scope, key, body) {
      if (!enabled || body.length > maxBody) return
      let entries = scopes.get(scope)
      if (!entries) scopes.set(scope, (entries = new Map()))
      // Maps keep insertion order: the first key is the oldest.
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string)
      entries.set(key, { body, expires: now() + options.ttlMs })
    },
    invalidate(scope) {
      if (scope === undefined) scopes.clear()
      else scopes.delete(scope)
    },
  }
}
