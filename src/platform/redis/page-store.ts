import { hash } from 'node:crypto'
import type { CachedPage, PageChange, SharedPageStore } from '../http/page-cache.ts'
import type { RedisLink, RedisLog } from './redis.ts'

/**
 * The page cache's shared layer in Redis (ADR 0019): every node reads and writes the same pages, so a
 * page rendered on one node is a hit on all of them.
 *
 * Invalidation is by **generation per tag**, not by sets of keys per tag: each tag has a counter
 * (`<prefix>pc:g:<tag>`), each site a counter of every change on it (`pc:a:<site>`), and the network an
 * epoch (`pc:epoch`, network-wide changes). A page is stored with the counters as they were when it was
 * written; it is current while they have not moved. Invalidating is one INCR per tag, whatever the
 * number of pages: nothing to enumerate, nothing left behind (stale pages expire with their TTL).
 *
 * - Reading takes one round trip (the page and the site and network counters); a page whose site moved
 *   since it was written costs a second (its tags' counters), and is served only if none of its own moved.
 * - Writing is one script that keeps the page only if neither the site counter nor the epoch moved since
 *   the reader took its token (before rendering): a page rendered across a change is never stored.
 * - Counters expire `ttlMs + 60 s` after their last increment, never before a page that read them: a
 *   page is kept `ttlMs` at most, so a counter that expired can only make a page look stale, never fresh.
 * - Each page is bounded (`maxBodyBytes`) and expires after `ttlMs`.
 * - Redis down: reads miss, writes are skipped. A failed invalidation leaves the store suspect; the next
 *   operation that reaches Redis first moves the epoch (every stored page becomes stale), and until then
 *   nothing is read from it.
 */
export interface RedisPageStoreOptions {
  redis: RedisLink
  log: RedisLog
  ttlMs: number
  maxBodyBytes?: number
}

// Keeps the page only if the site counter and the epoch are those of the token; stamps it with the
// counters of its tags. KEYS: page, site counter, epoch, then the tags' counters.
const WRITE = `
local site = redis.call('GET', KEYS[2]) or '0'
local epoch = redis.call('GET', KEYS[3]) or '0'
if site ~= ARGV[1] or epoch ~= ARGV[2] then return 0 end
local gens = {}
for i = 4, #KEYS do gens[#gens + 1] = redis.call('GET', KEYS[i]) or '0' end
redis.call('SET', KEYS[1], site .. '|' .. epoch .. '|' .. table.concat(gens, ',') .. '\\n' .. ARGV[4], 'PX', ARGV[3])
return 1`

interface Token {
  site: string
  epoch: string
}

export function createRedisPageStore(options: RedisPageStoreOptions): SharedPageStore {
  const { redis, log } = options
  const commands = redis.commands
  const prefix = `${redis.keyPrefix}pc:`
  const counterTtlMs = options.ttlMs + 60_000
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024
  const epochKey = `${prefix}epoch`
  const siteKey = (siteId: string) => `${prefix}a:${siteId}`
  const tagKey = (tag: string) => `${prefix}g:${tag}`
  // Long URLs must not make long keys: the page key is the site and a digest of the cache key.
  const pageKey = (siteId: string, key: string) => `${prefix}p:${siteId}:${hash('sha256', key, 'base64url')}`
  let suspect = false
  let warnedAt = -Infinity

  const warn = (err: unknown, msg: string) => {
    if (Date.now() - warnedAt < 60_000) return
    warnedAt = Date.now()
    log.warn({ err }, msg)
  }

  /** After a failed invalidation: nothing stored before it may be trusted. */
  async function settle(): Promise<boolean> {
    if (!suspect) return true
    try {
      await commands.incr(epochKey)
      suspect = false
      return true
    } catch {
      return false
    }
  }

  return {
    async read(siteId, key) {
      if (!(await settle())) return { page: undefined, token: undefined }
      try {
        const [raw, site, epoch] = await commands.mget(pageKey(siteId, key), siteKey(siteId), epochKey)
        const token: Token = { site: site ?? '0', epoch: epoch ?? '0' }
        if (!raw) return { page: undefined, token }
        const newline = raw.indexOf('\n')
        const [storedSite, storedEpoch, gens = ''] = raw.slice(0, newline).split('|')
        const page = JSON.parse(raw.slice(newline + 1)) as CachedPage
        if (storedEpoch !== token.epoch) return { page: undefined, token }
        if (storedSite !== token.site) {
          // The site changed since: the page stands if none of its own tags did.
          const current = await commands.mget(...page.tags.map(tagKey))
          if (current.map((g) => g ?? '0').join(',') !== gens) return { page: undefined, token }
        }
        return { page, token }
      } catch (err) {
        warn(err, 'page cache: Redis read failed, rendering instead')
        return { page: undefined, token: undefined }
      }
    },
    async write(siteId, key, page, token) {
      const t = token as Token | undefined
      if (!t || Buffer.byteLength(page.body) > maxBodyBytes) return
      try {
        await commands.eval(
          WRITE,
          3 + page.tags.length,
          pageKey(siteId, key),
          siteKey(siteId),
          epochKey,
          ...page.tags.map(tagKey),
          t.site,
          t.epoch,
          String(options.ttlMs),
          JSON.stringify(page),
        )
      } catch (err) {
        warn(err, 'page cache: Redis write failed, the page stays on this node only')
      }
    },
    async invalidate(change: PageChange) {
      const batch = commands.multi()
      if (change.siteId === undefined) batch.incr(epochKey)
      else {
        for (const key of [...change.tags.map(tagKey), siteKey(change.siteId)]) {
          batch.incr(key)
          batch.pexpire(key, counterTtlMs)
        }
      }
      try {
        const results = await batch.exec()
        if (!results || results.some(([err]) => err)) throw new Error('invalidation not applied')
      } catch (err) {
        suspect = true
        warn(err, 'page cache: Redis invalidation failed; stored pages are dropped once Redis answers')
      }
    },
  }
}
