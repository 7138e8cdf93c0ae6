import { sql } from 'drizzle-orm'
import { boolean, check, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { users } from './users.ts'

/** Network table: the sites of the network. Exactly one site may be the main site. */
export const sites = pgTable(
  'sites',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    status: text('status').notNull().default('active'),
    isMain: boolean('is_main').notNull().default(false),
    ownerId: uuid('owner_id').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('sites_slug_key').on(t.slug),
    uniqueIndex('sites_one_main_key')
      .on(t.isMain)
      .where(sql`${t.isMain}`),
    check('sites_status_check', sql`${t.status} in ('active', 'disabled', 'archived', 'deleted')`),
  ],
)
