import { sql } from 'drizzle-orm'
import { boolean, check, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

/**
 * Network table: roles are named capability sets. Built-in roles (`is_builtin`) keep their capabilities in
 * code (src/modules/rbac), so they follow the version that runs; their `capabilities` column stays empty.
 * Custom roles keep theirs here. A `network` role is held through `users.network_role_id`, a `site` role
 * through `site_members`.
 */
export const roles = pgTable(
  'roles',
  {
    id: uuid('id').primaryKey(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    scope: text('scope').notNull(),
    capabilities: text('capabilities')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    isBuiltin: boolean('is_builtin').notNull().default(false),
    require2fa: boolean('require_2fa').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('roles_slug_key').on(t.slug),
    check('roles_scope_check', sql`${t.scope} in ('network', 'site')`),
  ],
)
