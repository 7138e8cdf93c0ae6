import { MenusErrors } from './menus.errors.ts'
import {
  MAX_DEPTH,
  MAX_ITEMS,
  MAX_LABEL_LENGTH,
  MAX_URL_LENGTH,
  type ItemKind,
  type MenuItemInput,
  type PlannedItem,
} from './menus.model.ts'

/**
 * The pure rules of a menu's item tree: shape, depth, size, labels and custom links. What needs the
 * database (do the entries, terms and types exist on this site?) is checked by the service afterwards.
 */

const SCHEMES = new Set(['http:', 'https:', 'mailto:', 'tel:'])
const TARGET_FIELD: Record<ItemKind, 'entryId' | 'termId' | 'type' | 'url'> = {
  entry: 'entryId',
  term: 'termId',
  archive: 'type',
  custom: 'url',
}
// Control characters, whitespace inside a link and backslashes (which browsers read as `/`, turning
// `/\host` into a link to another host) are never part of a link an editor means.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f\s\\]/

/**
 * A custom link as stored, or why it is refused: an absolute `http`/`https` URL with a host and no
 * credentials, a `mailto:` or `tel:` link, or a path on the site (`/about`, never `//host`).
 */
export function checkCustomUrl(raw: string): { ok: true; url: string } | { ok: false; reason: string } {
  const url = raw.trim()
  if (url.length === 0) return { ok: false, reason: 'empty' }
  if (url.length > MAX_URL_LENGTH) return { ok: false, reason: `longer than ${MAX_URL_LENGTH} characters` }
  if (FORBIDDEN.test(url)) return { ok: false, reason: 'contains whitespace, a control character or \\' }
  if (url.startsWith('/')) {
    if (url.startsWith('//')) return { ok: false, reason: 'protocol-relative links are not allowed' }
    return { ok: true, url }
  }
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return { ok: false, reason: 'not a URL and not a path starting with /' }
  }
  if (!SCHEMES.has(parsed.protocol)) return { ok: false, reason: `scheme ${parsed.protocol} is not allowed` }
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') {
    if (parsed.hostname === '') return { ok: false, reason: 'no host' }
    if (parsed.username !== '' || parsed.password !== '')
      return { ok: false, reason: 'credentials in links are not allowed' }
  } else if (url.length <= parsed.protocol.length) {
    return { ok: false, reason: 'nothing after the scheme' }
  }
  return { ok: true, url }
}

/** The label as stored (trimmed; null means "use the target's own title"), or a refusal. */
function labelOf(item: MenuItemInput, path: string): string | null {
  if (item.label === undefined) {
    if (item.kind === 'custom')
      throw MenusErrors.labelInvalid({ details: { item: path, reason: 'required' } })
    return null
  }
  const label = item.label.trim()
  if (label.length === 0 || [...label].length > MAX_LABEL_LENGTH)
    throw MenusErrors.labelInvalid({
      details: { item: path, reason: `must have 1 to ${MAX_LABEL_LENGTH} characters` },
    })
  return label
}

/** The one target field of the item's kind; any other target field is refused. */
function targetOf(item: MenuItemInput, path: string): string {
  const wanted = TARGET_FIELD[item.kind]
  const given = Object.values(TARGET_FIELD).filter((field) => item[field] !== undefined)
  const value = item[wanted]
  if (value === undefined || given.length !== 1)
    throw MenusErrors.itemInvalid({ details: { item: path, kind: item.kind, expected: wanted, given } })
  return value
}

/**
 * Checks a whole tree and flattens it, parents before children, with new ids and positions among
 * siblings. Refuses a tree deeper than `MAX_DEPTH` or larger than `MAX_ITEMS` before anything else, so
 * a huge body costs no per-item work.
 */
export function planTree(items: readonly MenuItemInput[], newId: () => string): PlannedItem[] {
  const total = countItems(items, 1)
  if (total > MAX_ITEMS) throw MenusErrors.tooManyItems({ details: { count: total, max: MAX_ITEMS } })
  const out: PlannedItem[] = []
  const walk = (level: readonly MenuItemInput[], parentId: string | null, prefix: string) => {
    level.forEach((item, position) => {
      const path = `${prefix}[${position}]`
      const target = targetOf(item, path)
      let url: string | null = null
      if (item.kind === 'custom') {
        const checked = checkCustomUrl(target)
        if (!checked.ok) throw MenusErrors.urlInvalid({ details: { item: path, reason: checked.reason } })
        url = checked.url
      }
      const planned: PlannedItem = {
        id: newId(),
        parentId,
        position,
        path,
        kind: item.kind,
        entryId: item.kind === 'entry' ? target : null,
        termId: item.kind === 'term' ? target : null,
        typeKey: item.kind === 'archive' ? target : null,
        url,
        label: labelOf(item, path),
      }
      out.push(planned)
      walk((item.children ?? []) as MenuItemInput[], planned.id, `${path}.children`)
    })
  }
  walk(items, null, 'items')
  return out
}

/** Counts every item, refusing children below `MAX_DEPTH` (the schema leaves the deepest level open). */
function countItems(level: readonly unknown[], depth: number, prefix = 'items'): number {
  let count = level.length
  level.forEach((raw, position) => {
    const children = (raw as MenuItemInput).children ?? []
    if (children.length === 0) return
    const path = `${prefix}[${position}]`
    if (depth >= MAX_DEPTH) throw MenusErrors.tooDeep({ details: { item: path, maxDepth: MAX_DEPTH } })
    count += countItems(children, depth + 1, `${path}.children`)
  })
  return count
}
