import { and, arrayContains, asc, eq, inArray, or } from 'drizzle-orm'
import { schema, type Tx } from '../../platform/db/index.ts'
import { visibleTo, type Audience } from '../content/index.ts'

const { entries, contentTypes, entryTerms, taxonomies, terms } = schema

/** What the assignment rules need to know about an entry. */
export interface EntryFacts {
  id: string
  authorId: string | null
  status: string
  visibility: string
  typeKey: string
}

export interface AssignedTermRow {
  id: string
  slug: string
  name: string
  parentId: string | null
  taxonomyKey: string
}

/**
 * The entry's author, status, visibility and type key. `lock` takes the entry's row lock, so two
 * replacements of one entry's terms run one after the other; with `audience`, an entry that audience
 * may not read is not found.
 */
export async function findEntryFacts(
  tx: Tx,
  siteId: string,
  id: string,
  options: { lock?: boolean; audience?: Audience } = {},
): Promise<EntryFacts | undefined> {
  const query = tx
    .select({
      id: entries.id,
      authorId: entries.authorId,
      status: entries.status,
      visibility: entries.visibility,
      typeKey: contentTypes.key,
    })
    .from(entries)
    .innerJoin(contentTypes, eq(contentTypes.id, entries.typeId))
    .where(
      and(
        eq(entries.siteId, siteId),
        eq(entries.id, id),
        options.audience ? visibleTo(options.audience, 'entries', siteId) : undefined,
      ),
    )
  const [row] = options.lock ? await query.for('update', { of: entries }) : await query
  return row
}

/** The keys of the taxonomies that apply to a content type, by key. */
export async function applicableTaxonomyKeys(tx: Tx, siteId: string, typeKey: string): Promise<string[]> {
  const rows = await tx
    .select({ key: taxonomies.key })
    .from(taxonomies)
    .where(and(eq(taxonomies.siteId, siteId), arrayContains(taxonomies.typeKeys, [typeKey])))
    .orderBy(asc(taxonomies.key))
  return rows.map((r) => r.key)
}

export function listEntryTerms(tx: Tx, siteId: string, entryId: string): Promise<AssignedTermRow[]> {
  return tx
    .select({
      id: terms.id,
      slug: terms.slug,
      name: terms.name,
      parentId: terms.parentId,
      taxonomyKey: taxonomies.key,
    })
    .from(entryTerms)
    .innerJoin(terms, eq(terms.id, entryTerms.termId))
    .innerJoin(taxonomies, eq(taxonomies.id, terms.taxonomyId))
    .where(and(eq(entryTerms.siteId, siteId), eq(entryTerms.entryId, entryId)))
    .orderBy(asc(taxonomies.key), asc(entryTerms.position), asc(terms.slug))
}

/** Terms of the site whose id is among `ids`, or whose slug is among `slugs` in one of `taxonomyIds`. */
export function findTermsByRefs(
  tx: Tx,
  q: { siteId: string; ids: readonly string[]; slugs: readonly string[]; taxonomyIds: readonly string[] },
): Promise<Array<{ id: string; slug: string; taxonomyId: string }>> {
  const byId = q.ids.length > 0 ? inArray(terms.id, [...q.ids]) : undefined
  const bySlug =
    q.slugs.length > 0 && q.taxonomyIds.length > 0
      ? and(inArray(terms.taxonomyId, [...q.taxonomyIds]), inArray(terms.slug, [...q.slugs]))
      : undefined
  if (!byId && !bySlug) return Promise.resolve([])
  return tx
    .select({ id: terms.id, slug: terms.slug, taxonomyId: terms.taxonomyId })
    .from(terms)
    .where(and(eq(terms.siteId, q.siteId), or(byId, bySlug)))
}

/** Replaces the entry's terms of the given taxonomies with `termIds`, in that order. */
export async function replaceEntryTerms(
  tx: Tx,
  q: { siteId: string; entryId: string; taxonomyIds: readonly string[]; termIds: readonly string[] },
): Promise<void> {
  if (q.taxonomyIds.length === 0) return
  const ofTaxonomies = tx
    .select({ id: terms.id })
    .from(terms)
    .where(and(eq(terms.siteId, q.siteId), inArray(terms.taxonomyId, [...q.taxonomyIds])))
  await tx
    .delete(entryTerms)
    .where(
      and(
        eq(entryTerms.siteId, q.siteId),
        eq(entryTerms.entryId, q.entryId),
        inArray(entryTerms.termId, ofTaxonomies),
      ),
    )
  if (q.termIds.length === 0) return
  await tx
    .insert(entryTerms)
    .values(q.termIds.map((termId, position) => ({ siteId: q.siteId, entryId: q.entryId, termId, position })))
}
