import type { FastifyRequest } from 'fastify'
import { pageChangeMessage, siteTag, type PageCache } from '../platform/http/index.ts'
import type { Bus } from '../platform/redis/index.ts'

/** The broadcast topic of changes that may alter what anonymous readers see (pages and API replies). */
export const CACHE_TOPIC = 'cache'

/**
 * Announces a change that may alter what anonymous readers see: on `siteId` (its site tag, plus `tags`
 * when the caller knows them), or on every site when there is none. The shared page store learns of it
 * first (so no node takes a stale page from it), then every node's memory through the broadcast (this
 * node's at once). Never throws: a failed step is logged and counted by the store and the bus.
 */
export async function publishPageChange(
  bus: Bus,
  pageCache: PageCache,
  siteId: string | undefined,
  tags: readonly string[] = [],
): Promise<void> {
  const change =
    siteId === undefined ? { tags: [] } : { siteId, tags: tags.length > 0 ? [...tags] : [siteTag(siteId)] }
  await pageCache.invalidate(change)
  await bus.publish(CACHE_TOPIC, pageChangeMessage(change))
}

/**
 * Signing in and out, second factors, passwords and sessions change nothing a reader sees: their writes
 * do not clear the caches (else every sign-in on the network would empty every node's page cache).
 */
const READER_NEUTRAL = /^\/api\/v1\/auth\//

/**
 * Whether a successful write may have changed what anonymous readers see: every API write not listed
 * above. Writes outside the API (a reader's entry password posted to a page) change nothing stored.
 */
export function mayChangeWhatReadersSee(request: FastifyRequest): boolean {
  const route = request.routeOptions.url ?? request.url
  return route.startsWith('/api/') && !READER_NEUTRAL.test(route)
}
