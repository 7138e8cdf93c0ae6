import { requireCapability, requireSite, type Ctx } from '../../../platform/access/index.ts'
import { newId, pageOf, type Page, type Tx } from '../../../platform/db/index.ts'
import { MAX_PAGE_LIMIT } from '../../../platform/http/index.ts'
import { recordAudit } from '../../audit/index.ts'
import {
  deleteGroup,
  findGroup,
  findGroupsByKeys,
  insertGroup,
  listGroups,
  typeKeysIncludingGroup,
  updateGroup,
  type FieldGroupRow,
} from './field-groups.repo.ts'
import {
  checkFieldDefs,
  mergeFieldSources,
  normaliseFieldDef,
  retiredAfter,
  type FieldDef,
  type FieldProblem,
  type FieldSource,
} from './fields.ts'
import { schemaRefusal } from './types.compile.ts'
import { lockTypesIncludingGroup, typeKeysOf, updateType } from './types.repo.ts'
import { FieldGroupsErrors } from './types.errors.ts'

/**
 * Field groups (R30): named sets of field definitions that several content types include by key. A
 * change to a group changes every type including it, so it is checked against each of them (no key may
 * be defined twice in a type) and keys it drops are retired on each, never silently lost.
 */

export interface FieldGroupView {
  id: string
  key: string
  name: string
  description: string
  fields: FieldDef[]
  createdAt: string
  updatedAt: string
}

export interface CreateFieldGroupInput {
  key: string
  name: string
  description?: string | undefined
  fields: unknown[]
}
export type UpdateFieldGroupInput = Partial<Omit<CreateFieldGroupInput, 'key'>>

const defsOf = (stored: unknown): FieldDef[] => (Array.isArray(stored) ? (stored as FieldDef[]) : [])

function view(row: FieldGroupRow): FieldGroupView {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    description: row.description,
    fields: defsOf(row.fields),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

async function checkDefs(tx: Tx, siteId: string, raw: unknown): Promise<FieldDef[]> {
  const problems = checkFieldDefs(raw, await typeKeysOf(tx, siteId))
  if (Object.keys(problems).length > 0) throw schemaRefusal(problems, FieldGroupsErrors.schemaInvalid)
  return (raw as FieldDef[]).map(normaliseFieldDef)
}

/**
 * Applies new group fields to every type including the group: refuses key collisions (listing each
 * type), retires keys the types lose and un-retires keys they regain.
 */
async function applyToTypes(
  tx: Tx,
  siteId: string,
  group: { key: string; fields: readonly FieldDef[] },
): Promise<string[]> {
  const types = await lockTypesIncludingGroup(tx, siteId, group.key)
  const collisions: Record<string, FieldProblem[]> = {}
  const changes: Array<{ id: string; retiredFields: string[]; changed: boolean }> = []
  for (const type of types) {
    const groups = await findGroupsByKeys(tx, siteId, type.fieldGroups)
    const sources = (replace: boolean): FieldSource[] => [
      { group: null, fields: defsOf(type.fields) },
      ...type.fieldGroups.map((key) => ({
        group: key,
        fields:
          replace && key === group.key ? group.fields : defsOf(groups.find((g) => g.key === key)?.fields),
      })),
    ]
    const before = mergeFieldSources(sources(false)).fields.map((f) => f.key)
    const after = mergeFieldSources(sources(true))
    for (const [key, list] of Object.entries(after.collisions))
      (collisions[key] ??= []).push(
        ...list.map((p) => ({ ...p, message: `In type "${type.key}": ${p.message}` })),
      )
    const retired = retiredAfter({
      retired: type.retiredFields,
      before,
      after: after.fields.map((f) => f.key),
    })
    changes.push({
      id: type.id,
      retiredFields: retired,
      changed: retired.join() !== type.retiredFields.join(),
    })
  }
  if (Object.keys(collisions).length > 0)
    throw FieldGroupsErrors.schemaInvalid({ details: { fields: collisions } })
  for (const change of changes)
    // Touching the type also moves its `updated_at`, which is what caches of compiled types key on.
    await updateType(tx, siteId, change.id, change.changed ? { retiredFields: change.retiredFields } : {})
  return types.map((t) => t.key)
}

export type FieldGroupsService = ReturnType<typeof createFieldGroupsService>

export function createFieldGroupsService() {
  /** Public, like the types: a headless client reads the schemas it writes against. */
  async function list(
    ctx: Ctx,
    q: { cursor?: string | undefined; limit?: number | undefined },
  ): Promise<Page<FieldGroupView>> {
    const site = requireSite(ctx)
    const limit = q.limit ?? MAX_PAGE_LIMIT
    const rows = await ctx.tx((tx) => listGroups(tx, { siteId: site.id, after: q.cursor, limit: limit + 1 }))
    return pageOf(rows, limit, view, (r) => r.key)
  }

  async function get(ctx: Ctx, key: string): Promise<FieldGroupView> {
    const site = requireSite(ctx)
    const row = await ctx.tx((tx) => findGroup(tx, site.id, key))
    if (!row) throw FieldGroupsErrors.notFound()
    return view(row)
  }

  async function create(ctx: Ctx, input: CreateFieldGroupInput): Promise<FieldGroupView> {
    requireCapability(ctx, 'site.types.manage')
    const site = requireSite(ctx)
    const row = await ctx.tx(async (tx) => {
      const fields = await checkDefs(tx, site.id, input.fields)
      const inserted = await insertGroup(tx, {
        id: newId(),
        siteId: site.id,
        key: input.key,
        name: input.name,
        description: input.description ?? '',
        fields,
      })
      if (!inserted) throw FieldGroupsErrors.keyTaken({ details: { key: input.key } })
      await recordAudit(ctx, tx, {
        action: 'content.field_group.create',
        target: { type: 'field_group', id: inserted.id },
        summary: { key: input.key, fields: fields.map((f) => f.key) },
      })
      return inserted
    })
    return view(row)
  }

  async function update(ctx: Ctx, key: string, input: UpdateFieldGroupInput): Promise<FieldGroupView> {
    requireCapability(ctx, 'site.types.manage')
    const site = requireSite(ctx)
    const row = await ctx.tx(async (tx) => {
      const current = await findGroup(tx, site.id, key, { lock: true })
      if (!current) throw FieldGroupsErrors.notFound()
      const fields = input.fields === undefined ? undefined : await checkDefs(tx, site.id, input.fields)
      const types = fields === undefined ? [] : await applyToTypes(tx, site.id, { key, fields })
      const updated = await updateGroup(tx, site.id, current.id, {
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.description === undefined ? {} : { description: input.description }),
        ...(fields === undefined ? {} : { fields }),
      })
      await recordAudit(ctx, tx, {
        action: 'content.field_group.update',
        target: { type: 'field_group', id: current.id },
        summary: { key, changed: Object.keys(input), types },
      })
      return updated
    })
    return view(row)
  }

  async function remove(ctx: Ctx, key: string): Promise<void> {
    requireCapability(ctx, 'site.types.manage')
    const site = requireSite(ctx)
    await ctx.tx(async (tx) => {
      const current = await findGroup(tx, site.id, key, { lock: true })
      if (!current) throw FieldGroupsErrors.notFound()
      const types = await typeKeysIncludingGroup(tx, site.id, key)
      if (types.length > 0) throw FieldGroupsErrors.inUse({ details: { types } })
      await deleteGroup(tx, site.id, current.id)
      await recordAudit(ctx, tx, {
        action: 'content.field_group.delete',
        target: { type: 'field_group', id: current.id },
        summary: { key },
      })
    })
  }

  return { list, get, create, update, remove }
}
