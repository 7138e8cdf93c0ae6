/**
 * The words of the menus module (see README.md): a **menu** is a named tree of **items**, shown by the
 * theme at the **location** it is assigned to; an item's **target** is what it links to.
 */

export const ITEM_KINDS = ['entry', 'term', 'archive', 'custom'] as const
export type ItemKind = (typeof ITEM_KINDS)[number]

/** Most levels a menu nests: top-level items, their children, and their grandchildren. */
export const MAX_DEPTH = 3
/** Most items of one menu, counting every level. */
export const MAX_ITEMS = 200
/** Longest item label, in characters. */
export const MAX_LABEL_LENGTH = 100
/** Longest custom link. */
export const MAX_URL_LENGTH = 2000

/** One item of a tree as a client sends it (`PUT /menus/{id}/items`). */
export interface MenuItemInput {
  kind: ItemKind
  entryId?: string | undefined
  termId?: string | undefined
  /** The content type key of an `archive` item. */
  type?: string | undefined
  url?: string | undefined
  label?: string | undefined
  children?: readonly unknown[] | undefined
}

/** An item checked by the rules, flattened: parents come before their children. */
export interface PlannedItem {
  id: string
  parentId: string | null
  position: number
  /** Where the item was in the request (`items[0].children[2]`), for error details. */
  path: string
  kind: ItemKind
  entryId: string | null
  termId: string | null
  typeKey: string | null
  url: string | null
  label: string | null
}

/** Where a menu item leads, as the render module needs it to build the URL. */
export type MenuTarget =
  | {
      kind: 'entry'
      entry: {
        id: string
        /** The content type key. */
        type: string
        slug: string
        title: string
        publishedAt: Date
        /** Slugs of the entry's ancestors from the root (hierarchical types; empty otherwise). */
        ancestors: string[]
      }
    }
  | { kind: 'term'; taxonomy: string; slugs: string[]; name: string }
  | { kind: 'archive'; type: string }
  | { kind: 'custom'; url: string }

/** One item of a menu as public pages get it: the label already defaulted to the target's own title. */
export interface MenuNode {
  id: string
  label: string
  target: MenuTarget
  children: MenuNode[]
}

/** The menus of a site that have a location, by location key. */
export type SiteMenus = Record<string, MenuNode[]>
