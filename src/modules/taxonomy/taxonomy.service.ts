import { requireCapability, requireSite, type Ctx } from '../../platform/access/index.ts'
import { newId, pageOf, type Page, type Tx } from '../../platform/db/index.ts'
import { MAX_PAGE_LIMIT } from '../../platform/http/index.ts'
import { recordAudit } from '../audit/index.ts'
import { TaxonomyErrors } from './taxonomy.errors.ts'
import {
  deleteTaxonomy,
  existingTypeKeys,
  findTaxonomy,
  insertTaxonomy,
  listTaxonomies,
  taxonomyTermStats,
  updateTaxonomy,
  type TaxonomyRow,
} from './taxonomy.repo.ts'
import type { CreateTaxonomyBody, UpdateTaxonomyBody } from './taxonomy.schema.ts'

/**
 * Taxonomies: the named vocabularies (category, tag, and the site's own) whose terms classify entries of
 * the content types they apply to. Registering and changing them is a site administrator's job
 * (`site.types.manage`, like content types); reading them is public, for headless clients.
 */

export interface TaxonomyView {
  id: string
  key: string
  name: string
  pluralName: string
  description: string
  hierarchical: boolean
  builtin: boolean
  typeKeys: string[]
  createdAt: string
  updatedAt: string
}

export function toTaxonomyView(row: TaxonomyRow): TaxonomyView {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    pluralName: row.pluralName,
    description: row.description,
    hierarchical: row.hierarchical,
    builtin: row.isBuiltin,
    typeKeys: [...row.typeKeys],
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

const MANAGE = 'site.types.manage'

async function checkTypeKeys(tx: Tx, siteId: string, keys: readonly string[]): Promise<void> {
  const known = await existingTypeKeys(tx, siteId, keys)
  const missing = keys.filter((k) => !known.has(k))
  if (missing.length > 0) throw TaxonomyErrors.unknownType({ details: { typeKeys: missing } })
}

export type TaxonomyService = ReturnType<typeof createTaxonomyService>

export function createTaxonomyService() {
  async function list(
    ctx: Ctx,
    q: { cursor?: string | undefined; limit?: number | undefined },
  ): Promise<Page<TaxonomyView>> {
    const site = requireSite(ctx)
    const limit = q.limit ?? MAX_PAGE_LIMIT
    const rows = await ctx.tx((tx) =>
      listTaxonomies(tx, { siteId: site.id, after: q.cursor, limit: limit + 1 }),
    )
    return pageOf(rows, limit, toTaxonomyView, (r) => r.key)
  }

  async function get(ctx: Ctx, key: string): Promise<TaxonomyView> {
    const site = requireSite(ctx)
    const row = await ctx.tx((tx) => findTaxonomy(tx, site.id, { key }))
    if (!row) throw TaxonomyErrors.notFound()
    return toTaxonomyView(row)
  }

  async function create(ctx: Ctx, input: CreateTaxonomyBody): Promise<TaxonomyView> {
    requireCapability(ctx, MANAGE)
    const site = requireSite(ctx)
    const row = await ctx.tx(async (tx) => {
      await checkTypeKeys(tx, site.id, input.typeKeys)
      const inserted = await insertTaxonomy(tx, {
        id: newId(),
        siteId: site.id,
        key: input.key,
        name: input.name,
        pluralName: input.pluralName,
        description: input.description ?? '',
        hierarchical: input.hierarchical,
        isBuiltin: false,
        typeKeys: [...input.typeKeys],
      })
      if (!inserted) throw TaxonomyErrors.keyTaken({ details: { key: input.key } })
      await recordAudit(ctx, tx, {
        action: 'taxonomy.create',
        target: { type: 'taxonomy', id: inserted.id },
        summary: { key: inserted.key, hierarchical: inserted.hierarchical, typeKeys: inserted.typeKeys },
      })
      return inserted
    })
    return toTaxonomyView(row)
  }

  async function update(ctx: Ctx, key: string, input: UpdateTaxonomyBody): Promise<TaxonomyView> {
    requireCapability(ctx, MANAGE)
    const site = requireSite(ctx)
    const row = await ctx.tx(async (tx) => {
      // Locked: a term move in flight cannot give a term a parent while the taxonomy turns flat.
      const current = await findTaxonomy(tx, site.id, { key }, { lock: true })
      if (!current) throw TaxonomyErrors.notFound()
      if (input.typeKeys) await checkTypeKeys(tx, site.id, input.typeKeys)
      if (input.hierarchical === false && current.hierarchical) {
        const stats = await taxonomyTermStats(tx, site.id, current.id)
        if (stats.withParent > 0)
          throw TaxonomyErrors.hierarchyInUse({ details: { termsWithParent: stats.withParent } })
      }
      const set = {
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.pluralName === undefined ? {} : { pluralName: input.pluralName }),
        ...(input.description === undefined ? {} : { description: input.description }),
        ...(input.hierarchical === undefined ? {} : { hierarchical: input.hierarchical }),
        ...(input.typeKeys === undefined ? {} : { typeKeys: [...input.typeKeys] }),
      }
      const updated = await updateTaxonomy(tx, site.id, current.id, set)
      await recordAudit(ctx, tx, {
        action: 'taxonomy.update',
        target: { type: 'taxonomy', id: current.id },
        summary: { key, changed: Object.keys(set) },
      })
      return updated
    })
    return toTaxonomyView(row)
  }

  /** Deletes a custom taxonomy with its terms and their assignments; entries are never touched. */
  async function remove(ctx: Ctx, key: string): Promise<void> {
    requireCapability(ctx, MANAGE)
    const site = requireSite(ctx)
    await ctx.tx(async (tx) => {
      const current = await findTaxonomy(tx, site.id, { key }, { lock: true })
      if (!current) throw TaxonomyErrors.notFound()
      if (current.isBuiltin) throw TaxonomyErrors.builtin({ details: { key } })
      const stats = await taxonomyTermStats(tx, site.id, current.id)
      await deleteTaxonomy(tx, site.id, current.id)
      await recordAudit(ctx, tx, {
        action: 'taxonomy.delete',
        target: { type: 'taxonomy', id: current.id },
        summary: { key, terms: stats.terms },
      })
    })
  }

  return { list, get, create, update, remove }
}
