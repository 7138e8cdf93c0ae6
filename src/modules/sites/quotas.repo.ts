import { eq, sql } from 'drizzle-orm'
import { schema, type Tx } from '../../platform/db/index.ts'

const { sites } = schema

/** A site's own quotas: null where it follows the network default. */
export interface SiteQuotaRow {
  apiCallsPerMinute: number | null
  entriesQuota: number | null
  mediaBytesQuota: number | null
}

export async function findSiteQuotas(
  tx: Tx,
  siteId: string,
  lock = false,
): Promise<SiteQuotaRow | undefined> {
  const query = tx
    .select({
      apiCallsPerMinute: sites.apiCallsPerMinute,
      entriesQuota: sites.entriesQuota,
      mediaBytesQuota: sites.mediaBytesQuota,
    })
    .from(sites)
    .where(eq(sites.id, siteId))
  const [row] = lock ? await query.for('update') : await query
  return row
}

export async function updateSiteQuotas(tx: Tx, siteId: string, patch: Partial<SiteQuotaRow>): Promise<void> {
  await tx
    .update(sites)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(sites.id, siteId))
}

/** Like `lockEntryQuota`, for the bytes of one site's media: uploads commit one after the other. */
export async function lockMediaQuota(tx: Tx, siteId: string): Promise<void> {
  await tx.execute(
    sql`SELECT pg_advisory_xact_lock(hashtextextended(${'colophon.media-quota:' + siteId}, 0))`,
  )
}

/**
 * Queues the creations of one site's entries behind each other until the caller's transaction ends, so
 * two transactions (on one node or on several) cannot both count the same entries and both take the last
 * place. A transaction-level advisory lock: nothing to clean up, and sites do not wait for each other.
 */
export async function lockEntryQuota(tx: Tx, siteId: string): Promise<void> {
  await tx.execute(
    sql`SELECT pg_advisory_xact_lock(hashtextextended(${'colophon.entries-quota:' + siteId}, 0))`,
  )
}
