/**
 * Typed custom fields (R30): the checks a field definition must pass when a type or a field group is
 * saved, merging a type's field sources, and retired keys. Pure: no database. The value checks every
 * entry write runs live in `field-values.ts` (re-exported here for existing importers).
 */

import { MAX_PATTERN_LENGTH, compilePattern } from './field-patterns.ts'
import {
  FIELD_TYPES,
  boundInstant,
  isRecord,
  problem,
  valueProblem,
  type FieldDef,
  type FieldProblem,
  type FieldType,
} from './field-values.ts'

export { FIELD_TYPES, checkFieldValues, isSafeUrl, valueProblem } from './field-values.ts'
export type { FieldDef, FieldProblem, FieldType } from './field-values.ts'

export const FIELD_KEY_PATTERN = /^[a-z][a-z0-9_]{0,62}$/
export const MAX_FIELDS = 200
export const MAX_OPTIONS = 500

const DEF_PROPERTIES = new Set([
  'key',
  'label',
  'type',
  'required',
  'unique',
  'default',
  'min',
  'max',
  'pattern',
  'options',
  'targetTypes',
  'help',
])
const PATTERN_TYPES = new Set<FieldType>(['text', 'email', 'url'])
const OPTION_TYPES = new Set<FieldType>(['select', 'multiSelect'])
const COUNT_BOUND_TYPES = new Set<FieldType>(['text', 'multiSelect'])
const DATE_TYPES = new Set<FieldType>(['date', 'datetime'])
/** Unique compares stored JSON values; lists, documents and booleans make no sense as unique keys. */
const UNIQUE_TYPES = new Set<FieldType>([
  'text',
  'number',
  'date',
  'datetime',
  'select',
  'email',
  'url',
  'media',
  'entry',
])

/** Problems of one definition; `typeKeys` are the site's content type keys (for `targetTypes`). */
export function defProblems(raw: unknown, typeKeys: ReadonlySet<string>): FieldProblem[] {
  if (!isRecord(raw)) return [problem('invalid', 'A field definition is an object.')]
  const out: FieldProblem[] = []
  for (const name of Object.keys(raw))
    if (!DEF_PROPERTIES.has(name)) out.push(problem('unknown_property', `Unknown property "${name}".`))
  if (typeof raw.key !== 'string' || !FIELD_KEY_PATTERN.test(raw.key))
    out.push(problem('key', 'The key is 1–63 characters: a lower-case letter, then letters, digits or _.'))
  if (typeof raw.label !== 'string' || raw.label.trim() === '' || raw.label.length > 200)
    out.push(problem('label', 'The label is 1–200 characters.'))
  if (raw.help !== undefined && (typeof raw.help !== 'string' || raw.help.length > 1000))
    out.push(problem('help', 'The help text is at most 1000 characters.'))
  for (const flag of ['required', 'unique'] as const)
    if (raw[flag] !== undefined && typeof raw[flag] !== 'boolean')
      out.push(problem(flag, `"${flag}" is true or false.`))
  if (typeof raw.type !== 'string' || !(FIELD_TYPES as readonly string[]).includes(raw.type)) {
    out.push(problem('type', `The type is one of: ${FIELD_TYPES.join(', ')}.`))
    return out
  }
  const def = raw as unknown as FieldDef
  out.push(...ruleProblems(def, typeKeys))
  if (out.length === 0 && def.default !== undefined) out.push(...defaultProblems(def))
  return out
}

function ruleProblems(def: FieldDef, typeKeys: ReadonlySet<string>): FieldProblem[] {
  const out: FieldProblem[] = [...boundProblems(def)]
  if (def.unique === true && !UNIQUE_TYPES.has(def.type))
    out.push(problem('unique', `A ${def.type} field cannot be unique.`))
  if (def.pattern !== undefined) {
    if (!PATTERN_TYPES.has(def.type))
      out.push(problem('pattern', 'Only text, email and url fields take a pattern.'))
    else if (typeof def.pattern !== 'string')
      out.push(problem('pattern', `The pattern is a string of at most ${MAX_PATTERN_LENGTH} characters.`))
    else {
      const compiled = compilePattern(def.pattern)
      if (!compiled.ok) out.push(compiled.problem)
    }
  }
  if (OPTION_TYPES.has(def.type)) {
    const options: unknown = def.options
    if (
      !Array.isArray(options) ||
      options.length === 0 ||
      options.length > MAX_OPTIONS ||
      options.some((o) => typeof o !== 'string' || o === '' || o.length > 200) ||
      new Set(options).size !== options.length
    )
      out.push(problem('options', `A ${def.type} field needs 1–${MAX_OPTIONS} distinct non-empty options.`))
  } else if (def.options !== undefined) out.push(problem('options', 'Only select fields take options.'))
  if (def.targetTypes !== undefined) {
    const targets: unknown = def.targetTypes
    if (def.type !== 'entry') out.push(problem('targetTypes', 'Only entry fields take target types.'))
    else if (!Array.isArray(targets) || targets.some((t) => typeof t !== 'string'))
      out.push(problem('targetTypes', 'Target types are a list of type keys.'))
    else {
      const unknown = (targets as string[]).filter((t) => !typeKeys.has(t))
      if (unknown.length > 0)
        out.push(problem('targetTypes', `No such content type: ${unknown.slice(0, 10).join(', ')}.`))
    }
  }
  return out
}

