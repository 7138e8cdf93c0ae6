import { requireCapability, requireSite, type Ctx } from '../../platform/access/index.ts'
import { newId, pageOf, sqlStateOf, type Page, type Tx } from '../../platform/db/index.ts'
import { DEFAULT_PAGE_LIMIT } from '../../platform/http/index.ts'
import { recordAudit } from '../audit/index.ts'
import { MenusErrors } from './menus.errors.ts'
import type { MenuItemInput, PlannedItem } from './menus.model.ts'
import {
  deleteMenu,
  findEntries,
  findMenu,
  findMenuAt,
  findTerms,
  findTypes,
  insertMenu,
  listMenus,
  lockMenu,
  placedMenus,
  readItems,
  replaceItems as replaceItemRows,
  updateMenu,
  type MenuRow,
} from './menus.repo.ts'
import { planTree } from './menus.rules.ts'
import { summaryOf, treeOf, type MenuSummary, type MenuView } from './menus.view.ts'

/**
 * Menus of a site, managed by holders of `site.menus.manage`. A menu's items are replaced as a whole
 * tree in one transaction (the menu row locked), so readers never see half of an edit and a bad item
 * anywhere leaves the old tree in place. Which locations exist is the theme's word (`locationsOf`).
 */

const MANAGE = 'site.menus.manage'

export interface MenuLocation {
  key: string
  label: string
}

export interface MenuLocationView extends MenuLocation {
  menu: { id: string; name: string } | null
}

export interface MenusServiceDeps {
  /** The menu locations the site's theme declares; read in `tx` when the caller is inside one. */
  locationsOf(ctx: Ctx, tx?: Tx): Promise<MenuLocation[]>
}

export interface CreateMenuInput {
  name: string
  location?: string | null | undefined
}

export interface UpdateMenuInput {
  name?: string | undefined
  location?: string | null | undefined
}

export type MenusService = ReturnType<typeof createMenusService>

