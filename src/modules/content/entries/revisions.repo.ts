import { and, desc, eq, lt, sql } from 'drizzle-orm'
import { schema, type Tx } from '../../../platform/db/index.ts'
import type { EntrySnapshot } from '../content.model.ts'
import type { RevisionRow } from './entries.repo.ts'

export type { RevisionRow } from './entries.repo.ts'

const { revisions } = schema

/**
 * Revisions of one entry. Every query also filters on the site: row-level security already hides other
 * sites' rows, and the explicit filter keeps that true in network-scope transactions too.
 */

/** Newest first (UUIDv7 ids are time-ordered); `before` is the cursor. Snapshots are left out. */
export function listRevisions(
  tx: Tx,
  q: { siteId: string; entryId: string; before?: string | undefined; limit: number },
): Promise<Omit<RevisionRow, 'snapshot'>[]> {
  return tx
    .select({
      id: revisions.id,
      siteId: revisions.siteId,
      entryId: revisions.entryId,
      authorId: revisions.authorId,
      kind: revisions.kind,
      restoredFrom: revisions.restoredFrom,
      createdAt: revisions.createdAt,
      updatedAt: revisions.updatedAt,
    })
    .from(revisions)
    .where(
      and(
        eq(revisions.siteId, q.siteId),
        eq(revisions.entryId, q.entryId),
        q.before ? lt(revisions.id, q.before) : undefined,
      ),
    )
    .orderBy(desc(revisions.id))
    .limit(q.limit)
}

export async function findAutosave(
  tx: Tx,
  siteId: string,
  entryId: string,
  userId: string,
): Promise<RevisionRow | undefined> {
  const [row] = await tx
    .select()
    .from(revisions)
    .where(
      and(
        eq(revisions.siteId, siteId),
        eq(revisions.entryId, entryId),
        eq(revisions.authorId, userId),
        eq(revisions.kind, 'autosave'),
      ),
    )
  return row
}

/** Creates or overwrites the user's one autosave revision of the entry (`revisions_one_autosave_key`). */
export async function upsertAutosave(
  tx: Tx,
  row: { id: string; siteId: string; entryId: string; authorId: string; snapshot: EntrySnapshot },
): Promise<RevisionRow> {
  const [saved] = await tx
    .insert(revisions)
    .values({ ...row, kind: 'autosave' })
    .onConflictDoUpdate({
      target: [revisions.entryId, revisions.authorId],
      targetWhere: sql`${revisions.kind} = 'autosave'`,
      set: { snapshot: row.snapshot, updatedAt: sql`now()` },
    })
    .returning()
  if (!saved) throw new TypeError('upsert of revisions returned no row')
  return saved
}

/** Drops the user's autosave of the entry: a save supersedes it. */
export async function deleteAutosave(tx: Tx, siteId: string, entryId: string, userId: string): Promise<void> {
  await tx
    .delete(revisions)
    .where(
      and(
        eq(revisions.siteId, siteId),
        eq(revisions.entryId, entryId),
        eq(revisions.authorId, userId),
        eq(revisions.kind, 'autosave'),
      ),
    )
}
