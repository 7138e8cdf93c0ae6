/**
 * Typed custom fields (R30), the value side: what a field definition is, and the checks every entry
 * write runs on the values it stores. Pure: no database. The checks that need one (unique values, entry
 * references) are listed by `checkFieldValues` for the service to run in its transaction. The checks a
 * definition itself must pass live in `fields.ts`.
 */

import { compilePattern } from './field-patterns.ts'

export const FIELD_TYPES = [
  'text',
  'richText',
  'number',
  'boolean',
  'date',
  'datetime',
  'select',
  'multiSelect',
  'email',
  'url',
  'media',
  'entry',
  'json',
] as const
export type FieldType = (typeof FIELD_TYPES)[number]

/**
 * One custom field. `min`/`max` bound a number's value, a text's length, a multi-select's count, and
 * (as ISO dates, `YYYY-MM-DD` or a full date-time) a date's or date-time's range.
 */
export interface FieldDef {
  key: string
  label: string
  type: FieldType
  required?: boolean
  unique?: boolean
  default?: unknown
  min?: number | string
  max?: number | string
  pattern?: string
  options?: string[]
  targetTypes?: string[]
  help?: string
}

/** A problem with one field, as listed in an error's `details.fields`. */
export interface FieldProblem {
  code: string
  message: string
}

/** Text without its own `max` still has one: values live in one JSONB column of the entry. */
export const TEXT_MAX_LENGTH = 65_536
export const JSON_MAX_BYTES = 64 * 1024
export const RICH_TEXT_MAX_BYTES = 256 * 1024
const RICH_TEXT_MAX_DEPTH = 40
const URL_MAX_LENGTH = 2048
const EMAIL_MAX_LENGTH = 254

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/

/** Shared with the definition checks in `fields.ts`. */
export const problem = (code: string, message: string): FieldProblem => ({ code, message })
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function validDate(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)))
  return (
    date.getUTCFullYear() === Number(y) &&
    date.getUTCMonth() === Number(m) - 1 &&
    date.getUTCDate() === Number(d)
  )
}

/** The instant an ISO date or date-time names (dates as UTC midnight), or undefined when it is not one. */
export function isoInstant(value: unknown, type: 'date' | 'datetime'): number | undefined {
  if (typeof value !== 'string') return undefined
  const match = (type === 'date' ? DATE : DATETIME).exec(value)
  if (!match || !validDate(match[1] ?? '', match[2] ?? '', match[3] ?? '')) return undefined
  const time = Date.parse(type === 'date' ? `${value}T00:00:00Z` : value)
  return Number.isNaN(time) ? undefined : time
}

/** A bound of a date range may be either form: `2025-01-01` or `2025-01-01T00:00:00Z`. */
export function boundInstant(bound: unknown): number | undefined {
  return isoInstant(bound, 'date') ?? isoInstant(bound, 'datetime')
}

export function isSafeUrl(value: string): boolean {
  // Whitespace and control characters hide schemes from naive readers (`java\tscript:`): refused outright.
  if (value.length > URL_MAX_LENGTH || [...value].some((c) => c.trim() === '' || c.charCodeAt(0) < 0x20))
    return false
  // Site-relative paths are links too; `//host` is not a path but a protocol-relative URL.
  if (value.startsWith('/') && !value.startsWith('//')) return true
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return false
  }
  // An allow-list: `javascript:`, `data:`, `vbscript:`, `file:` and the rest are refused.
  if (url.protocol === 'mailto:') return url.pathname.length > 0
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0
}

function jsonSize(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8')
  } catch {
    return Number.POSITIVE_INFINITY
  }
}

function richTextProblem(value: unknown): FieldProblem | undefined {
  const shape = problem('rich_text', 'Expected a rich-text document: { "type": "doc", "content": [...] }.')
  if (!isRecord(value) || value.type !== 'doc' || !Array.isArray(value.content)) return shape
  if (jsonSize(value) > RICH_TEXT_MAX_BYTES)
    return problem('too_large', `The document is larger than ${RICH_TEXT_MAX_BYTES} bytes.`)
  // Every node is an object with a string type; nested content is an array; depth is bounded.
  const stack: Array<{ node: unknown; depth: number }> = value.content.map((node) => ({ node, depth: 1 }))
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number }
    if (depth > RICH_TEXT_MAX_DEPTH) return problem('rich_text', 'The document nests too deeply.')
    if (!isRecord(node) || typeof node.type !== 'string') return shape
    if (node.content !== undefined) {
      if (!Array.isArray(node.content)) return shape
      for (const child of node.content) stack.push({ node: child, depth: depth + 1 })
    }
  }
  return undefined
}

/** Checks `value` (present, not null) against the field's own rules; unique and references are the DB's. */
export function valueProblem(def: FieldDef, value: unknown): FieldProblem | undefined {
  switch (def.type) {
    case 'text':
    case 'email':
    case 'url':
      return textProblem(def, value)
    case 'richText':
      return richTextProblem(value)
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return problem('type', 'Expected a number.')
      if (typeof def.min === 'number' && value < def.min)
        return problem('min', `Must be at least ${def.min}.`)
      if (typeof def.max === 'number' && value > def.max) return problem('max', `Must be at most ${def.max}.`)
      return undefined
    case 'boolean':
      return typeof value === 'boolean' ? undefined : problem('type', 'Expected true or false.')
    case 'date':
    case 'datetime':
      return dateProblem(def, def.type, value)
    case 'select':
      if (typeof value !== 'string') return problem('type', 'Expected one of the options, as a string.')
      return def.options?.includes(value) ? undefined : problem('option', 'Not one of the options.')
    case 'multiSelect':
      return multiSelectProblem(def, value)
    case 'media':
    case 'entry':
      return typeof value === 'string' && UUID.test(value) ? undefined : problem('type', 'Expected a uuid.')
    case 'json':
      if (value === undefined) return problem('type', 'Expected a JSON value.')
      return jsonSize(value) > JSON_MAX_BYTES
        ? problem('too_large', `The value is larger than ${JSON_MAX_BYTES} bytes.`)
        : undefined
  }
}

