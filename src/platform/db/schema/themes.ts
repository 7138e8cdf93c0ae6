import { sql } from 'drizzle-orm'
import {
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core'
import { sites } from './sites.ts'
import { users } from './users.ts'

/**
 * Themes installed by network admins, each site's chosen theme and settings, and the last render errors
 * of each site (ADR 0018). Installed themes live in the database, files included, so that every node of
 * a scaled-out install reads the same theme; nodes keep parsed templates in memory per theme version.
 */

/** `bytea`: `pg` reads a Buffer and PGlite a Uint8Array; the application always gets a Buffer. */
const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
})

/**
 * Network table: installed themes (bundled themes live in `themes/` and have no row). `version` is the
 * hash over every file (theme.loader.ts), `manifest` the parsed `theme.json`.
 */
export const themes = pgTable('themes', {
  id: text('id').primaryKey(),
  version: text('version').notNull(),
  manifest: jsonb('manifest').notNull(),
  fileCount: integer('file_count').notNull(),
  totalBytes: integer('total_bytes').notNull(),
  installedBy: uuid('installed_by').references(() => users.id, { onDelete: 'set null' }),
  installedAt: timestamp('installed_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
})

/** Network table: the checked files of an installed theme, replaced whole when the theme is updated. */
export const themeFiles = pgTable(
  'theme_files',
  {
    themeId: text('theme_id')
      .notNull()
      .references(() => themes.id, { onDelete: 'cascade' }),
    path: text('path').notNull(),
    bytes: bytea('bytes').notNull(),
  },
  (t) => [primaryKey({ columns: [t.themeId, t.path] })],
)

/**
 * Site table (row-level security): the theme a site chose and its settings. No row means the default
 * theme with its defaults. `theme_id` names a bundled or an installed theme, so it has no foreign key;
 * deleting an installed theme is refused while a row names it.
 */
export const siteThemes = pgTable(
  'site_themes',
  {
    siteId: uuid('site_id')
      .primaryKey()
      .references(() => sites.id, { onDelete: 'cascade' }),
    themeId: text('theme_id').notNull(),
    settings: jsonb('settings').notNull().default({}),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('site_themes_theme_idx').on(t.themeId)],
)

/** Site table (row-level security): the latest render errors of a site, at most 50 kept per site. */
export const themeRenderErrors = pgTable(
  'theme_render_errors',
  {
    id: uuid('id').primaryKey(),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    path: text('path').notNull(),
    themeId: text('theme_id').notNull(),
    themeVersion: text('theme_version'),
    template: text('template'),
    message: text('message').notNull(),
    requestId: text('request_id').notNull(),
  },
  (t) => [
    index('theme_render_errors_site_idx').on(t.siteId, t.id),
    check('theme_render_errors_message_check', sql`length(${t.message}) <= 2000`),
  ],
)
