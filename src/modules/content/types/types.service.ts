import { requireCapability, requireSite, type Ctx } from '../../../platform/access/index.ts'
import { newId, pageOf, type Page } from '../../../platform/db/index.ts'
import { MAX_PAGE_LIMIT } from '../../../platform/http/index.ts'
import { recordAudit } from '../../audit/index.ts'
import { mergeFieldSources, retiredAfter, type FieldDef } from './fields.ts'
import {
  countEntriesOfType,
  deleteType,
  findTypeWithGroups,
  insertType,
  listTypesWithGroups,
  lockType,
  purgeFieldValues,
  updateType,
  type TypeChange,
  type TypeRow,
  type TypeWithGroups,
} from './types.repo.ts'
import { TypesErrors } from './types.errors.ts'
import { checkPermalink, compileType, defsOf, planSchema, sourcesOf } from './types.compile.ts'

export type { FieldDef, FieldProblem, FieldType } from './fields.ts'
export { loadCompiledType, permalinkProblem, validateEntryFields } from './types.compile.ts'
export type { CompiledType } from './types.compile.ts'

/**
 * Content types (R30): every type, built in or custom, is a row with typed fields (its own plus those of
 * the field groups it includes). The schema is checked when saved (`types.compile.ts`); entry writes check
 * values through `validateEntryFields`. Removing a field never drops stored values: the key is retired
 * until purged.
 */

export interface TypeView {
  id: string
  key: string
  name: string
  pluralName: string
  description: string
  builtin: boolean
  hierarchical: boolean
  permalink: string
  fields: FieldDef[]
  fieldGroups: string[]
  allFields: FieldDef[]
  retiredFields: string[]
  approvalsRequired: number
  createdAt: string
  updatedAt: string
}

export interface TypeInput {
  name: string
  pluralName?: string | undefined
  description?: string | undefined
  hierarchical?: boolean | undefined
  permalink?: string | undefined
  fields?: unknown[] | undefined
  fieldGroups?: string[] | undefined
  approvalsRequired?: number | undefined
}
export type CreateTypeInput = TypeInput & { key: string }
export type UpdateTypeInput = Partial<TypeInput>

