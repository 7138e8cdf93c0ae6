import type { Tx } from '../../../platform/db/index.ts'
import type { ErrorFactory } from '../../../platform/errors/index.ts'
import { findGroupsByKeys } from './field-groups.repo.ts'
import { checkFieldValues, type FieldDef, type FieldProblem } from './field-values.ts'
import { checkFieldDefs, mergeFieldSources, normaliseFieldDef, type FieldSource } from './fields.ts'
import {
  entryTypesOf,
  mediaIdsOf,
  findTypeWithGroups,
  hasUniqueClash,
  lockUniqueField,
  typeKeysOf,
  type TypeWithGroups,
} from './types.repo.ts'
import { TypesErrors } from './types.errors.ts'

/**
 * Content types (R30), compiled: a type's fields merged from its own definitions and its field groups,
 * the entry-write check `validateEntryFields`, and the checks a schema passes before it is saved.
 * The service (`types.service.ts`) re-exports the entry-write contract.
 */

/** A type ready for entry writes: all its fields (own + included groups) and its retired keys. */
export interface CompiledType {
  id: string
  key: string
  name: string
  hierarchical: boolean
  permalink: string
  approvalsRequired: number
  fields: readonly FieldDef[]
  retiredFields: readonly string[]
}

const PERMALINK_TOKENS = new Set(['slug', 'path', 'year', 'month', 'day', 'id', 'type'])
const PERMALINK_ANCHORS = ['slug', 'path', 'id']

/** Why a permalink template is unusable, or undefined when it is fine. */
export function permalinkProblem(template: string): string | undefined {
  if (!template.startsWith('/')) return 'must start with /'
  if (template.length > 200) return 'must be at most 200 characters'
  const tokens = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '')
  const unknown = tokens.filter((t) => !PERMALINK_TOKENS.has(t))
  if (unknown.length > 0) return `unknown token {${unknown[0]}}`
  if (/[{}]/.test(template.replace(/\{[a-z]+\}/g, ''))) return 'unbalanced braces'
  if (/[\s?#\\]/.test(template) || template.includes('//'))
    return 'must be a plain path (no spaces, ?, #, \\ or //)'
  if (!tokens.some((t) => PERMALINK_ANCHORS.includes(t))) return 'must contain {slug}, {path} or {id}'
  return undefined
}

export function defsOf(stored: unknown): FieldDef[] {
  return Array.isArray(stored) ? (stored as FieldDef[]) : []
}

export function sourcesOf(
  own: unknown,
  groups: ReadonlyArray<{ key: string; fields: unknown }>,
): FieldSource[] {
  return [
    { group: null, fields: defsOf(own) },
    ...groups.map((g) => ({ group: g.key, fields: defsOf(g.fields) })),
  ]
}

export function compileType({ row, groups }: TypeWithGroups): CompiledType {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    hierarchical: row.hierarchical,
    permalink: row.permalink,
    approvalsRequired: row.approvalsRequired,
    // Collisions are refused when schemas are saved; should one exist anyway, the first source wins.
    fields: mergeFieldSources(sourcesOf(row.fields, groups)).fields,
    retiredFields: row.retiredFields,
  }
}

/** The type with all its fields, or undefined. One statement. */
export async function loadCompiledType(
  tx: Tx,
  siteId: string,
  ref: { key: string } | { id: string },
): Promise<CompiledType | undefined> {
  const found = await findTypeWithGroups(tx, siteId, ref)
  return found ? compileType(found) : undefined
}

/**
 * Merges `values` over `existing` (defaults fill a new entry), checks every field including unique values
 * and entry references (in `tx`), and returns what to store. Retired keys keep their stored values and
 * cannot be written. Throws COLOPHON_CONTENT_FIELDS_INVALID listing every bad field.
 */
