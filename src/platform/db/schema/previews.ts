import { index, text, timestamp, uniqueIndex, uuid, pgTable } from 'drizzle-orm/pg-core'
import { created, siteRef } from './columns.ts'
import { entries } from './content.ts'
import { users } from './users.ts'

/**
 * Preview links of entries (row-level security, see migration 0013): a secret token, kept only as its
 * hash, that shows the entry's latest saved content to whoever holds the link until it expires or is
 * revoked.
 */
export const entryPreviews = pgTable(
  'entry_previews',
  {
    id: uuid('id').primaryKey(),
    siteId: siteRef(),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => entries.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: created(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('entry_previews_token_key').on(t.tokenHash),
    index('entry_previews_entry_idx').on(t.siteId, t.entryId, t.id),
  ],
)
