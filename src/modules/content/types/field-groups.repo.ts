import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm'
import { schema, type Tx } from '../../../platform/db/index.ts'

const { contentTypes, fieldGroups } = schema

export type FieldGroupRow = typeof fieldGroups.$inferSelect
export type NewFieldGroupRow = typeof fieldGroups.$inferInsert

/** Every query also filters on the site (row-level security is the second wall, not the only one). */

export function listGroups(
  tx: Tx,
  q: { siteId: string; after?: string | undefined; limit: number },
): Promise<FieldGroupRow[]> {
  return tx
    .select()
    .from(fieldGroups)
    .where(and(eq(fieldGroups.siteId, q.siteId), q.after ? gt(fieldGroups.key, q.after) : undefined))
    .orderBy(asc(fieldGroups.key))
    .limit(q.limit)
}

export async function findGroup(
  tx: Tx,
  siteId: string,
  key: string,
  options: { lock?: boolean } = {},
): Promise<FieldGroupRow | undefined> {
  const query = tx
    .select()
    .from(fieldGroups)
    .where(and(eq(fieldGroups.siteId, siteId), eq(fieldGroups.key, key)))
  const [row] = options.lock ? await query.for('update') : await query
  return row
}

/** The groups, share-locked: a group cannot be deleted or changed while a type including it is saved. */
export function findGroupsByKeys(tx: Tx, siteId: string, keys: readonly string[]): Promise<FieldGroupRow[]> {
  if (keys.length === 0) return Promise.resolve([])
  return tx
    .select()
    .from(fieldGroups)
    .where(and(eq(fieldGroups.siteId, siteId), inArray(fieldGroups.key, [...keys])))
    .for('share')
}

/** Inserts a group; undefined when the key is taken on the site. */
export async function insertGroup(tx: Tx, row: NewFieldGroupRow): Promise<FieldGroupRow | undefined> {
  const [inserted] = await tx.insert(fieldGroups).values(row).onConflictDoNothing().returning()
  return inserted
}

export async function updateGroup(
  tx: Tx,
  siteId: string,
  id: string,
  change: Partial<Pick<FieldGroupRow, 'name' | 'description' | 'fields'>>,
): Promise<FieldGroupRow> {
  const [row] = await tx
    .update(fieldGroups)
    .set({ ...change, updatedAt: sql`now()` })
    .where(and(eq(fieldGroups.siteId, siteId), eq(fieldGroups.id, id)))
    .returning()
  if (!row) throw new TypeError('update of field_groups returned no row')
  return row
}

export async function deleteGroup(tx: Tx, siteId: string, id: string): Promise<void> {
  await tx.delete(fieldGroups).where(and(eq(fieldGroups.siteId, siteId), eq(fieldGroups.id, id)))
}

/** Keys of the types that include the group. */
export async function typeKeysIncludingGroup(tx: Tx, siteId: string, groupKey: string): Promise<string[]> {
  const rows = await tx
    .select({ key: contentTypes.key })
    .from(contentTypes)
    .where(and(eq(contentTypes.siteId, siteId), sql`${groupKey} = any(${contentTypes.fieldGroups})`))
    .orderBy(asc(contentTypes.key))
  return rows.map((r) => r.key)
}
