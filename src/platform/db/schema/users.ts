import { sql } from 'drizzle-orm'
import { boolean, check, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { roles } from './roles.ts'

/**
 * Network table: people who can sign in. Email is unique case-insensitively. `network_role_id` is the
 * user's network-wide role (network admins hold `network_admin`); most users have none and act through
 * site memberships.
 */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash'),
    status: text('status').notNull().default('active'),
    networkRoleId: uuid('network_role_id').references(() => roles.id),
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_email_lower_key').on(sql`lower(${t.email})`),
    // A role's holders are counted in the roles list, per role shown.
    index('users_network_role_idx').on(t.networkRoleId),
    check('users_status_check', sql`${t.status} in ('active', 'suspended', 'invited', 'deleted')`),
  ],
)
