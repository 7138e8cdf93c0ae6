import { and, asc, desc, eq, inArray, isNotNull, lt, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { schema, statementCache, type StatementRead, type Tx } from '../../platform/db/index.ts'
import { visibleTo } from '../content/index.ts'

const { menus, menuItems, entries, terms, taxonomies, contentTypes } = schema

/** Every query filters on the site explicitly; row-level security is the second wall. */

export type MenuRow = typeof menus.$inferSelect
export type NewMenuItem = typeof menuItems.$inferInsert

export function listMenus(
  tx: Tx,
  q: { siteId: string; before?: string | undefined; limit: number },
): Promise<MenuRow[]> {
  return tx
    .select()
    .from(menus)
    .where(and(eq(menus.siteId, q.siteId), q.before ? lt(menus.id, q.before) : undefined))
    .orderBy(desc(menus.id))
    .limit(q.limit)
}

export async function findMenu(tx: Tx, siteId: string, id: string): Promise<MenuRow | undefined> {
  const [row] = await tx
    .select()
    .from(menus)
    .where(and(eq(menus.siteId, siteId), eq(menus.id, id)))
  return row
}

/** The menu, locked until the transaction ends: writes to one menu and its items go one at a time. */
export async function lockMenu(tx: Tx, siteId: string, id: string): Promise<MenuRow | undefined> {
  const [row] = await tx
    .select()
    .from(menus)
    .where(and(eq(menus.siteId, siteId), eq(menus.id, id)))
    .for('update')
  return row
}

export async function findMenuAt(tx: Tx, siteId: string, location: string): Promise<MenuRow | undefined> {
  const [row] = await tx
    .select()
    .from(menus)
    .where(and(eq(menus.siteId, siteId), eq(menus.location, location)))
  return row
}

/** The menus shown somewhere, for the list of locations. */
export function placedMenus(tx: Tx, siteId: string): Promise<Pick<MenuRow, 'id' | 'name' | 'location'>[]> {
  return tx
    .select({ id: menus.id, name: menus.name, location: menus.location })
    .from(menus)
    .where(and(eq(menus.siteId, siteId), isNotNull(menus.location)))
}

export async function insertMenu(tx: Tx, row: typeof menus.$inferInsert): Promise<MenuRow> {
  const [inserted] = await tx.insert(menus).values(row).returning()
  if (!inserted) throw new TypeError('insert into menus returned no row')
  return inserted
}

export async function updateMenu(
  tx: Tx,
  siteId: string,
  id: string,
  set: Partial<Pick<MenuRow, 'name' | 'location'>>,
): Promise<MenuRow> {
  const [row] = await tx
    .update(menus)
    .set({ ...set, updatedAt: new Date() })
    .where(and(eq(menus.siteId, siteId), eq(menus.id, id)))
    .returning()
  if (!row) throw new TypeError('update of menus returned no row')
  return row
}

/** Deletes the menu; its items go with it (foreign key cascade). */
export async function deleteMenu(tx: Tx, siteId: string, id: string): Promise<void> {
  await tx.delete(menus).where(and(eq(menus.siteId, siteId), eq(menus.id, id)))
}

/** The entries among `ids` that exist on the site, with whether each is in the trash. */
export function findEntries(
  tx: Tx,
  siteId: string,
  ids: string[],
): Promise<{ id: string; trashed: boolean }[]> {
  if (ids.length === 0) return Promise.resolve([])
  return tx
    .select({ id: entries.id, trashed: sql<boolean>`${entries.status} = 'trash'` })
    .from(entries)
    .where(and(eq(entries.siteId, siteId), inArray(entries.id, ids)))
}

/** The terms among `ids` that exist on the site (their taxonomy exists too: a foreign key holds it). */
export async function findTerms(tx: Tx, siteId: string, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return []
  const rows = await tx
    .select({ id: terms.id })
    .from(terms)
    .innerJoin(taxonomies, eq(taxonomies.id, terms.taxonomyId))
    .where(and(eq(terms.siteId, siteId), inArray(terms.id, ids)))
  return rows.map((r) => r.id)
}

/** The content types among `keys` on the site. */
export function findTypes(
  tx: Tx,
  siteId: string,
  keys: string[],
): Promise<{ id: string; key: string; hierarchical: boolean }[]> {
  if (keys.length === 0) return Promise.resolve([])
  return tx
    .select({ id: contentTypes.id, key: contentTypes.key, hierarchical: contentTypes.hierarchical })
    .from(contentTypes)
    .where(and(eq(contentTypes.siteId, siteId), inArray(contentTypes.key, keys)))
}

/** Replaces every item of the menu (one delete, one insert: foreign keys are checked per statement). */
export async function replaceItems(
  tx: Tx,
  siteId: string,
  menuId: string,
  rows: NewMenuItem[],
): Promise<void> {
  await tx.delete(menuItems).where(and(eq(menuItems.siteId, siteId), eq(menuItems.menuId, menuId)))
  if (rows.length > 0) await tx.insert(menuItems).values(rows)
  await tx
    .update(menus)
    .set({ updatedAt: new Date() })
    .where(and(eq(menus.siteId, siteId), eq(menus.id, menuId)))
}

const entryType = alias(contentTypes, 'entry_type')
const archiveType = alias(contentTypes, 'archive_type')

/** An item of a menu as editors see it, with the titles of its target. */
export interface EditorItemRow {
  id: string
  parentId: string | null
  position: number
  kind: string
  label: string | null
  entryId: string | null
  termId: string | null
  url: string | null
  entryTitle: string | null
  entryType: string | null
  termName: string | null
  taxonomy: string | null
  archiveType: string | null
  archiveName: string | null
}

export function readItems(tx: Tx, siteId: string, menuId: string): Promise<EditorItemRow[]> {
  return tx
    .select({
      id: menuItems.id,
      parentId: menuItems.parentId,
      position: menuItems.position,
      kind: menuItems.kind,
      label: menuItems.label,
      entryId: menuItems.entryId,
      termId: menuItems.termId,
      url: menuItems.url,
      entryTitle: entries.title,
      entryType: entryType.key,
      termName: terms.name,
      taxonomy: taxonomies.key,
      archiveType: archiveType.key,
      archiveName: archiveType.pluralName,
    })
    .from(menuItems)
    .leftJoin(entries, and(eq(entries.id, menuItems.entryId), eq(entries.siteId, siteId)))
    .leftJoin(entryType, eq(entryType.id, entries.typeId))
    .leftJoin(terms, and(eq(terms.id, menuItems.termId), eq(terms.siteId, siteId)))
    .leftJoin(taxonomies, eq(taxonomies.id, terms.taxonomyId))
    .leftJoin(archiveType, and(eq(archiveType.id, menuItems.typeId), eq(archiveType.siteId, siteId)))
    .where(and(eq(menuItems.siteId, siteId), eq(menuItems.menuId, menuId)))
    .orderBy(asc(menuItems.position), asc(menuItems.id))
}

const SITE = sql.placeholder('site')
/** Anonymous readers: published public entries of a live site, the rule of the reading API (ADR 0009). */
const ANONYMOUS = { private: false, drafts: false } as const

/**
 * Every item of the site's placed menus with what pages need of its target, in one statement. An entry
 * joins only when an anonymous reader may see it (`visibleTo`, the one rule), so a hidden entry's item
 * comes with a null entry id; ancestor slugs come for entries of hierarchical types (they are part of the
 * `{path}` permalink), whatever the ancestors' own visibility, as the reading API gives them.
 */
const siteMenusStatement = statementCache(
  () => sql`select m.location, i.id, i.parent_id, i.position, i.kind, i.label, i.url,
      e.id, et.key, e.slug, e.title,
      to_char(e.published_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      case when e.id is not null and et.hierarchical and e.parent_id is not null then
        (with recursive up(id, parent_id, slug, depth) as (
            select a.id, a.parent_id, a.slug, 1 from entries a where a.site_id = ${SITE} and a.id = e.parent_id
            union all
            select a.id, a.parent_id, a.slug, up.depth + 1 from entries a join up on a.id = up.parent_id
            where a.site_id = ${SITE} and up.depth < 100)
          select json_agg(up.slug order by up.depth desc) from up)
      end,
      tx.key, t.name,
      case when t.id is not null then
        (with recursive up(id, parent_id, slug, depth) as (
            select t.id, t.parent_id, t.slug, 0
            union all
            select p.id, p.parent_id, p.slug, up.depth + 1 from terms p join up on p.id = up.parent_id
            where p.site_id = ${SITE} and up.depth < 100)
          select json_agg(up.slug order by up.depth desc) from up)
      end,
      ct.key, ct.hierarchical, ct.plural_name
    from menus m
    left join menu_items i on i.menu_id = m.id and i.site_id = ${SITE}
    left join entries e on e.id = i.entry_id and e.site_id = ${SITE} and ${visibleTo(ANONYMOUS, 'e', SITE)}
    left join content_types et on et.id = e.type_id and et.site_id = ${SITE}
    left join terms t on t.id = i.term_id and t.site_id = ${SITE}
    left join taxonomies tx on tx.id = t.taxonomy_id and tx.site_id = ${SITE}
    left join content_types ct on ct.id = i.type_id and ct.site_id = ${SITE}
    where m.site_id = ${SITE} and m.location is not null
    order by m.location, i.position, i.id`,
)

/**
 * One item of a placed menu as the page statement reads it; a placed menu without items gives one row
 * whose `id` is null, so that its location is still known.
 */
export interface PageItemRow {
  location: string
  id: string | null
  parentId: string | null
  kind: string
  label: string | null
  url: string | null
  /** Null when the item is not an entry item or an anonymous reader may not see the entry. */
  entry: {
    id: string
    type: string
    slug: string
    title: string
    publishedAt: string
    ancestors: string[]
  } | null
  term: { taxonomy: string; name: string; slugs: string[] } | null
  archive: { type: string; name: string; hierarchical: boolean } | null
}

export async function readPageItems(read: StatementRead, siteId: string): Promise<PageItemRow[]> {
  const rows = await read(siteMenusStatement(null), { site: siteId })
  return rows.map((row) => {
    const [location, id, parentId, , kind, label, url, entryId, entryType, slug, title, publishedAt] =
      row as [
        string,
        string | null,
        string | null,
        number,
        string,
        string | null,
        string | null,
        string | null,
        string | null,
        string | null,
        string | null,
        string | null,
      ]
    const [ancestors, taxonomy, termName, termSlugs, typeKey, hierarchical, typeName] = row.slice(12) as [
      string[] | null,
      string | null,
      string | null,
      string[] | null,
      string | null,
      boolean | null,
      string | null,
    ]
    return {
      location,
      id,
      parentId,
      kind,
      label,
      url,
      entry:
        entryId === null
          ? null
          : {
              id: entryId,
              type: entryType ?? '',
              slug: slug ?? '',
              title: title ?? '',
              publishedAt: publishedAt ?? '',
              ancestors: ancestors ?? [],
            },
      term: taxonomy === null ? null : { taxonomy, name: termName ?? '', slugs: termSlugs ?? [] },
      archive:
        typeKey === null
          ? null
          : { type: typeKey, name: typeName ?? typeKey, hierarchical: hierarchical === true },
    }
  })
}
