import type { Ctx } from '../../../platform/access/index.ts'
import { deleteObjects, type ObjectStore } from '../../../platform/storage/index.ts'
import { siteIdsWithMedia, storedKeysOf } from './media.repo.ts'

/**
 * The sweep that removes stored objects no row names any more: what a delete could not remove (the store
 * failed after the rows went), crops made for an old focal point, the work of a job whose item was deleted
 * meanwhile. Only objects older than the grace period go, so an upload stored a moment before its row
 * is committed, or a job's variants written before their rows, are never taken. Objects that a row names
 * are never touched, whatever their age.
 */

export const MEDIA_CLEANUP_QUEUE = 'media.cleanup'
/** Removes every object of a purged site, on every provider (the site's row is gone: no routing). */
export const MEDIA_PURGE_SITE_QUEUE = 'media.purge-site'

export interface PurgeSiteJob {
  siteId: string
}

/** How old an unnamed object must be before the sweep removes it. */
export const ORPHAN_GRACE_MS = 6 * 3600 * 1000

export interface CleanupReport {
  sites: number
  scanned: number
  deleted: number
}

/** Sweeps one site's objects (network or site scope). */
export async function cleanupSiteObjects(
  ctx: Ctx,
  store: ObjectStore,
  q: { siteId: string; now: Date; graceMs?: number },
): Promise<{ scanned: number; deleted: number }> {
  const cutoff = q.now.getTime() - (q.graceMs ?? ORPHAN_GRACE_MS)
  // Rows first, then the listing: an object that appears after this read is younger than the cutoff.
  const named = await ctx.tx((tx) => storedKeysOf(tx, q.siteId))
  let scanned = 0
  let deleted = 0
  for await (const object of store.list(`${q.siteId}/`)) {
    scanned++
    if (named.has(object.key) || object.lastModified.getTime() > cutoff) continue
    // Named meanwhile (a job finishing now)? Read again before removing anything.
    const again = await ctx.tx((tx) => storedKeysOf(tx, q.siteId, [object.key]))
    if (again.has(object.key)) continue
    await store.delete(object.key)
    deleted++
  }
  return { scanned, deleted }
}

/** Sweeps every site that has, or had, media (network scope). */
export async function cleanupOrphanObjects(
  ctx: Ctx,
  store: ObjectStore,
  q: { now: Date; graceMs?: number },
): Promise<CleanupReport> {
  const report: CleanupReport = { sites: 0, scanned: 0, deleted: 0 }
  for (const siteId of await ctx.tx((tx) => siteIdsWithMedia(tx))) {
    try {
      const done = await cleanupSiteObjects(ctx, store, { siteId, ...q })
      report.sites++
      report.scanned += done.scanned
      report.deleted += done.deleted
    } catch (err) {
      // One site's storage failing must not stop the others; the next sweep tries again.
      ctx.log.error({ err, siteId }, 'media cleanup of a site failed')
    }
  }
  if (report.deleted > 0) ctx.log.info({ ...report }, 'orphaned media objects removed')
  return report
}

/**
 * Removes every object under a purged site's prefix from every configured provider (its row is gone, so
 * nothing says which one held them). Idempotent: a retry finds fewer objects or none.
 */
export async function purgeSiteObjects(
  ctx: Ctx,
  providers: readonly ObjectStore[],
  siteId: string,
): Promise<number> {
  let deleted = 0
  for (const provider of providers) deleted += await deleteObjects(provider, `${siteId}/`)
  if (deleted > 0) ctx.log.info({ siteId, deleted }, 'media objects of a purged site removed')
  return deleted
}
