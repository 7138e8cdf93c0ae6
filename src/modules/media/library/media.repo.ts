import { and, asc, desc, eq, gte, ilike, inArray, lt, or, sql } from 'drizzle-orm'
import { containsPattern, schema, type Tx } from '../../../platform/db/index.ts'

const { media, mediaVariants } = schema

/** The media library's SQL: every statement names the site, and row-level security holds it there too. */

export type MediaRow = typeof media.$inferSelect
export type NewMediaRow = typeof media.$inferInsert
export type VariantRow = typeof mediaVariants.$inferSelect
export type NewVariantRow = typeof mediaVariants.$inferInsert

export async function insertMedia(tx: Tx, row: NewMediaRow): Promise<MediaRow> {
  const [inserted] = await tx.insert(media).values(row).returning()
  if (!inserted) throw new TypeError('insert into media returned no row')
  return inserted
}

export async function findMedia(tx: Tx, siteId: string, id: string): Promise<MediaRow | undefined> {
  const [row] = await tx
    .select()
    .from(media)
    .where(and(eq(media.siteId, siteId), eq(media.id, id)))
    .limit(1)
  return row
}

/** The item a retried upload (same site, uploader and Idempotency-Key) already created. */
export async function findByIdempotencyKey(
  tx: Tx,
  q: { siteId: string; uploaderId: string; key: string },
): Promise<MediaRow | undefined> {
  const [row] = await tx
    .select()
    .from(media)
    .where(
      and(eq(media.siteId, q.siteId), eq(media.uploaderId, q.uploaderId), eq(media.idempotencyKey, q.key)),
    )
    .limit(1)
  return row
}

export function listMedia(
  tx: Tx,
  q: {
    siteId: string
    before?: string | undefined
    limit: number
    category?: string | undefined
    uploaderId?: string | undefined
    search?: string | undefined
    createdAfter?: string | undefined
    createdBefore?: string | undefined
  },
): Promise<MediaRow[]> {
  const pattern = q.search ? containsPattern(q.search) : undefined
  return tx
    .select()
    .from(media)
    .where(
      and(
        eq(media.siteId, q.siteId),
        q.before ? lt(media.id, q.before) : undefined,
        q.category ? eq(media.category, q.category) : undefined,
        q.uploaderId ? eq(media.uploaderId, q.uploaderId) : undefined,
        pattern ? or(ilike(media.title, pattern), ilike(media.alt, pattern)) : undefined,
        q.createdAfter ? gte(media.createdAt, new Date(q.createdAfter)) : undefined,
        q.createdBefore ? lt(media.createdAt, new Date(q.createdBefore)) : undefined,
      ),
    )
    .orderBy(desc(media.id))
    .limit(q.limit)
}

export async function updateMedia(
  tx: Tx,
  siteId: string,
  id: string,
  patch: Partial<Pick<MediaRow, 'title' | 'alt' | 'caption' | 'credit' | 'decorative' | 'focalX' | 'focalY'>>,
): Promise<MediaRow | undefined> {
  const [row] = await tx
    .update(media)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(and(eq(media.siteId, siteId), eq(media.id, id)))
    .returning()
  return row
}

export async function deleteMedia(tx: Tx, siteId: string, id: string): Promise<MediaRow | undefined> {
  const [row] = await tx
    .delete(media)
    .where(and(eq(media.siteId, siteId), eq(media.id, id)))
    .returning()
  return row
}

/** The bytes a site's media hold (its quota's use). */
export async function sumMediaBytes(tx: Tx, siteId: string): Promise<number> {
  const [row] = await tx
    .select({ bytes: sql<string>`coalesce(sum(${media.sizeBytes}), 0)` })
    .from(media)
    .where(eq(media.siteId, siteId))
  return Number(row?.bytes ?? 0)
}

/** The variants of the items `mediaIds` (one statement for a whole page), narrowest first. */
export function listVariantsOf(tx: Tx, siteId: string, mediaIds: readonly string[]): Promise<VariantRow[]> {
  if (mediaIds.length === 0) return Promise.resolve([])
  return tx
    .select()
    .from(mediaVariants)
    .where(and(eq(mediaVariants.siteId, siteId), inArray(mediaVariants.mediaId, [...mediaIds])))
    .orderBy(asc(mediaVariants.width), asc(mediaVariants.format))
}

/** Replaces the item's variants with `rows` (a job run again writes the same set afresh). */
export async function replaceVariants(
  tx: Tx,
  siteId: string,
  mediaId: string,
  rows: readonly NewVariantRow[],
): Promise<void> {
  await tx
    .delete(mediaVariants)
    .where(and(eq(mediaVariants.siteId, siteId), eq(mediaVariants.mediaId, mediaId)))
  if (rows.length > 0) await tx.insert(mediaVariants).values([...rows])
}

/** Records the outcome of the image work on the item. */
export async function setProcessing(
  tx: Tx,
  siteId: string,
  id: string,
  patch: Partial<
    Pick<MediaRow, 'processing' | 'cleanKey' | 'dominantColor' | 'thumbhash' | 'width' | 'height'>
  >,
): Promise<void> {
  await tx
    .update(media)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(and(eq(media.siteId, siteId), eq(media.id, id)))
}