function view({ row, groups }: TypeWithGroups): TypeView {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    pluralName: row.pluralName,
    description: row.description,
    builtin: row.isBuiltin,
    hierarchical: row.hierarchical,
    permalink: row.permalink,
    fields: defsOf(row.fields),
    fieldGroups: row.fieldGroups,
    allFields: mergeFieldSources(sourcesOf(row.fields, groups)).fields,
    retiredFields: row.retiredFields,
    approvalsRequired: row.approvalsRequired,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

export type TypesService = ReturnType<typeof createTypesService>

export function createTypesService() {
  /** Public: headless clients need the schemas to render and to write entries. */
  async function list(
    ctx: Ctx,
    q: { cursor?: string | undefined; limit?: number | undefined },
  ): Promise<Page<TypeView>> {
    const site = requireSite(ctx)
    const limit = q.limit ?? MAX_PAGE_LIMIT
    const rows = await ctx.tx((tx) =>
      listTypesWithGroups(tx, { siteId: site.id, after: q.cursor, limit: limit + 1 }),
    )
    return pageOf(rows, limit, view, (r) => r.row.key)
  }

  async function get(ctx: Ctx, key: string): Promise<TypeView> {
    const site = requireSite(ctx)
    const found = await ctx.tx((tx) => findTypeWithGroups(tx, site.id, { key }))
    if (!found) throw TypesErrors.typeNotFound()
    return view(found)
  }

  async function create(ctx: Ctx, input: CreateTypeInput): Promise<TypeView> {
    requireCapability(ctx, 'site.types.manage')
    const site = requireSite(ctx)
    const hierarchical = input.hierarchical ?? false
    const permalink = input.permalink ?? (hierarchical ? '/{type}/{path}' : '/{type}/{slug}')
    checkPermalink(permalink)
    const fieldGroups = input.fieldGroups ?? []
    return ctx.tx(async (tx) => {
      const plan = await planSchema(tx, site.id, { key: input.key, fields: input.fields ?? [], fieldGroups })
      const row = await insertType(tx, {
        id: newId(),
        siteId: site.id,
        key: input.key,
        name: input.name,
        pluralName: input.pluralName ?? input.name,
        description: input.description ?? '',
        hierarchical,
        permalink,
        fields: plan.fields,
        fieldGroups,
        approvalsRequired: input.approvalsRequired ?? 0,
      })
      if (!row) throw TypesErrors.keyTaken({ details: { key: input.key } })
      await recordAudit(ctx, tx, {
        action: 'content.type.create',
        target: { type: 'content_type', id: row.id },
        summary: { key: row.key, fields: plan.keys, fieldGroups },
      })
      return view((await findTypeWithGroups(tx, site.id, { id: row.id })) ?? { row, groups: [] })
    })
  }

  return { list, get, create, ...createTypeChanges() }
}

/** Changes to an existing type: update, delete, purge of retired fields. */
function createTypeChanges() {
  async function update(ctx: Ctx, key: string, input: UpdateTypeInput): Promise<TypeView> {
    requireCapability(ctx, 'site.types.manage')
    const site = requireSite(ctx)
    checkPermalink(input.permalink)
    const row = await ctx.tx(async (tx) => {
      const current = await lockType(tx, site.id, key)
      if (!current) throw TypesErrors.typeNotFound()
      const change: TypeChange = {}
      for (const name of [
        'name',
        'pluralName',
        'description',
        'hierarchical',
        'permalink',
        'approvalsRequired',
      ] as const)
        if (input[name] !== undefined) (change as Record<string, unknown>)[name] = input[name]
      const schemaChanged = input.fields !== undefined || input.fieldGroups !== undefined
      let retired = current.retiredFields
      if (schemaChanged) {
        const before = await findTypeWithGroups(tx, site.id, { id: current.id })
        const beforeKeys = before ? compileType(before).fields.map((f) => f.key) : []
        const fieldGroups = input.fieldGroups ?? current.fieldGroups
        const plan = await planSchema(tx, site.id, {
          key,
          fields: input.fields ?? current.fields,
          fieldGroups,
        })
        retired = retiredAfter({ retired: current.retiredFields, before: beforeKeys, after: plan.keys })
        Object.assign(change, { fields: plan.fields, fieldGroups, retiredFields: retired })
      }
      const updated = await updateType(tx, site.id, current.id, change)
      await recordAudit(ctx, tx, {
        action: 'content.type.update',
        target: { type: 'content_type', id: current.id },
        summary: { key, changed: Object.keys(change), retiredFields: retired },
      })
      return updated
    })
    return getByRow(ctx, row)
  }

  async function getByRow(ctx: Ctx, row: TypeRow): Promise<TypeView> {
    const found = await ctx.tx((tx) => findTypeWithGroups(tx, row.siteId, { id: row.id }))
    return view(found ?? { row, groups: [] })
  }

  async function remove(ctx: Ctx, key: string): Promise<void> {
    requireCapability(ctx, 'site.types.manage')
    const site = requireSite(ctx)
    await ctx.tx(async (tx) => {
      const current = await lockType(tx, site.id, key)
      if (!current) throw TypesErrors.typeNotFound()
      if (current.isBuiltin) throw TypesErrors.builtin({ details: { key } })
      const entries = await countEntriesOfType(tx, site.id, current.id)
      if (entries > 0)
        throw TypesErrors.inUse({
          message: `This content type still has ${entries} entries.`,
          details: { entries },
        })
      await deleteType(tx, site.id, current.id)
      await recordAudit(ctx, tx, {
        action: 'content.type.delete',
        target: { type: 'content_type', id: current.id },
        summary: { key },
      })
    })
  }

  /** Removes the stored values of retired fields from every entry of the type, in one transaction. */
  async function purgeFields(
    ctx: Ctx,
    key: string,
    input: { fields: string[] },
  ): Promise<{ entriesChanged: number; retiredFields: string[] }> {
    requireCapability(ctx, 'site.types.manage')
    const site = requireSite(ctx)
    return ctx.tx(async (tx) => {
      const current = await lockType(tx, site.id, key)
      if (!current) throw TypesErrors.typeNotFound()
      const notRetired = input.fields.filter((k) => !current.retiredFields.includes(k))
      if (notRetired.length > 0) throw TypesErrors.fieldNotRetired({ details: { fields: notRetired } })
      const keys = [...new Set(input.fields)]
      const entriesChanged = await purgeFieldValues(tx, { siteId: site.id, typeId: current.id, keys })
      const retiredFields = current.retiredFields.filter((k) => !keys.includes(k))
      await updateType(tx, site.id, current.id, { retiredFields })
      await recordAudit(ctx, tx, {
        action: 'content.type.purge_fields',
        target: { type: 'content_type', id: current.id },
        summary: { key, fields: keys, entriesChanged },
      })
      return { entriesChanged, retiredFields }
    })
  }

  return { update, remove, purgeFields }
}
