import { and, count, eq, isNull, ne, sql } from 'drizzle-orm'
import { schema, type Tx, rowsOf } from '../../../platform/db/index.ts'
import type { EntrySnapshot } from '../content.model.ts'
import { EntriesErrors } from './entries.errors.ts'
import { columnsOf } from './entries.snapshot.ts'
import type { EntryRow } from './entries.view.ts'
import { freeSlug } from './slug.ts'

export { snapshotOf } from './entries.snapshot.ts'
export type { EntryRow } from './entries.view.ts'

const { entries, revisions, siteMembers } = schema

export type RevisionRow = typeof revisions.$inferSelect
export type NewEntry = typeof entries.$inferInsert

/**
 * Every query also filters on the site: row-level security already hides other sites' rows from a
 * site-bound transaction, and the explicit filter keeps that true in network-scope transactions too.
 */

/** The entry, locked for the rest of the transaction (serialises saves, publishes and restores). */
export async function lockEntry(tx: Tx, siteId: string, id: string): Promise<EntryRow | undefined> {
  const [row] = await tx
    .select()
    .from(entries)
    .where(and(eq(entries.siteId, siteId), eq(entries.id, id)))
    .for('update')
  return row
}

export async function findEntry(tx: Tx, siteId: string, id: string): Promise<EntryRow | undefined> {
  const [row] = await tx
    .select()
    .from(entries)
    .where(and(eq(entries.siteId, siteId), eq(entries.id, id)))
  return row
}

export async function countEntries(tx: Tx, siteId: string): Promise<number> {
  const [row] = await tx.select({ n: count() }).from(entries).where(eq(entries.siteId, siteId))
  return Number(row?.n ?? 0)
}

/** `slug`, or `slug-2`, `slug-3`… : the first one no other entry of the type (outside the trash) holds. */
export function uniqueSlug(
  tx: Tx,
  q: { siteId: string; typeId: string; slug: string; excludeId?: string | undefined },
): Promise<string> {
  return freeSlug(q.slug, async (candidates) => {
    const rows = await tx
      .select({ slug: entries.slug })
      .from(entries)
      .where(
        and(
          eq(entries.siteId, q.siteId),
          eq(entries.typeId, q.typeId),
          isNull(entries.trashedAt),
          sql`${entries.slug} = any(${sql.param(candidates)}::text[])`,
          q.excludeId ? ne(entries.id, q.excludeId) : undefined,
        ),
      )
    return new Set(rows.map((r) => r.slug))
  })
}

/**
 * Inserts an entry; undefined when its slug was taken meanwhile (a concurrent save won the race on
 * `entries_slug_key`). ON CONFLICT keeps the caller's transaction usable without a savepoint.
 */
export async function insertEntry(tx: Tx, row: NewEntry): Promise<EntryRow | undefined> {
  const [inserted] = await tx.insert(entries).values(row).onConflictDoNothing().returning()
  return inserted
}

/**
 * Writes a snapshot into the entry's content columns, with any `set` columns (status, revision
 * pointers…). Throws 409 COLOPHON_CONTENT_SLUG_TAKEN when another entry took the slug meanwhile; the
 * update runs in a savepoint so the caller's transaction stays usable and may retry with another slug.
 */
export async function applySnapshot(
  tx: Tx,
  change: { siteId: string; id: string; snapshot?: EntrySnapshot; set?: Partial<EntryRow> },
): Promise<EntryRow> {
  // The row's identity never changes through a save.
  const { id: _id, siteId: _siteId, ...extra } = change.set ?? {}
  const values = {
    ...(change.snapshot ? columnsOf(change.snapshot) : {}),
    ...extra,
    updatedAt: sql`now()`,
  }
  try {
    const [row] = await tx.transaction((sp) =>
      sp
        .update(entries)
        .set(values)
        .where(and(eq(entries.siteId, change.siteId), eq(entries.id, change.id)))
        .returning(),
    )
    if (!row) throw new TypeError('update of entries returned no row')
    return row
  } catch (err) {
    if (isSlugViolation(err)) throw EntriesErrors.slugTaken({ details: { slug: change.snapshot?.slug } })
    throw err
  }
}

function isSlugViolation(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; constraint?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 3;
    depth++
  ) {
    if (e.code === '23505') return e.constraint === undefined || e.constraint === 'entries_slug_key'
    e = e.cause as typeof e
  }
  return false
}

export async function findRevision(
  tx: Tx,
  siteId: string,
  entryId: string,
  revisionId: string,
): Promise<RevisionRow | undefined> {
  const [row] = await tx
    .select()
    .from(revisions)
    .where(and(eq(revisions.siteId, siteId), eq(revisions.entryId, entryId), eq(revisions.id, revisionId)))
  return row
}

export async function insertRevision(tx: Tx, row: typeof revisions.$inferInsert): Promise<RevisionRow> {
  const [inserted] = await tx.insert(revisions).values(row).returning()
  if (!inserted) throw new TypeError('insert into revisions returned no row')
  return inserted
}

/** `startId` and its ancestors, nearest first (bounded depth, so a corrupt loop cannot spin). */
export async function ancestorIds(tx: Tx, siteId: string, startId: string): Promise<string[]> {
  const result = await tx.execute(sql`
    with recursive up(id, parent_id, depth) as (
      select id, parent_id, 0 from entries where site_id = ${siteId} and id = ${startId}
      union all
      select e.id, e.parent_id, up.depth + 1 from entries e join up on e.id = up.parent_id
      where e.site_id = ${siteId} and up.depth < 100
    )
    select id from up`)
  return rowsOf<{ id: string }>(result).map((r) => r.id)
}

export async function isSiteMember(tx: Tx, siteId: string, userId: string): Promise<boolean> {
  const [row] = await tx
    .select({ userId: siteMembers.userId })
    .from(siteMembers)
    .where(and(eq(siteMembers.siteId, siteId), eq(siteMembers.userId, userId)))
  return row !== undefined
}

/**
 * Hands every entry authored by `fromUserId`, on every site, to `toUserId` (user deletion). Runs in the
 * deleting network-scope transaction; returns how many entries moved.
 */
export async function reassignAuthor(tx: Tx, fromUserId: string, toUserId: string): Promise<number> {
  const moved = await tx
    .update(entries)
    .set({ authorId: toUserId, updatedAt: sql`now()` })
    .where(eq(entries.authorId, fromUserId))
    .returning({ id: entries.id })
  return moved.length
}
