import { and, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm'
import { schema, type Tx } from '../../../platform/db/index.ts'

const { entryPreviews } = schema

export type PreviewRow = typeof entryPreviews.$inferSelect

export async function insertPreview(tx: Tx, row: typeof entryPreviews.$inferInsert): Promise<PreviewRow> {
  const [inserted] = await tx.insert(entryPreviews).values(row).returning()
  return inserted as PreviewRow
}

/** An entry's links, newest first, before the cursor id. */
export async function listPreviews(
  tx: Tx,
  q: { siteId: string; entryId: string; before?: string | undefined; limit: number },
): Promise<PreviewRow[]> {
  return tx
    .select()
    .from(entryPreviews)
    .where(
      and(
        eq(entryPreviews.siteId, q.siteId),
        eq(entryPreviews.entryId, q.entryId),
        q.before === undefined ? undefined : lt(entryPreviews.id, q.before),
      ),
    )
    .orderBy(desc(entryPreviews.id))
    .limit(q.limit)
}

/** Revokes a link that is not revoked yet; the row as revoked, or undefined. */
export async function revokePreview(
  tx: Tx,
  q: { siteId: string; entryId: string; id: string },
): Promise<PreviewRow | undefined> {
  const [row] = await tx
    .update(entryPreviews)
    .set({ revokedAt: sql`now()` })
    .where(
      and(
        eq(entryPreviews.siteId, q.siteId),
        eq(entryPreviews.entryId, q.entryId),
        eq(entryPreviews.id, q.id),
        isNull(entryPreviews.revokedAt),
      ),
    )
    .returning()
  return row
}

/** The live link with this token hash on the site: not revoked, not expired. */
export async function findLivePreview(
  tx: Tx,
  q: { siteId: string; tokenHash: string },
): Promise<PreviewRow | undefined> {
  const [row] = await tx
    .select()
    .from(entryPreviews)
    .where(
      and(
        eq(entryPreviews.siteId, q.siteId),
        eq(entryPreviews.tokenHash, q.tokenHash),
        isNull(entryPreviews.revokedAt),
        gt(entryPreviews.expiresAt, sql`now()`),
      ),
    )
  return row
}