function textProblem(def: FieldDef, value: unknown): FieldProblem | undefined {
  if (typeof value !== 'string') return problem('type', 'Expected a string.')
  const length = [...value].length
  if (typeof def.min === 'number' && length < def.min)
    return problem('min', `Must be at least ${def.min} characters long.`)
  const max = typeof def.max === 'number' ? def.max : TEXT_MAX_LENGTH
  if (length > max) return problem('max', `Must be at most ${max} characters long.`)
  if (def.type === 'email' && (value.length > EMAIL_MAX_LENGTH || !EMAIL.test(value)))
    return problem('email', 'Not an email address.')
  if (def.type === 'url' && !isSafeUrl(value))
    return problem('url', 'Not an http, https or mailto URL (or a site path starting with /).')
  if (def.pattern !== undefined) {
    const compiled = compilePattern(def.pattern)
    // Only a pattern stored before the linear-time engine can fail here: saving types refuses the rest.
    if (!compiled.ok)
      return problem(
        'pattern_unsupported',
        'The field’s pattern cannot be checked any more; a site administrator must change it in the type.',
      )
    if (!compiled.regex.test(value)) return problem('pattern', 'Does not match the required pattern.')
  }
  return undefined
}

function dateProblem(def: FieldDef, type: 'date' | 'datetime', value: unknown): FieldProblem | undefined {
  const instant = isoInstant(value, type)
  if (instant === undefined)
    return type === 'date'
      ? problem('type', 'Expected a date: YYYY-MM-DD.')
      : problem('type', 'Expected an ISO 8601 date-time with a time zone, e.g. 2025-03-01T09:30:00Z.')
  const min = boundInstant(def.min)
  const max = boundInstant(def.max)
  if (min !== undefined && instant < min) return problem('min', `Must not be before ${String(def.min)}.`)
  if (max !== undefined && instant > max) return problem('max', `Must not be after ${String(def.max)}.`)
  return undefined
}

function multiSelectProblem(def: FieldDef, value: unknown): FieldProblem | undefined {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    return problem('type', 'Expected a list of options.')
  const chosen = value as string[]
  if (chosen.some((v) => !def.options?.includes(v))) return problem('option', 'Not one of the options.')
  if (new Set(chosen).size !== chosen.length) return problem('duplicate', 'An option is chosen twice.')
  if (typeof def.min === 'number' && chosen.length < def.min)
    return problem('min', `Choose at least ${def.min}.`)
  if (typeof def.max === 'number' && chosen.length > def.max)
    return problem('max', `Choose at most ${def.max}.`)
  return undefined
}

/** What the database must still confirm about a set of values. */
export interface PendingChecks {
  unique: Array<{ key: string; value: unknown }>
  entryRefs: Array<{ key: string; id: string; targetTypes: readonly string[] | undefined }>
  /** `media` fields: the media item must belong to the entry's site. */
  mediaRefs: Array<{ key: string; id: string }>
}

export interface ValueCheck {
  /** The merged values to store. */
  values: Record<string, unknown>
  problems: Record<string, FieldProblem>
  pending: PendingChecks
}

/**
 * Merges `input` over `existing` and checks the result: unknown and retired keys are refused, `null`
 * clears a value, defaults fill a new entry (no `existing`), stored values of retired keys stay as they
 * are. Every active field is checked, so a field whose type changed is revalidated on the next save.
 */
export function checkFieldValues(args: {
  fields: readonly FieldDef[]
  retired: readonly string[]
  input: Record<string, unknown> | undefined
  existing: Record<string, unknown> | undefined
}): ValueCheck {
  const byKey = new Map(args.fields.map((f) => [f.key, f]))
  const retired = new Set(args.retired)
  const values: Record<string, unknown> = { ...(args.existing ?? {}) }
  const problems: Record<string, FieldProblem> = {}
  for (const [key, value] of Object.entries(args.input ?? {})) {
    if (retired.has(key))
      problems[key] = problem('retired', 'This field was removed from the type: it cannot be written.')
    else if (!byKey.has(key)) problems[key] = problem('unknown', 'The type has no such field.')
    else if (value === null || value === undefined) delete values[key]
    else values[key] = value
  }
  if (args.existing === undefined)
    for (const def of args.fields)
      if (values[def.key] === undefined && def.default !== undefined)
        values[def.key] = structuredClone(def.default)
  const pending: PendingChecks = { unique: [], entryRefs: [], mediaRefs: [] }
  for (const def of args.fields) {
    if (problems[def.key]) continue
    const value = values[def.key]
    const empty = value === undefined || value === '' || (Array.isArray(value) && value.length === 0)
    if (empty) {
      if (def.required) problems[def.key] = problem('required', 'This field is required.')
      continue
    }
    const found = valueProblem(def, value)
    if (found) {
      problems[def.key] = found
      continue
    }
    if (def.unique) pending.unique.push({ key: def.key, value })
    if (def.type === 'entry')
      pending.entryRefs.push({ key: def.key, id: String(value), targetTypes: def.targetTypes })
    if (def.type === 'media') pending.mediaRefs.push({ key: def.key, id: String(value) })
  }
  return { values, problems, pending }
}
