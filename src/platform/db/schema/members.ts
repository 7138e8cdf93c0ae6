import { sql } from 'drizzle-orm'
import { check, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { roles } from './roles.ts'
import { sites } from './sites.ts'
import { users } from './users.ts'

/** Site table (row-level security): who belongs to a site, with which site role. */
export const siteMembers = pgTable(
  'site_members',
  {
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    roleId: uuid('role_id')
      .notNull()
      .references(() => roles.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.userId] }),
    index('site_members_user_idx').on(t.userId),
    // A role's holders are counted in the roles list, per role shown.
    index('site_members_role_idx').on(t.roleId),
  ],
)

/**
 * Site table (row-level security): pending invitations to join a site, sent to an email address that may
 * or may not have an account. Only the SHA-256 of the emailed token is stored. A row lives until it is
 * accepted, revoked or replaced by a newer invitation of the same address to the same site. `user_id` is
 * the account the address belonged to when invited (never shown): if that account is deleted or suspended
 * meanwhile, the invitation is refused rather than creating a fresh account.
 */
export const siteInvitations = pgTable(
  'site_invitations',
  {
    id: uuid('id').primaryKey(),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    name: text('name'),
    roleId: uuid('role_id')
      .notNull()
      .references(() => roles.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
    tokenHash: text('token_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('site_invitations_token_key').on(t.tokenHash),
    uniqueIndex('site_invitations_site_email_key').on(t.siteId, t.email),
    index('site_invitations_site_idx').on(t.siteId, t.id),
    check('site_invitations_email_lower_check', sql`${t.email} = lower(${t.email})`),
  ],
)
