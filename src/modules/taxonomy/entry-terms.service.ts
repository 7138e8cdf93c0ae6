import { requireCapability, requireSite, type Ctx } from '../../platform/access/index.ts'
import type { Tx } from '../../platform/db/index.ts'
import { recordAudit } from '../audit/index.ts'
import { ContentErrors, audienceOf } from '../content/index.ts'
import { TaxonomyErrors } from './taxonomy.errors.ts'
import { findTaxonomiesByKeys, type TaxonomyRow } from './taxonomy.repo.ts'
import {
  applicableTaxonomyKeys,
  findEntryFacts,
  findTermsByRefs,
  listEntryTerms,
  replaceEntryTerms,
  type EntryFacts,
} from './entry-terms.repo.ts'

/**
 * The terms of an entry, by taxonomy. Assigning them is part of editing the entry: its author with
 * `site.content.edit.own`, anyone with `site.content.edit.any`. Callers see the terms of the entries they
 * may read, by content's audience rule.
 */

export interface AssignedTerm {
  id: string
  slug: string
  name: string
  parentId: string | null
}
export type EntryTerms = Record<string, AssignedTerm[]>

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

async function entryTermsOf(tx: Tx, siteId: string, entry: EntryFacts): Promise<EntryTerms> {
  const out: EntryTerms = {}
  for (const key of await applicableTaxonomyKeys(tx, siteId, entry.typeKey)) out[key] = []
  for (const row of await listEntryTerms(tx, siteId, entry.id)) {
    const list = (out[row.taxonomyKey] ??= [])
    list.push({ id: row.id, slug: row.slug, name: row.name, parentId: row.parentId })
  }
  return out
}

/** The named taxonomies, refusing unknown ones (404) and those that do not apply to the type (400). */
async function taxonomiesFor(
  tx: Tx,
  siteId: string,
  entry: EntryFacts,
  keys: string[],
): Promise<TaxonomyRow[]> {
  const found = await findTaxonomiesByKeys(tx, siteId, keys)
  const missing = keys.filter((k) => !found.some((t) => t.key === k))
  if (missing.length > 0) throw TaxonomyErrors.notFound({ details: { taxonomies: missing } })
  const foreign = found.filter((t) => !t.typeKeys.includes(entry.typeKey)).map((t) => t.key)
  if (foreign.length > 0)
    throw TaxonomyErrors.notForType({ details: { type: entry.typeKey, taxonomies: foreign } })
  return found
}

/**
 * Resolves ids and slugs to term ids, per taxonomy, in the order given (duplicates dropped). A ref that
 * is no term of the site gives 404; a term of another taxonomy listed under this one gives 400.
 */
async function resolveRefs(
  tx: Tx,
  siteId: string,
  wanted: Array<{ taxonomy: TaxonomyRow; refs: string[] }>,
): Promise<Map<string, Array<{ id: string; slug: string }>>> {
  const refs = wanted.flatMap((w) => w.refs)
  const rows = await findTermsByRefs(tx, {
    siteId,
    ids: [...new Set(refs.filter((r) => UUID.test(r)).map((r) => r.toLowerCase()))],
    slugs: [...new Set(refs)],
    taxonomyIds: wanted.map((w) => w.taxonomy.id),
  })
  const unknown: Record<string, string[]> = {}
  const misplaced: Record<string, string[]> = {}
  const out = new Map<string, Array<{ id: string; slug: string }>>()
  for (const { taxonomy, refs: list } of wanted) {
    const chosen = new Map<string, { id: string; slug: string }>()
    for (const ref of list) {
      const inTaxonomy = rows.filter((r) => r.taxonomyId === taxonomy.id)
      const hit = inTaxonomy.find((r) => r.id === ref.toLowerCase()) ?? inTaxonomy.find((r) => r.slug === ref)
      if (hit) chosen.set(hit.id, hit)
      else if (rows.some((r) => r.id === ref.toLowerCase())) (misplaced[taxonomy.key] ??= []).push(ref)
      else (unknown[taxonomy.key] ??= []).push(ref)
    }
    out.set(taxonomy.key, [...chosen.values()])
  }
  if (Object.keys(unknown).length > 0) throw TaxonomyErrors.termNotFound({ details: { terms: unknown } })
  if (Object.keys(misplaced).length > 0) throw TaxonomyErrors.wrongTaxonomy({ details: { terms: misplaced } })
  return out
}

export type EntryTermsService = ReturnType<typeof createEntryTermsService>

export function createEntryTermsService() {
  async function get(ctx: Ctx, entryId: string): Promise<EntryTerms> {
    const site = requireSite(ctx)
    return ctx.tx(async (tx) => {
      const entry = await findEntryFacts(tx, site.id, entryId, { audience: audienceOf(ctx) })
      if (!entry) throw ContentErrors.entryNotFound()
      return entryTermsOf(tx, site.id, entry)
    })
  }

  /** Replaces the entry's terms of every taxonomy named in `input`; the others keep theirs. */
  async function replace(ctx: Ctx, entryId: string, input: Record<string, string[]>): Promise<EntryTerms> {
    const site = requireSite(ctx)
    return ctx.tx(async (tx) => {
      const entry = await findEntryFacts(tx, site.id, entryId, { lock: true })
      if (!entry) throw ContentErrors.entryNotFound()
      requireCapability(ctx, 'site.content.edit', { ownerId: entry.authorId })
      const found = await taxonomiesFor(tx, site.id, entry, Object.keys(input))
      const resolved = await resolveRefs(
        tx,
        site.id,
        found.map((taxonomy) => ({ taxonomy, refs: input[taxonomy.key] ?? [] })),
      )
      await replaceEntryTerms(tx, {
        siteId: site.id,
        entryId: entry.id,
        taxonomyIds: found.map((t) => t.id),
        termIds: [...resolved.values()].flat().map((t) => t.id),
      })
      await recordAudit(ctx, tx, {
        action: 'content.entry.terms',
        target: { type: 'entry', id: entry.id },
        summary: {
          terms: Object.fromEntries([...resolved].map(([key, list]) => [key, list.map((t) => t.slug)])),
        },
      })
      return entryTermsOf(tx, site.id, entry)
    })
  }

  return { get, replace }
}
