import { sql } from 'drizzle-orm'
import { check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'

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

/**
 * Network table: outgoing messages waiting for (or done with) delivery by a `mail.send` job. `body` is
 * the sealed JSON of the text and HTML parts (it carries live links), erased once the message is sent.
 */
export const mailQueue = pgTable(
  'mail_queue',
  {
    id: uuid('id').primaryKey(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    body: text('body'),
    status: text('status').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    jobId: uuid('job_id'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    index('mail_queue_status_idx').on(t.status, t.id.desc()),
    check('mail_queue_status_check', sql`${t.status} in ('queued', 'retrying', 'sent', 'dead')`),
    check('mail_queue_body_sealed_check', sql`${t.body} IS NULL OR ${t.body} LIKE 'v1:%'`),
    check('mail_queue_sent_erased_check', sql`${t.status} <> 'sent' OR ${t.body} IS NULL`),
  ],
)
