import { and, asc, eq, gt, inArray, isNotNull, sql } from 'drizzle-orm'
import { schema, type Tx } from '../../platform/db/index.ts'

const { taxonomies, terms, contentTypes } = schema

export type TaxonomyRow = typeof taxonomies.$inferSelect
export type NewTaxonomy = typeof taxonomies.$inferInsert

/**
 * Every query also filters on the site: row-level security already hides other sites' rows from a
 * site-bound transaction, and the explicit filter keeps that true in network-scope transactions too.
 */

export function listTaxonomies(
  tx: Tx,
  q: { siteId: string; after?: string | undefined; limit: number },
): Promise<TaxonomyRow[]> {
  return tx
    .select()
    .from(taxonomies)
    .where(and(eq(taxonomies.siteId, q.siteId), q.after ? gt(taxonomies.key, q.after) : undefined))
    .orderBy(asc(taxonomies.key))
    .limit(q.limit)
}

/**
 * A taxonomy by key. `lock` takes a row lock: every change to a taxonomy's terms locks it first, so term
 * slugs and the parent tree change one writer at a time (no slug race, no cycle built by two moves).
 */
export async function findTaxonomy(
  tx: Tx,
  siteId: string,
  ref: { key: string } | { id: string },
  options: { lock?: boolean } = {},
): Promise<TaxonomyRow | undefined> {
  const match = 'key' in ref ? eq(taxonomies.key, ref.key) : eq(taxonomies.id, ref.id)
  const query = tx
    .select()
    .from(taxonomies)
    .where(and(eq(taxonomies.siteId, siteId), match))
  const [row] = options.lock ? await query.for('update') : await query
  return row
}

export function findTaxonomiesByKeys(
  tx: Tx,
  siteId: string,
  keys: readonly string[],
): Promise<TaxonomyRow[]> {
  if (keys.length === 0) return Promise.resolve([])
  return tx
    .select()
    .from(taxonomies)
    .where(and(eq(taxonomies.siteId, siteId), inArray(taxonomies.key, [...keys])))
}

/** Inserts a taxonomy; undefined when the key is taken. */
export async function insertTaxonomy(tx: Tx, row: NewTaxonomy): Promise<TaxonomyRow | undefined> {
  const [inserted] = await tx.insert(taxonomies).values(row).onConflictDoNothing().returning()
  return inserted
}

export async function updateTaxonomy(
  tx: Tx,
  siteId: string,
  id: string,
  set: Partial<Pick<TaxonomyRow, 'name' | 'pluralName' | 'description' | 'hierarchical' | 'typeKeys'>>,
): Promise<TaxonomyRow> {
  const [row] = await tx
    .update(taxonomies)
    .set({ ...set, updatedAt: sql`now()` })
    .where(and(eq(taxonomies.siteId, siteId), eq(taxonomies.id, id)))
    .returning()
  if (!row) throw new TypeError('update of taxonomies returned no row')
  return row
}

/** Deletes a taxonomy; its terms and their assignments go with it (foreign keys cascade), entries stay. */
export async function deleteTaxonomy(tx: Tx, siteId: string, id: string): Promise<void> {
  await tx.delete(taxonomies).where(and(eq(taxonomies.siteId, siteId), eq(taxonomies.id, id)))
}

export async function taxonomyTermStats(
  tx: Tx,
  siteId: string,
  taxonomyId: string,
): Promise<{ terms: number; withParent: number }> {
  const [row] = await tx
    .select({
      terms: sql<number>`count(*)`.mapWith(Number),
      withParent: sql<number>`count(*) filter (where ${isNotNull(terms.parentId)})`.mapWith(Number),
    })
    .from(terms)
    .where(and(eq(terms.siteId, siteId), eq(terms.taxonomyId, taxonomyId)))
  return { terms: row?.terms ?? 0, withParent: row?.withParent ?? 0 }
}

/** The keys among `keys` that are content types of the site. */
export async function existingTypeKeys(
  tx: Tx,
  siteId: string,
  keys: readonly string[],
): Promise<Set<string>> {
  if (keys.length === 0) return new Set()
  const rows = await tx
    .select({ key: contentTypes.key })
    .from(contentTypes)
    .where(and(eq(contentTypes.siteId, siteId), inArray(contentTypes.key, [...keys])))
  return new Set(rows.map((r) => r.key))
}
