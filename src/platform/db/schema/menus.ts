import { sql } from 'drizzle-orm'
import {
  check,
  index,
  integer,
  pgTable,
  text,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core'
import { contentTypes, entries, terms } from './content.ts'
import { created, siteRef, updated } from './columns.ts'

/**
 * Navigation menus of a site (row-level security on both tables, see migration 0010). A menu is shown
 * by a theme when its `location` names one of the locations the theme declares; a site has at most one
 * menu per location.
 */

export const menus = pgTable(
  'menus',
  {
    id: uuid('id').primaryKey(),
    siteId: siteRef(),
    name: text('name').notNull(),
    location: text('location'),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    index('menus_site_idx').on(t.siteId, t.id),
    uniqueIndex('menus_site_location_key')
      .on(t.siteId, t.location)
      .where(sql`${t.location} is not null`),
  ],
)

/**
 * The items of a menu, a tree through `parent_id` ordered by `position` among siblings. `kind` says
 * which target column is set: `entry_id`, `term_id`, `type_id` (an archive) or `url` (custom). Deleting
 * the target entry, term or type deletes the item and, through `parent_id`, its sub-items: no row ever
 * points at nothing.
 */
export const menuItems = pgTable(
  'menu_items',
  {
    id: uuid('id').primaryKey(),
    siteId: siteRef(),
    menuId: uuid('menu_id')
      .notNull()
      .references(() => menus.id, { onDelete: 'cascade' }),
    parentId: uuid('parent_id').references((): AnyPgColumn => menuItems.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    kind: text('kind').notNull(),
    entryId: uuid('entry_id').references(() => entries.id, { onDelete: 'cascade' }),
    termId: uuid('term_id').references(() => terms.id, { onDelete: 'cascade' }),
    typeId: uuid('type_id').references(() => contentTypes.id, { onDelete: 'cascade' }),
    url: text('url'),
    label: text('label'),
  },
  (t) => [
    index('menu_items_menu_idx').on(t.menuId, t.parentId, t.position),
    index('menu_items_site_idx').on(t.siteId),
    index('menu_items_parent_idx').on(t.parentId),
    index('menu_items_entry_idx').on(t.entryId),
    index('menu_items_term_idx').on(t.termId),
    index('menu_items_type_idx').on(t.typeId),
    check('menu_items_kind_check', sql`${t.kind} in ('entry', 'term', 'archive', 'custom')`),
    check(
      'menu_items_target_check',
      sql`(${t.kind} = 'entry') = (${t.entryId} is not null)
        and (${t.kind} = 'term') = (${t.termId} is not null)
        and (${t.kind} = 'archive') = (${t.typeId} is not null)
        and (${t.kind} = 'custom') = (${t.url} is not null)`,
    ),
    check('menu_items_not_own_parent_check', sql`${t.parentId} is null or ${t.parentId} <> ${t.id}`),
  ],
)
