import { requireCapability, requireSite, type Ctx } from '../../platform/access/index.ts'
import { newId, pageOf, type Page, type Tx } from '../../platform/db/index.ts'
import { DEFAULT_PAGE_LIMIT } from '../../platform/http/index.ts'
import { recordAudit } from '../audit/index.ts'
import { freeSlug as firstFreeOf, normaliseSlug } from '../content/index.ts'
import { TaxonomyErrors } from './taxonomy.errors.ts'
import { findTaxonomy, type TaxonomyRow } from './taxonomy.repo.ts'
import type { CreateTermBody, ListTermsQuery, UpdateTermBody } from './terms.schema.ts'
import {
  ancestorIds,
  deleteTerm,
  findCountedTerm,
  findTerm,
  insertTerm,
  listTerms,
  takenTermSlugs,
  updateTerm,
  type CountedTermRow,
  type TermRow,
} from './terms.repo.ts'

/**
 * Terms: the words of a taxonomy (a category, a tag). Managing them takes `site.taxonomy.manage`
 * (editors); reading them, with their counts of published entries, is public. Every write locks the
 * taxonomy's row first, so slugs and the parent tree change one writer at a time.
 */

export type TermMetaValue = string | number | boolean | null

export interface TermView {
  id: string
  taxonomy: string
  slug: string
  name: string
  description: string
  parentId: string | null
  meta: Record<string, TermMetaValue>
  count: number
  createdAt: string
  updatedAt: string
}

const MANAGE = 'site.taxonomy.manage'
const META_MAX_KEYS = 50
const META_MAX_KEY_LENGTH = 100
const META_MAX_BYTES = 8 * 1024

function toTermView(row: CountedTermRow): TermView {
  return {
    id: row.id,
    taxonomy: row.taxonomyKey,
    slug: row.slug,
    name: row.name,
    description: row.description,
    parentId: row.parentId,
    meta: row.meta as Record<string, TermMetaValue>,
    count: row.count,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

/** Refuses meta that is not a small flat object, naming every bad key. */
export function checkTermMeta(meta: unknown): Record<string, TermMetaValue> {
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta))
    throw TaxonomyErrors.metaInvalid({ details: { meta: 'not an object' } })
  const entries = Object.entries(meta as Record<string, unknown>)
  if (entries.length > META_MAX_KEYS)
    throw TaxonomyErrors.metaInvalid({ details: { meta: `more than ${META_MAX_KEYS} keys` } })
  const keys: Record<string, string> = {}
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > META_MAX_KEY_LENGTH) keys[key] = 'key length out of range'
    else if (value !== null && !['string', 'number', 'boolean'].includes(typeof value))
      keys[key] = 'not a string, number, boolean or null'
  }
  if (Object.keys(keys).length > 0) throw TaxonomyErrors.metaInvalid({ details: { keys } })
  if (Buffer.byteLength(JSON.stringify(meta), 'utf8') > META_MAX_BYTES)
    throw TaxonomyErrors.metaInvalid({ details: { meta: `larger than ${META_MAX_BYTES} bytes` } })
  return meta as Record<string, TermMetaValue>
}

async function freeSlug(
  tx: Tx,
  q: { siteId: string; taxonomyId: string; wanted: string; excludeId?: string },
): Promise<string> {
  return firstFreeOf(normaliseSlug(q.wanted), (candidates) => takenTermSlugs(tx, { ...q, candidates }))
}

/** Checks a new parent: only in hierarchical taxonomies, a term of the same taxonomy, never a cycle. */
async function checkParent(
  tx: Tx,
  taxonomy: TaxonomyRow,
  parentId: string,
  termId: string | undefined,
): Promise<void> {
  if (!taxonomy.hierarchical) throw TaxonomyErrors.notHierarchical({ details: { taxonomy: taxonomy.key } })
  if (parentId === termId) throw TaxonomyErrors.cycle({ details: { parentId } })
  const parent = await findTerm(tx, taxonomy.siteId, parentId)
  if (!parent || parent.taxonomyId !== taxonomy.id)
    throw TaxonomyErrors.parentInvalid({ details: { parentId } })
  if (termId && (await ancestorIds(tx, taxonomy.siteId, parentId)).includes(termId))
    throw TaxonomyErrors.cycle({ details: { parentId } })
}

export type TermsService = ReturnType<typeof createTermsService>

