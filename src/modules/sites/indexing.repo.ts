import { eq, sql } from 'drizzle-orm'
import { schema, type Tx } from '../../platform/db/index.ts'

const { sites } = schema

/** Whether the site discourages indexing; undefined when there is no such site. */
export async function findSiteIndexing(tx: Tx, siteId: string, lock = false): Promise<boolean | undefined> {
  const query = tx
    .select({ discourageIndexing: sites.discourageIndexing })
    .from(sites)
    .where(eq(sites.id, siteId))
  const [row] = lock ? await query.for('update') : await query
  return row?.discourageIndexing
}

export async function updateSiteIndexing(tx: Tx, siteId: string, discourageIndexing: boolean): Promise<void> {
  await tx
    .update(sites)
    .set({ discourageIndexing, updatedAt: sql`now()` })
    .where(eq(sites.id, siteId))
}
