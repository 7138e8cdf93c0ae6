import { and, asc, count, eq, gt, inArray, isNull, ne, sql } from 'drizzle-orm'
import { schema, type Tx } from '../../../platform/db/index.ts'

const { contentTypes, entries, fieldGroups, media } = schema

export type TypeRow = typeof contentTypes.$inferSelect
export type NewTypeRow = typeof contentTypes.$inferInsert
export type TypeChange = Partial<
  Pick<
    TypeRow,
    | 'name'
    | 'pluralName'
    | 'description'
    | 'hierarchical'
    | 'permalink'
    | 'fields'
    | 'fieldGroups'
    | 'retiredFields'
    | 'approvalsRequired'
  >
>

/** A type row with the field definitions of the groups it includes, in the order it lists them. */
export interface TypeWithGroups {
  row: TypeRow
  groups: Array<{ key: string; fields: unknown }>
}

/**
 * Every query also filters on the site: row-level security hides other sites' rows from a site-bound
 * transaction, and the explicit filter keeps that true in network-scope transactions (jobs, maintenance).
 */

// The outer columns are spelled out: in a one-table select Drizzle leaves them unqualified, and
// `site_id` would then be the subquery's own (every site's groups of that key).
const groupsOf = sql<Array<{ key: string; fields: unknown }>>`coalesce((
  select jsonb_agg(jsonb_build_object('key', g.key, 'fields', g.fields)
    order by array_position("content_types"."field_groups", g.key))
  from ${fieldGroups} g
  where g.site_id = "content_types"."site_id" and g.key = any("content_types"."field_groups")
), '[]'::jsonb)`

/** One statement: the type and its groups' fields (the entry write path runs this on every save). */
export async function findTypeWithGroups(
  tx: Tx,
  siteId: string,
  ref: { key: string } | { id: string },
): Promise<TypeWithGroups | undefined> {
  const match = 'id' in ref ? eq(contentTypes.id, ref.id) : eq(contentTypes.key, ref.key)
  const [found] = await tx
    .select({ row: contentTypes, groups: groupsOf })
    .from(contentTypes)
    .where(and(eq(contentTypes.siteId, siteId), match))
  return found
}

export function listTypesWithGroups(
  tx: Tx,
  q: { siteId: string; after?: string | undefined; limit: number },
): Promise<TypeWithGroups[]> {
  return tx
    .select({ row: contentTypes, groups: groupsOf })
    .from(contentTypes)
    .where(and(eq(contentTypes.siteId, q.siteId), q.after ? gt(contentTypes.key, q.after) : undefined))
    .orderBy(asc(contentTypes.key))
    .limit(q.limit)
}

/** The type row, locked: schema changes to one type are serialised. */
export async function lockType(tx: Tx, siteId: string, key: string): Promise<TypeRow | undefined> {
  const [row] = await tx
    .select()
    .from(contentTypes)
    .where(and(eq(contentTypes.siteId, siteId), eq(contentTypes.key, key)))
    .for('update')
  return row
}

export async function typeKeysOf(tx: Tx, siteId: string): Promise<Set<string>> {
  const rows = await tx
    .select({ key: contentTypes.key })
    .from(contentTypes)
    .where(eq(contentTypes.siteId, siteId))
  return new Set(rows.map((r) => r.key))
}

/** Types including the group, locked (a group change rewrites their retired keys). */
export function lockTypesIncludingGroup(tx: Tx, siteId: string, groupKey: string): Promise<TypeRow[]> {
  return tx
    .select()
    .from(contentTypes)
    .where(and(eq(contentTypes.siteId, siteId), sql`${groupKey} = any(${contentTypes.fieldGroups})`))
    .orderBy(asc(contentTypes.key))
    .for('update')
}

/** Inserts a type; undefined when the key is taken on the site. */
export async function insertType(tx: Tx, row: NewTypeRow): Promise<TypeRow | undefined> {
  const [inserted] = await tx.insert(contentTypes).values(row).onConflictDoNothing().returning()
  return inserted
}

export async function updateType(tx: Tx, siteId: string, id: string, change: TypeChange): Promise<TypeRow> {
  const [row] = await tx
    .update(contentTypes)
    .set({ ...change, updatedAt: sql`now()` })
    .where(and(eq(contentTypes.siteId, siteId), eq(contentTypes.id, id)))
    .returning()
  if (!row) throw new TypeError('update of content_types returned no row')
  return row
}

export async function deleteType(tx: Tx, siteId: string, id: string): Promise<void> {
  await tx.delete(contentTypes).where(and(eq(contentTypes.siteId, siteId), eq(contentTypes.id, id)))
}

/** Entries of the type in any status, trash included (they still reference it). */
export async function countEntriesOfType(tx: Tx, siteId: string, typeId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(entries)
    .where(and(eq(entries.siteId, siteId), eq(entries.typeId, typeId)))
  return row?.n ?? 0
}

/** Removes the keys from `fields` of every entry of the type holding one; returns how many changed. */
export async function purgeFieldValues(
  tx: Tx,
  q: { siteId: string; typeId: string; keys: readonly string[] },
): Promise<number> {
  const keys = sql`array[${sql.join(
    q.keys.map((k) => sql`${k}`),
    sql`, `,
  )}]::text[]`
  const rows = await tx
    .update(entries)
    .set({ fields: sql`${entries.fields} - ${keys}` })
    .where(and(eq(entries.siteId, q.siteId), eq(entries.typeId, q.typeId), sql`${entries.fields} ?| ${keys}`))
    .returning({ id: entries.id })
  return rows.length
}

/**
 * Serialises unique checks of one field of one type until the transaction ends, so two concurrent saves
 * of the same value cannot both pass.
 */
export async function lockUniqueField(tx: Tx, typeId: string, key: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`unique:${typeId}:${key}`}, 0))`)
}

/** Whether another non-trashed entry of the type stores the same value under `key`. */
export async function hasUniqueClash(
  tx: Tx,
  q: { siteId: string; typeId: string; key: string; value: unknown; excludeId?: string | undefined },
): Promise<boolean> {
  const [row] = await tx
    .select({ id: entries.id })
    .from(entries)
    .where(
      and(
        eq(entries.siteId, q.siteId),
        eq(entries.typeId, q.typeId),
        isNull(entries.trashedAt),
        sql`${entries.fields} -> ${q.key} = ${JSON.stringify(q.value)}::jsonb`,
        q.excludeId ? ne(entries.id, q.excludeId) : undefined,
      ),
    )
    .limit(1)
  return row !== undefined
}

/** The type keys of the given entries of the site (missing ids are simply absent). */
export async function entryTypesOf(
  tx: Tx,
  siteId: string,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const rows = await tx
    .select({ id: entries.id, typeKey: contentTypes.key })
    .from(entries)
    .innerJoin(contentTypes, eq(contentTypes.id, entries.typeId))
    .where(and(eq(entries.siteId, siteId), inArray(entries.id, [...ids])))
  return new Map(rows.map((r) => [r.id, r.typeKey]))
}

/**
 * Which of `ids` name media items of the site (media fields and featured media refer to them). The media
 * module owns the table; content only asks whether an id exists there, under the site's row-level
 * security as every read.
 */
export async function mediaIdsOf(tx: Tx, siteId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await tx
    .select({ id: media.id })
    .from(media)
    .where(and(eq(media.siteId, siteId), inArray(media.id, [...ids])))
  return new Set(rows.map((r) => r.id))
}