export function createTermsService() {
  async function list(ctx: Ctx, key: string, q: ListTermsQuery): Promise<Page<TermView>> {
    const site = requireSite(ctx)
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT
    const rows = await ctx.tx(async (tx) => {
      const taxonomy = await findTaxonomy(tx, site.id, { key })
      if (!taxonomy) throw TaxonomyErrors.notFound()
      return listTerms(tx, {
        siteId: site.id,
        taxonomyId: taxonomy.id,
        after: q.cursor,
        parentId: q.parent === undefined ? undefined : q.parent === 'none' ? null : q.parent,
        search: q.search,
        limit: limit + 1,
      })
    })
    return pageOf(rows, limit, toTermView, (r) => r.slug)
  }

  async function get(ctx: Ctx, id: string): Promise<TermView> {
    const site = requireSite(ctx)
    const row = await ctx.tx((tx) => findCountedTerm(tx, site.id, id))
    if (!row) throw TaxonomyErrors.termNotFound()
    return toTermView(row)
  }

  async function create(ctx: Ctx, key: string, input: CreateTermBody): Promise<TermView> {
    requireCapability(ctx, MANAGE)
    const site = requireSite(ctx)
    const meta = input.meta === undefined ? {} : checkTermMeta(input.meta)
    const row = await ctx.tx(async (tx) => {
      const taxonomy = await findTaxonomy(tx, site.id, { key }, { lock: true })
      if (!taxonomy) throw TaxonomyErrors.notFound()
      if (input.parentId) await checkParent(tx, taxonomy, input.parentId, undefined)
      const slug = await freeSlug(tx, {
        siteId: site.id,
        taxonomyId: taxonomy.id,
        wanted: input.slug ?? input.name,
      })
      const inserted = await insertTerm(tx, {
        id: newId(),
        siteId: site.id,
        taxonomyId: taxonomy.id,
        slug,
        name: input.name,
        description: input.description ?? '',
        parentId: input.parentId ?? null,
        meta,
      })
      await recordAudit(ctx, tx, {
        action: 'taxonomy.term.create',
        target: { type: 'term', id: inserted.id },
        summary: { taxonomy: key, slug, parentId: inserted.parentId },
      })
      return findCountedTerm(tx, site.id, inserted.id)
    })
    if (!row) throw TaxonomyErrors.termNotFound()
    return toTermView(row)
  }

  /** Loads a term and locks its taxonomy for a change of the term. */
  async function lockTermOf(
    tx: Tx,
    siteId: string,
    id: string,
  ): Promise<{ term: TermRow; taxonomy: TaxonomyRow }> {
    const found = await findTerm(tx, siteId, id)
    if (!found) throw TaxonomyErrors.termNotFound()
    const taxonomy = await findTaxonomy(tx, siteId, { id: found.taxonomyId }, { lock: true })
    // Read again under the lock: a concurrent move or delete may have changed it meanwhile.
    const term = await findTerm(tx, siteId, id)
    if (!taxonomy || !term) throw TaxonomyErrors.termNotFound()
    return { term, taxonomy }
  }

  async function update(ctx: Ctx, id: string, input: UpdateTermBody): Promise<TermView> {
    requireCapability(ctx, MANAGE)
    const site = requireSite(ctx)
    const meta = input.meta === undefined ? undefined : checkTermMeta(input.meta)
    const row = await ctx.tx(async (tx) => {
      const { term, taxonomy } = await lockTermOf(tx, site.id, id)
      if (input.parentId) await checkParent(tx, taxonomy, input.parentId, term.id)
      const slug =
        input.slug === undefined
          ? undefined
          : await freeSlug(tx, {
              siteId: site.id,
              taxonomyId: taxonomy.id,
              wanted: input.slug,
              excludeId: term.id,
            })
      const set = {
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(slug === undefined ? {} : { slug }),
        ...(input.description === undefined ? {} : { description: input.description }),
        ...(input.parentId === undefined ? {} : { parentId: input.parentId }),
        ...(meta === undefined ? {} : { meta }),
      }
      await updateTerm(tx, site.id, term.id, set)
      await recordAudit(ctx, tx, {
        action: 'taxonomy.term.update',
        target: { type: 'term', id: term.id },
        summary: { taxonomy: taxonomy.key, slug: slug ?? term.slug, changed: Object.keys(set) },
      })
      return findCountedTerm(tx, site.id, term.id)
    })
    if (!row) throw TaxonomyErrors.termNotFound()
    return toTermView(row)
  }

  /** Deletes a term: children move up to its parent, assignments go, entries stay. */
  async function remove(ctx: Ctx, id: string): Promise<void> {
    requireCapability(ctx, MANAGE)
    const site = requireSite(ctx)
    await ctx.tx(async (tx) => {
      const { term, taxonomy } = await lockTermOf(tx, site.id, id)
      const childrenMoved = await deleteTerm(tx, term)
      await recordAudit(ctx, tx, {
        action: 'taxonomy.term.delete',
        target: { type: 'term', id: term.id },
        summary: { taxonomy: taxonomy.key, slug: term.slug, childrenMoved, newParentId: term.parentId },
      })
    })
  }

  return { list, get, create, update, remove }
}
