import { and, asc, eq, gt, ilike, isNull, ne, or, sql, type SQL } from 'drizzle-orm'
import { containsPattern, schema, type Tx, rowsOf } from '../../platform/db/index.ts'

const { terms, taxonomies } = schema

export type TermRow = typeof terms.$inferSelect
export type NewTerm = typeof terms.$inferInsert
/** A term as readers see it: with its taxonomy's key and the number of entries its archive lists. */
export type CountedTermRow = TermRow & { taxonomyKey: string; count: number }

/**
 * Every query also filters on the site (row-level security is the second wall). Counts are computed in
 * the statement that reads the terms, so a list costs one statement whatever its length.
 */

/** Published, public entries carrying the term: exactly what the term's archive lists to readers. */
function countOf(siteId: string): SQL<number> {
  return sql<number>`(
    select count(*) from entry_terms et join entries e on e.id = et.entry_id
    where et.term_id = ${terms.id} and et.site_id = ${siteId} and e.site_id = ${siteId}
      and e.status = 'published' and e.visibility = 'public'
  )`.mapWith(Number)
}

function selectCounted(tx: Tx, siteId: string) {
  return tx
    .select({
      id: terms.id,
      siteId: terms.siteId,
      taxonomyId: terms.taxonomyId,
      slug: terms.slug,
      name: terms.name,
      description: terms.description,
      parentId: terms.parentId,
      meta: terms.meta,
      createdAt: terms.createdAt,
      updatedAt: terms.updatedAt,
      taxonomyKey: taxonomies.key,
      count: countOf(siteId),
    })
    .from(terms)
    .innerJoin(taxonomies, eq(taxonomies.id, terms.taxonomyId))
}

export function listTerms(
  tx: Tx,
  q: {
    siteId: string
    taxonomyId: string
    after?: string | undefined
    /** A parent id, null for top-level terms, undefined for all. */
    parentId?: string | null | undefined
    search?: string | undefined
    limit: number
  },
): Promise<CountedTermRow[]> {
  const parent =
    q.parentId === undefined
      ? undefined
      : q.parentId === null
        ? isNull(terms.parentId)
        : eq(terms.parentId, q.parentId)
  const search = q.search
    ? or(ilike(terms.name, containsPattern(q.search)), ilike(terms.slug, containsPattern(q.search)))
    : undefined
  return selectCounted(tx, q.siteId)
    .where(
      and(
        eq(terms.siteId, q.siteId),
        eq(terms.taxonomyId, q.taxonomyId),
        q.after === undefined ? undefined : gt(terms.slug, q.after),
        parent,
        search,
      ),
    )
    .orderBy(asc(terms.slug))
    .limit(q.limit)
}

export async function findCountedTerm(
  tx: Tx,
  siteId: string,
  id: string,
): Promise<CountedTermRow | undefined> {
  const [row] = await selectCounted(tx, siteId).where(and(eq(terms.siteId, siteId), eq(terms.id, id)))
  return row
}

export async function findTerm(tx: Tx, siteId: string, id: string): Promise<TermRow | undefined> {
  const [row] = await tx
    .select()
    .from(terms)
    .where(and(eq(terms.siteId, siteId), eq(terms.id, id)))
  return row
}

/**
 * Which of `candidates` other terms of the taxonomy hold (content's `freeSlug` picks the first free one),
 * looked up by equality. Callers hold the taxonomy's row lock, so nobody takes one between this read and
 * their write.
 */
export async function takenTermSlugs(
  tx: Tx,
  q: { siteId: string; taxonomyId: string; candidates: readonly string[]; excludeId?: string | undefined },
): Promise<Set<string>> {
  const rows = await tx
    .select({ slug: terms.slug })
    .from(terms)
    .where(
      and(
        eq(terms.siteId, q.siteId),
        eq(terms.taxonomyId, q.taxonomyId),
        sql`${terms.slug} = any(${sql.param([...q.candidates])}::text[])`,
        q.excludeId ? ne(terms.id, q.excludeId) : undefined,
      ),
    )
  return new Set(rows.map((r) => r.slug))
}

/** The ids of `id`'s ancestors, nearest first (a cycle in stored data stops the walk at 100 levels). */
export async function ancestorIds(tx: Tx, siteId: string, id: string): Promise<string[]> {
  const result = await tx.execute(sql`
    with recursive up(id, parent_id, depth) as (
      select id, parent_id, 0 from terms where site_id = ${siteId} and id = ${id}
      union all
      select t.id, t.parent_id, up.depth + 1 from terms t join up on t.id = up.parent_id
      where t.site_id = ${siteId} and up.depth < 100
    )
    select id from up where depth > 0 order by depth`)
  return rowsOf<{ id: string }>(result).map((r) => r.id)
}

export async function insertTerm(tx: Tx, row: NewTerm): Promise<TermRow> {
  const [inserted] = await tx.insert(terms).values(row).returning()
  if (!inserted) throw new TypeError('insert into terms returned no row')
  return inserted
}

export async function updateTerm(
  tx: Tx,
  siteId: string,
  id: string,
  set: Partial<Pick<TermRow, 'name' | 'slug' | 'description' | 'parentId' | 'meta'>>,
): Promise<TermRow> {
  const [row] = await tx
    .update(terms)
    .set({ ...set, updatedAt: sql`now()` })
    .where(and(eq(terms.siteId, siteId), eq(terms.id, id)))
    .returning()
  if (!row) throw new TypeError('update of terms returned no row')
  return row
}

/**
 * Deletes a term. Its children move up to its parent first (the foreign key alone would orphan them at
 * the top level); its assignments go with it (cascade); entries are never touched. Returns how many
 * children moved.
 */
export async function deleteTerm(tx: Tx, term: TermRow): Promise<number> {
  const moved = await tx
    .update(terms)
    .set({ parentId: term.parentId, updatedAt: sql`now()` })
    .where(and(eq(terms.siteId, term.siteId), eq(terms.parentId, term.id)))
    .returning({ id: terms.id })
  await tx.delete(terms).where(and(eq(terms.siteId, term.siteId), eq(terms.id, term.id)))
  return moved.length
}
