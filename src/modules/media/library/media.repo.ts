import { and, asc, desc, eq, gte, ilike, inArray, isNull, lt, or, sql } from 'drizzle-orm'
import { containsPattern, rowsOf, schema, type Tx } from '../../../platform/db/index.ts'
import { readSiteSettings, type MediaSettings } from '../../sites/index.ts'

const { contentTypes, entries, entryMedia, media, mediaVariants, sites } = schema

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
    /** A folder's id, or `root` for items filed in none. */
    folder?: string | undefined
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
        q.folder === 'root'
          ? isNull(media.folderId)
          : q.folder
            ? eq(media.folderId, q.folder.toLowerCase())
            : undefined,
      ),
    )
    .orderBy(desc(media.id))
    .limit(q.limit)
}

export async function updateMedia(
  tx: Tx,
  siteId: string,
  id: string,
  patch: Partial<
    Pick<MediaRow, 'title' | 'alt' | 'caption' | 'credit' | 'decorative' | 'focalX' | 'focalY' | 'folderId'>
  >,
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

/** The items `ids` of the site, locked for a change (bulk moves and deletes), in id order. */
export function lockMediaRows(tx: Tx, siteId: string, ids: readonly string[]): Promise<MediaRow[]> {
  return tx
    .select()
    .from(media)
    .where(and(eq(media.siteId, siteId), inArray(media.id, [...ids])))
    .orderBy(asc(media.id))
    .for('update')
}

/** Files the items in `folderId` (null: the top of the library). */
export async function moveMedia(
  tx: Tx,
  siteId: string,
  ids: readonly string[],
  folderId: string | null,
): Promise<void> {
  await tx
    .update(media)
    .set({ folderId, updatedAt: sql`now()` })
    .where(and(eq(media.siteId, siteId), inArray(media.id, [...ids])))
}

/** Deletes the items `ids`, returning the rows removed. */
export function deleteMediaRows(tx: Tx, siteId: string, ids: readonly string[]): Promise<MediaRow[]> {
  return tx
    .delete(media)
    .where(and(eq(media.siteId, siteId), inArray(media.id, [...ids])))
    .returning()
}

export interface UsageRow {
  mediaId: string
  entryId: string
  title: string
  type: string
  status: string
  via: string[]
  live: boolean
}

/** The entries that show the items `mediaIds` (content keeps `entry_media`), newest entries first. */
export async function usageOf(tx: Tx, siteId: string, mediaIds: readonly string[]): Promise<UsageRow[]> {
  if (mediaIds.length === 0) return []
  return tx
    .select({
      mediaId: entryMedia.mediaId,
      entryId: entries.id,
      title: entries.title,
      type: contentTypes.key,
      status: entries.status,
      via: sql<string[]>`array_agg(distinct ${entryMedia.via} order by ${entryMedia.via})`,
      live: sql<boolean>`bool_or(${entryMedia.scope} = 'live')`,
    })
    .from(entryMedia)
    .innerJoin(entries, and(eq(entries.siteId, entryMedia.siteId), eq(entries.id, entryMedia.entryId)))
    .innerJoin(contentTypes, eq(contentTypes.id, entries.typeId))
    .where(and(eq(entryMedia.siteId, siteId), inArray(entryMedia.mediaId, [...mediaIds])))
    .groupBy(entryMedia.mediaId, entries.id, contentTypes.key)
    .orderBy(desc(entries.id))
}

/**
 * The object keys the site's items and variants name (for the cleanup job): all of them, or those of
 * `only` that are named.
 */
export async function storedKeysOf(tx: Tx, siteId: string, only?: readonly string[]): Promise<Set<string>> {
  const among =
    only === undefined
      ? sql`true`
      : sql`key in (${sql.join(
          only.map((k) => sql`${k}`),
          sql`, `,
        )})`
  const rows = await tx.execute(sql`
    select key from (
      select storage_key as key from media where site_id = ${siteId}
      union all select clean_key from media where site_id = ${siteId} and clean_key is not null
      union all select storage_key from media_variants where site_id = ${siteId}
    ) named where ${among}`)
  return new Set(rowsOf<{ key: string }>(rows).map((r) => r.key))
}

/**
 * Sites whose objects the cleanup job looks at: every site (a site whose last item went may still hold
 * objects a failed delete left).
 */
export async function siteIdsWithMedia(tx: Tx): Promise<string[]> {
  const rows = await tx.select({ id: sites.id }).from(sites).orderBy(asc(sites.id))
  return rows.map((r) => r.id)
}

/** The site's media settings (what it accepts, whether images keep camera details). */
export async function siteMediaSettings(tx: Tx, siteId: string): Promise<MediaSettings> {
  const [row] = await tx.select({ settings: sites.settings }).from(sites).where(eq(sites.id, siteId)).limit(1)
  return readSiteSettings(row?.settings).media
}
