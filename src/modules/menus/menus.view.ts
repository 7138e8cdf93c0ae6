import type { ItemKind } from './menus.model.ts'
import type { EditorItemRow, MenuRow } from './menus.repo.ts'

/** Menu rows → the API's reply shapes. */

export interface MenuSummary {
  id: string
  name: string
  location: string | null
  createdAt: string
  updatedAt: string
}

export interface MenuItemView {
  id: string
  kind: ItemKind
  label: string | null
  title: string
  entryId: string | null
  termId: string | null
  taxonomy: string | null
  type: string | null
  url: string | null
  children: MenuItemView[]
}

export interface MenuView extends MenuSummary {
  items: MenuItemView[]
}

export function summaryOf(row: MenuRow): MenuSummary {
  return {
    id: row.id,
    name: row.name,
    location: row.location,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

function itemOf(row: EditorItemRow): Omit<MenuItemView, 'children'> {
  const own = row.entryTitle ?? row.termName ?? row.archiveName ?? row.url ?? ''
  return {
    id: row.id,
    kind: row.kind as ItemKind,
    label: row.label,
    title: row.label ?? own,
    entryId: row.entryId,
    termId: row.termId,
    taxonomy: row.taxonomy,
    type: row.entryType ?? row.archiveType,
    url: row.url,
  }
}

/** The rows (ordered by position) as a tree. */
export function treeOf(rows: readonly EditorItemRow[]): MenuItemView[] {
  const byParent = new Map<string | null, EditorItemRow[]>()
  for (const row of rows) {
    const list = byParent.get(row.parentId)
    if (list) list.push(row)
    else byParent.set(row.parentId, [row])
  }
  const build = (parentId: string | null): MenuItemView[] =>
    (byParent.get(parentId) ?? []).map((row) => ({ ...itemOf(row), children: build(row.id) }))
  return build(null)
}
