import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'

/** Network table: messages kept by the capture mail transport (development and tests) instead of sent. */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: uuid('id').primaryKey(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body'),
    raw: text('raw').notNull(),
  },
  (t) => [index('mail_outbox_id_idx').on(t.id.desc())],
)
