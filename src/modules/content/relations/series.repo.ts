import { and, desc, eq, lt, ne, sql, type SQL } from 'drizzle-orm'
import { schema, type Tx } from '../../../platform/db/index.ts'
import { visibleTo, type Audience } from '../audience.repo.ts'
import { jsonOf, linkedEntryJson, type LinkedEntryRow } from './relations.repo.ts'

const { series, seriesEntries } = schema

export type SeriesRow = typeof series.$inferSelect
export type NewSeries = typeof series.$inferInsert

export interface SeriesListRow {
  series: SeriesRow
  entryCount: number
}

export interface SeriesDetailRow {
  series: SeriesRow
  entries: LinkedEntryRow[]
}

/**
 * Every query filters on the site explicitly; row-level security is the second wall. Member entries are
 * filtered by the audience (audience.repo.ts): each caller sees, and counts, only the members they may read.
 */

function membersOf(siteId: string, audience: Audience): SQL {
  return sql`from series_entries se
    join entries o on o.id = se.entry_id and o.site_id = ${siteId}
    join content_types ot on ot.id = o.type_id and ot.site_id = ${siteId}
    where se.site_id = ${siteId} and se.series_id = ${series.id} and ${visibleTo(audience, 'o', siteId)}`
}

export function listSeries(
  tx: Tx,
  q: { siteId: string; before?: string | undefined; limit: number; audience: Audience },
): Promise<SeriesListRow[]> {
  return tx
    .select({
      series,
      entryCount: sql<number>`(select count(*) ${membersOf(q.siteId, q.audience)})`.mapWith(Number),
    })
    .from(series)
    .where(and(eq(series.siteId, q.siteId), q.before ? lt(series.id, q.before) : undefined))
    .orderBy(desc(series.id))
    .limit(q.limit)
}

/** A series by id or slug with its visible entries in order, in one statement. */
export async function findSeriesDetail(
  tx: Tx,
  q: { siteId: string; ref: { id: string } | { slug: string }; audience: Audience },
): Promise<SeriesDetailRow | undefined> {
  const [row] = await tx
    .select({
      series,
      entries: sql<unknown>`(select coalesce(json_agg(${linkedEntryJson('o', 'ot')} order by se.position), '[]'::json)
        ${membersOf(q.siteId, q.audience)})`,
    })
    .from(series)
    .where(
      and(eq(series.siteId, q.siteId), 'id' in q.ref ? eq(series.id, q.ref.id) : eq(series.slug, q.ref.slug)),
    )
  return row ? { series: row.series, entries: jsonOf<LinkedEntryRow[]>(row.entries) } : undefined
}

/** The series row, locked: changes to one series (fields, membership) queue. */
export async function lockSeries(tx: Tx, siteId: string, id: string): Promise<SeriesRow | undefined> {
  const [row] = await tx
    .select()
    .from(series)
    .where(and(eq(series.siteId, siteId), eq(series.id, id)))
    .for('update')
  return row
}

export async function slugInUse(tx: Tx, siteId: string, slug: string, excludeId?: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: series.id })
    .from(series)
    .where(
      and(eq(series.siteId, siteId), eq(series.slug, slug), excludeId ? ne(series.id, excludeId) : undefined),
    )
  return row !== undefined
}

/** Inserts a series; undefined when its slug is taken. */
export async function insertSeries(tx: Tx, row: NewSeries): Promise<SeriesRow | undefined> {
  const [inserted] = await tx.insert(series).values(row).onConflictDoNothing().returning()
  return inserted
}

/**
 * Updates a series; undefined when another series took the slug meanwhile. The update runs in a
 * savepoint so losing that race leaves the caller's transaction usable.
 */
export async function updateSeries(
  tx: Tx,
  siteId: string,
  id: string,
  set: Partial<Pick<SeriesRow, 'name' | 'slug' | 'description'>>,
): Promise<SeriesRow | undefined> {
  try {
    const [row] = await tx.transaction((sp) =>
      sp
        .update(series)
        .set({ ...set, updatedAt: new Date() })
        .where(and(eq(series.siteId, siteId), eq(series.id, id)))
        .returning(),
    )
    return row
  } catch (err) {
    if (isUniqueViolation(err)) return undefined
    throw err
  }
}

/** Deletes the series; its entries stay (only the membership rows go, by cascade). */
export async function deleteSeries(tx: Tx, siteId: string, id: string): Promise<void> {
  await tx.delete(series).where(and(eq(series.siteId, siteId), eq(series.id, id)))
}

export async function replaceSeriesEntries(
  tx: Tx,
  q: { siteId: string; seriesId: string; entryIds: readonly string[] },
): Promise<number> {
  const removed = await tx
    .delete(seriesEntries)
    .where(and(eq(seriesEntries.siteId, q.siteId), eq(seriesEntries.seriesId, q.seriesId)))
    .returning({ entryId: seriesEntries.entryId })
  if (q.entryIds.length > 0)
    await tx.insert(seriesEntries).values(
      q.entryIds.map((entryId, position) => ({
        siteId: q.siteId,
        seriesId: q.seriesId,
        entryId,
        position,
      })),
    )
  return removed.length
}

function isUniqueViolation(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 3; depth++) {
    if (e.code === '23505') return true
    e = e.cause as typeof e
  }
  return false
}
