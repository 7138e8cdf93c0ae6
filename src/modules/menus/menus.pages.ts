import type { StatementRead } from '../../platform/db/index.ts'
import type { MenuNode, MenuTarget, SiteMenus } from './menus.model.ts'
import { readPageItems, type PageItemRow } from './menus.repo.ts'

/**
 * The site's placed menus as public pages show them, `{ [location]: MenuNode[] }`, from ONE compiled
 * read bound to the site (`ctx.read` of the page request). It reads as an anonymous reader whoever asks:
 * pages are the same for everyone, and so is their navigation.
 *
 * Left out, each with its whole sub-tree (a sub-menu under a link that is not there would hang from
 * nothing): items whose entry an anonymous reader may not see (drafts, scheduled, private,
 * password-protected, trashed entries; the reading API's own rule), and archive items whose type has
 * since become hierarchical (such types have no archive page).
 */
export async function readSiteMenus(read: StatementRead, siteId: string): Promise<SiteMenus> {
  const rows = await readPageItems(read, siteId)
  const childrenOf = new Map<string, ItemRow[]>()
  const roots = new Map<string, ItemRow[]>()
  for (const read of rows) {
    if (!hasId(read)) {
      roots.set(read.location, [])
      continue
    }
    const row = read
    const bucket = row.parentId === null ? roots : childrenOf
    const key = row.parentId ?? row.location
    const list = bucket.get(key)
    if (list) list.push(row)
    else bucket.set(key, [row])
  }
  const build = (level: readonly ItemRow[]): MenuNode[] => {
    const nodes: MenuNode[] = []
    for (const row of level) {
      const shown = nodeOf(row)
      if (!shown) continue
      nodes.push({ ...shown, children: build(childrenOf.get(shown.id) ?? []) })
    }
    return nodes
  }
  const menus: SiteMenus = {}
  for (const [location, level] of roots) menus[location] = build(level)
  return menus
}

type ItemRow = PageItemRow & { id: string }
const hasId = (row: PageItemRow): row is ItemRow => row.id !== null

/** The item's label and target, or undefined when readers must not see it. */
function nodeOf(row: ItemRow): { id: string; label: string; target: MenuTarget } | undefined {
  const labelled = (fallback: string, target: MenuTarget) => ({
    id: row.id,
    label: row.label ?? fallback,
    target,
  })
  switch (row.kind) {
    case 'entry': {
      if (!row.entry) return undefined
      const { publishedAt, ...entry } = row.entry
      return labelled(entry.title, { kind: 'entry', entry: { ...entry, publishedAt: new Date(publishedAt) } })
    }
    case 'term':
      if (!row.term) return undefined
      return labelled(row.term.name, {
        kind: 'term',
        taxonomy: row.term.taxonomy,
        slugs: row.term.slugs,
        name: row.term.name,
      })
    case 'archive':
      if (!row.archive || row.archive.hierarchical) return undefined
      return labelled(row.archive.name, { kind: 'archive', type: row.archive.type })
    case 'custom':
      if (row.url === null) return undefined
      return labelled(row.url, { kind: 'custom', url: row.url })
    default:
      return undefined
  }
}
