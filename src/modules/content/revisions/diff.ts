import type { EntrySnapshot } from '../content.model.ts'
import { plainTextOf } from '../entries/index.ts'

/**
 * Field-level differences between two snapshots of an entry. Values compare as JSON (key order does
 * not matter: JSONB reorders keys). The rendered HTML is left out: it follows `body`.
 */

export interface FieldChange {
  /** `title`, `body`, `seo.metaTitle`, `fields.<key>`… */
  field: string
  before: unknown
  after: unknown
  /** For `body`: a line diff of the plain text, when both texts are small enough to compare cheaply. */
  text?: TextChange[]
}

export interface TextChange {
  op: 'equal' | 'insert' | 'delete'
  text: string
}

const COMPARED: readonly (keyof EntrySnapshot)[] = [
  'title',
  'slug',
  'excerpt',
  'body',
  'parentId',
  'featuredMediaId',
  'visibility',
]
/** Beyond this many line pairs the text diff is skipped (the JSON values are still given). */
const TEXT_DIFF_MAX_CELLS = 1_000_000

export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => sameJson(item, b[i]))
  const ra = a as Record<string, unknown>
  const rb = b as Record<string, unknown>
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)])
  for (const key of keys) if (!sameJson(ra[key], rb[key])) return false
  return true
}

function keyedChanges(prefix: string, before: object, after: object): FieldChange[] {
  const a = before as Record<string, unknown>
  const b = after as Record<string, unknown>
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
  return keys
    .filter((key) => !sameJson(a[key], b[key]))
    .map((key) => ({ field: `${prefix}.${key}`, before: a[key] ?? null, after: b[key] ?? null }))
}

export function diffSnapshots(before: EntrySnapshot, after: EntrySnapshot): FieldChange[] {
  const changes: FieldChange[] = []
  for (const field of COMPARED) {
    const a = before[field] ?? null
    const b = after[field] ?? null
    if (sameJson(a, b)) continue
    const change: FieldChange = { field, before: a, after: b }
    if (field === 'body') {
      const text = diffLines(plainTextOf(a), plainTextOf(b))
      if (text) change.text = text
    }
    changes.push(change)
  }
  changes.push(...keyedChanges('seo', before.seo ?? {}, after.seo ?? {}))
  changes.push(...keyedChanges('fields', before.fields ?? {}, after.fields ?? {}))
  return changes
}

/** A line diff (longest common subsequence), or undefined when the texts are too long to compare. */
export function diffLines(before: string, after: string): TextChange[] | undefined {
  const a = before === '' ? [] : before.split('\n')
  const b = after === '' ? [] : after.split('\n')
  if ((a.length + 1) * (b.length + 1) > TEXT_DIFF_MAX_CELLS) return undefined
  const width = b.length + 1
  // lcs[i * width + j]: length of the common subsequence of a[i..] and b[j..].
  const lcs = new Uint32Array((a.length + 1) * width)
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i * width + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0)
  const out: TextChange[] = []
  const push = (op: TextChange['op'], text: string) => {
    const last = out[out.length - 1]
    if (last && last.op === op) last.text += `\n${text}`
    else out.push({ op, text })
  }
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      push('equal', a[i++] ?? '')
      j++
    } else if (
      j < b.length &&
      (i >= a.length || (lcs[i * width + j + 1] ?? 0) >= (lcs[(i + 1) * width + j] ?? 0))
    ) {
      push('insert', b[j++] ?? '')
    } else {
      push('delete', a[i++] ?? '')
    }
  }
  return out
}
