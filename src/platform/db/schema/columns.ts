import { timestamp, uuid } from 'drizzle-orm/pg-core'
import { sites } from './sites.ts'

/** Columns every site table spells the same way. */

/** The owning site: deleting the site deletes the row (row-level security keys on it). */
export const siteRef = () =>
  uuid('site_id')
    .notNull()
    .references(() => sites.id, { onDelete: 'cascade' })
export const created = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
export const updated = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