function boundProblems(def: FieldDef): FieldProblem[] {
  if (def.min === undefined && def.max === undefined) return []
  if (DATE_TYPES.has(def.type)) {
    const out: FieldProblem[] = []
    const min = def.min === undefined ? undefined : boundInstant(def.min)
    const max = def.max === undefined ? undefined : boundInstant(def.max)
    if (def.min !== undefined && min === undefined)
      out.push(problem('min', 'min is an ISO date or date-time.'))
    if (def.max !== undefined && max === undefined)
      out.push(problem('max', 'max is an ISO date or date-time.'))
    if (min !== undefined && max !== undefined && min > max) out.push(problem('range', 'min is after max.'))
    return out
  }
  const counted = COUNT_BOUND_TYPES.has(def.type)
  if (!counted && def.type !== 'number') return [problem('range', `A ${def.type} field takes no min or max.`)]
  const out: FieldProblem[] = []
  const ok = (v: unknown): v is number =>
    typeof v === 'number' && Number.isFinite(v) && (!counted || (Number.isInteger(v) && v >= 0))
  const what = counted ? 'a non-negative integer' : 'a number'
  if (def.min !== undefined && !ok(def.min)) out.push(problem('min', `min is ${what}.`))
  if (def.max !== undefined && !ok(def.max)) out.push(problem('max', `max is ${what}.`))
  if (ok(def.min) && ok(def.max) && def.min > def.max) out.push(problem('range', 'min is greater than max.'))
  return out
}

function defaultProblems(def: FieldDef): FieldProblem[] {
  // A default fills every new entry: on a unique field the second entry would always collide.
  if (def.unique === true) return [problem('default', 'A unique field cannot have a default.')]
  if (def.default === null) return [problem('default', 'The default cannot be null: leave it out.')]
  const found = valueProblem(def, def.default)
  return found ? [problem('default', `The default is invalid: ${found.message}`)] : []
}

/**
 * Checks a list of definitions. Problems are keyed by field key (or `#<index>` when the key itself is
 * unusable), each key listing every problem found. Empty when all is well.
 */
export function checkFieldDefs(raw: unknown, typeKeys: ReadonlySet<string>): Record<string, FieldProblem[]> {
  const out: Record<string, FieldProblem[]> = {}
  if (!Array.isArray(raw)) return { '#': [problem('invalid', 'Fields are a list of field definitions.')] }
  if (raw.length > MAX_FIELDS) return { '#': [problem('too_many', `At most ${MAX_FIELDS} fields.`)] }
  const seen = new Set<string>()
  raw.forEach((def, index) => {
    const key =
      isRecord(def) && typeof def.key === 'string' && FIELD_KEY_PATTERN.test(def.key) ? def.key : `#${index}`
    const found = defProblems(def, typeKeys)
    if (seen.has(key) && !key.startsWith('#')) found.push(problem('duplicate', 'Another field has this key.'))
    seen.add(key)
    if (found.length > 0) out[key] = [...(out[key] ?? []), ...found]
  })
  return out
}

/** Keeps only the known properties of a checked definition, so stored schemas hold nothing stray. */
export function normaliseFieldDef(def: FieldDef): FieldDef {
  const out: Record<string, unknown> = {}
  for (const name of DEF_PROPERTIES) {
    const v = (def as unknown as Record<string, unknown>)[name]
    if (v !== undefined) out[name] = v
  }
  return out as unknown as FieldDef
}

/** A named set of definitions a type draws its fields from: its own (`key` null) or an included group. */
export interface FieldSource {
  group: string | null
  fields: readonly FieldDef[]
}

/**
 * All fields of a type, own first, then each group's in order, and the keys defined twice: a key may
 * come from one source only.
 */
export function mergeFieldSources(sources: readonly FieldSource[]): {
  fields: FieldDef[]
  collisions: Record<string, FieldProblem[]>
} {
  const fields: FieldDef[] = []
  const origin = new Map<string, string | null>()
  const collisions: Record<string, FieldProblem[]> = {}
  const name = (group: string | null) => (group === null ? 'the type itself' : `field group "${group}"`)
  for (const source of sources) {
    for (const def of source.fields) {
      if (origin.has(def.key)) {
        const first = origin.get(def.key) ?? null
        const list = (collisions[def.key] ??= [])
        list.push(problem('collision', `Defined by both ${name(first)} and ${name(source.group)}.`))
        continue
      }
      origin.set(def.key, source.group)
      fields.push(def)
    }
  }
  return { fields, collisions }
}

/**
 * The retired keys after a schema change: keys that were fields and no longer are join the list (their
 * stored values stay), keys that are fields again leave it.
 */
export function retiredAfter(args: {
  retired: readonly string[]
  before: readonly string[]
  after: readonly string[]
}): string[] {
  const after = new Set(args.after)
  const out = new Set(args.retired.filter((k) => !after.has(k)))
  for (const key of args.before) if (!after.has(key)) out.add(key)
  return [...out].sort()
}