export async function validateEntryFields(
  tx: Tx,
  input: {
    siteId: string
    type: CompiledType
    values: Record<string, unknown> | undefined
    existing?: Record<string, unknown>
    entryId?: string
  },
): Promise<Record<string, unknown>> {
  const { type, siteId } = input
  const check = checkFieldValues({
    fields: type.fields,
    retired: type.retiredFields,
    input: input.values,
    existing: input.existing,
  })
  const problems: Record<string, FieldProblem> = { ...check.problems }
  for (const { key, value } of check.pending.unique) {
    await lockUniqueField(tx, type.id, key)
    if (await hasUniqueClash(tx, { siteId, typeId: type.id, key, value, excludeId: input.entryId }))
      problems[key] = { code: 'unique', message: 'Another entry of this type already has this value.' }
  }
  const refs = check.pending.entryRefs
  if (refs.length > 0) {
    const found = await entryTypesOf(tx, siteId, [...new Set(refs.map((r) => r.id.toLowerCase()))])
    for (const ref of refs) {
      const typeKey = found.get(ref.id.toLowerCase())
      if (typeKey === undefined)
        problems[ref.key] = { code: 'reference', message: 'No such entry on this site.' }
      else if (ref.targetTypes && ref.targetTypes.length > 0 && !ref.targetTypes.includes(typeKey))
        problems[ref.key] = {
          code: 'reference_type',
          message: `The entry must be of type ${ref.targetTypes.join(', ')}.`,
        }
    }
  }
  const mediaRefs = check.pending.mediaRefs
  if (mediaRefs.length > 0) {
    const found = await mediaIdsOf(tx, siteId, [...new Set(mediaRefs.map((r) => r.id.toLowerCase()))])
    for (const ref of mediaRefs)
      if (!found.has(ref.id.toLowerCase()))
        problems[ref.key] = { code: 'reference', message: 'No such media item on this site.' }
  }
  if (Object.keys(problems).length > 0) throw TypesErrors.fieldsInvalid({ details: { fields: problems } })
  return check.values
}

/**
 * The error for definitions with problems: a pattern the linear-time engine cannot run has a code of its
 * own (the fix is to rewrite the pattern, not to correct a typo); every problem is listed either way.
 */
export function schemaRefusal(problems: Record<string, FieldProblem[]>, otherwise: ErrorFactory): Error {
  const details = { fields: problems }
  const unsupported = Object.values(problems).some((list) =>
    list.some((p) => p.code === 'pattern_unsupported'),
  )
  return unsupported ? TypesErrors.patternUnsupported({ details }) : otherwise({ details })
}

/**
 * Checks the definitions and the groups a type would have; returns the stored definitions and the full
 * key list. Every problem is listed per field.
 */
export async function planSchema(
  tx: Tx,
  siteId: string,
  plan: { key: string; fields: unknown; fieldGroups: readonly string[] },
): Promise<{ fields: FieldDef[]; keys: string[] }> {
  const typeKeys = await typeKeysOf(tx, siteId)
  typeKeys.add(plan.key) // a type may reference its own entries
  const problems = checkFieldDefs(plan.fields, typeKeys)
  if (Object.keys(problems).length > 0) throw schemaRefusal(problems, TypesErrors.schemaInvalid)
  const fields = (plan.fields as FieldDef[]).map(normaliseFieldDef)
  const groups = await findGroupsByKeys(tx, siteId, plan.fieldGroups)
  const missing = plan.fieldGroups.filter((k) => !groups.some((g) => g.key === k))
  if (missing.length > 0) throw TypesErrors.unknownFieldGroup({ details: { fieldGroups: missing } })
  const ordered = plan.fieldGroups.map((k) => groups.find((g) => g.key === k) as (typeof groups)[number])
  const merged = mergeFieldSources(sourcesOf(fields, ordered))
  if (Object.keys(merged.collisions).length > 0)
    throw TypesErrors.schemaInvalid({ details: { fields: merged.collisions } })
  return { fields, keys: merged.fields.map((f) => f.key) }
}

export function checkPermalink(template: string | undefined): void {
  if (template === undefined) return
  const reason = permalinkProblem(template)
  if (reason) throw TypesErrors.permalinkInvalid({ details: { permalink: reason } })
}