export function createMenusService(deps: MenusServiceDeps) {
  /** Refuses a location the theme does not declare, or one another menu holds. */
  async function assertLocationFree(ctx: Ctx, tx: Tx, siteId: string, location: string, menuId?: string) {
    const declared = await deps.locationsOf(ctx, tx)
    if (!declared.some((l) => l.key === location))
      throw MenusErrors.locationUnknown({ details: { location, declared: declared.map((l) => l.key) } })
    const holder = await findMenuAt(tx, siteId, location)
    if (holder && holder.id !== menuId)
      throw MenusErrors.locationTaken({ details: { location, menuId: holder.id } })
  }

  /** The unique index on (site, location) is the last word when two writers race past the check. */
  async function guarded<T>(location: string | null | undefined, write: () => Promise<T>): Promise<T> {
    try {
      return await write()
    } catch (err) {
      if (sqlStateOf(err) === '23505' && location) throw MenusErrors.locationTaken({ details: { location } })
      throw err
    }
  }

  async function viewOf(tx: Tx, menu: MenuRow): Promise<MenuView> {
    return { ...summaryOf(menu), items: treeOf(await readItems(tx, menu.siteId, menu.id)) }
  }

  async function list(ctx: Ctx, query: { cursor?: string | undefined; limit?: number | undefined }) {
    requireCapability(ctx, MANAGE)
    const site = requireSite(ctx)
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT
    const rows = await ctx.tx((tx) =>
      listMenus(tx, { siteId: site.id, before: query.cursor, limit: limit + 1 }),
    )
    return pageOf(rows, limit, summaryOf, (row) => row.id) satisfies Page<MenuSummary>
  }

  async function get(ctx: Ctx, id: string): Promise<MenuView> {
    requireCapability(ctx, MANAGE)
    const site = requireSite(ctx)
    return ctx.tx(async (tx) => {
      const menu = await findMenu(tx, site.id, id)
      if (!menu) throw MenusErrors.notFound()
      return viewOf(tx, menu)
    })
  }

  async function create(ctx: Ctx, input: CreateMenuInput): Promise<MenuView> {
    requireCapability(ctx, MANAGE)
    const site = requireSite(ctx)
    const name = input.name.trim()
    const location = input.location ?? null
    return guarded(location, () =>
      ctx.tx(async (tx) => {
        if (location !== null) await assertLocationFree(ctx, tx, site.id, location)
        const menu = await insertMenu(tx, { id: newId(), siteId: site.id, name, location })
        await recordAudit(ctx, tx, {
          action: 'menus.create',
          target: { type: 'menu', id: menu.id },
          summary: { name, location },
        })
        return { ...summaryOf(menu), items: [] }
      }),
    )
  }

  async function update(ctx: Ctx, id: string, input: UpdateMenuInput): Promise<MenuView> {
    requireCapability(ctx, MANAGE)
    const site = requireSite(ctx)
    return guarded(input.location, () =>
      ctx.tx(async (tx) => {
        const current = await lockMenu(tx, site.id, id)
        if (!current) throw MenusErrors.notFound()
        const name = input.name === undefined ? current.name : input.name.trim()
        const location = input.location === undefined ? current.location : input.location
        if (location !== null && location !== current.location)
          await assertLocationFree(ctx, tx, site.id, location, id)
        const menu = await updateMenu(tx, site.id, id, { name, location })
        await recordAudit(ctx, tx, {
          action: 'menus.update',
          target: { type: 'menu', id },
          summary: { from: { name: current.name, location: current.location }, to: { name, location } },
        })
        return viewOf(tx, menu)
      }),
    )
  }

  async function remove(ctx: Ctx, id: string): Promise<void> {
    requireCapability(ctx, MANAGE)
    const site = requireSite(ctx)
    await ctx.tx(async (tx) => {
      const current = await lockMenu(tx, site.id, id)
      if (!current) throw MenusErrors.notFound()
      await deleteMenu(tx, site.id, id)
      await recordAudit(ctx, tx, {
        action: 'menus.delete',
        target: { type: 'menu', id },
        summary: { name: current.name, location: current.location },
      })
    })
  }

  /** Replaces the menu's whole item tree: every item is checked before anything is written. */
  async function replaceItems(ctx: Ctx, id: string, items: readonly MenuItemInput[]): Promise<MenuView> {
    requireCapability(ctx, MANAGE)
    const site = requireSite(ctx)
    const planned = planTree(items, newId)
    return ctx.tx(async (tx) => {
      const menu = await lockMenu(tx, site.id, id)
      if (!menu) throw MenusErrors.notFound()
      const typeIds = await checkTargets(tx, site.id, planned)
      await replaceItemRows(
        tx,
        site.id,
        id,
        planned.map((item) => ({
          id: item.id,
          siteId: site.id,
          menuId: id,
          parentId: item.parentId,
          position: item.position,
          kind: item.kind,
          entryId: item.entryId,
          termId: item.termId,
          typeId: item.typeKey === null ? null : (typeIds.get(item.typeKey) ?? null),
          url: item.url,
          label: item.label,
        })),
      )
      await recordAudit(ctx, tx, {
        action: 'menus.items.replace',
        target: { type: 'menu', id },
        summary: { name: menu.name, items: planned.length },
      })
      const updated = await findMenu(tx, site.id, id)
      return viewOf(tx, updated ?? menu)
    })
  }

  /** The theme's locations, each with the menu shown there. */
  async function locations(ctx: Ctx): Promise<{ items: MenuLocationView[] }> {
    requireCapability(ctx, MANAGE)
    const site = requireSite(ctx)
    const declared = await deps.locationsOf(ctx)
    const placed = await ctx.tx((tx) => placedMenus(tx, site.id))
    const byLocation = new Map(placed.map((m) => [m.location, { id: m.id, name: m.name }]))
    return {
      items: declared.map((l) => ({ key: l.key, label: l.label, menu: byLocation.get(l.key) ?? null })),
    }
  }

  return { list, get, create, update, remove, replaceItems, locations }
}

/**
 * Every target must be on this site: entries not in the trash, terms, and types whose entries are not
 * arranged in a tree (only those have an archive). Answers the ids of the archive types by key. Reads
 * are bound to the site, so another site's ids are simply not found.
 */
async function checkTargets(tx: Tx, siteId: string, planned: PlannedItem[]): Promise<Map<string, string>> {
  const ids = (pick: (item: PlannedItem) => string | null) => [
    ...new Set(planned.map(pick).filter((v): v is string => v !== null)),
  ]
  const entries = await findEntries(
    tx,
    siteId,
    ids((i) => i.entryId),
  )
  const terms = await findTerms(
    tx,
    siteId,
    ids((i) => i.termId),
  )
  const types = await findTypes(
    tx,
    siteId,
    ids((i) => i.typeKey),
  )
  const entryState = new Map(entries.map((e) => [e.id, e.trashed]))
  const termSet = new Set(terms)
  const typeByKey = new Map(types.map((t) => [t.key, t]))
  for (const item of planned) {
    const refuse = (reason: string) =>
      MenusErrors.targetInvalid({ details: { item: item.path, kind: item.kind, reason } })
    if (item.entryId !== null) {
      const trashed = entryState.get(item.entryId)
      if (trashed === undefined) throw refuse('no such entry on this site')
      if (trashed) throw refuse('the entry is in the trash')
    }
    if (item.termId !== null && !termSet.has(item.termId)) throw refuse('no such term on this site')
    if (item.typeKey !== null) {
      const type = typeByKey.get(item.typeKey)
      if (!type) throw refuse('no such content type on this site')
      if (type.hierarchical) throw refuse('entries of a hierarchical type have no archive')
    }
  }
  return new Map(types.map((t) => [t.key, t.id]))
}
