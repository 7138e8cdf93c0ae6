import { and, desc, lt } from 'drizzle-orm'
import { newId } from '../db/index.ts'
import { schema, type Tx } from '../db/index.ts'

const { mailOutbox } = schema

export type OutboxRow = typeof mailOutbox.$inferSelect

/** A message as the capture transport keeps it, with the composed RFC 822 text. */
export interface CapturedMail {
  to: string
  subject: string
  text: string
  html: string | null
  raw: string
}

export async function insertOutboxMessage(tx: Tx, mail: CapturedMail): Promise<void> {
  await tx.insert(mailOutbox).values({
    id: newId(),
    toAddress: mail.to,
    subject: mail.subject,
    textBody: mail.text,
    htmlBody: mail.html,
    raw: mail.raw,
  })
}

/** Newest first; `before` is the id of the last message of the previous page. */
export async function listOutboxMessages(
  tx: Tx,
  page: { before?: string; limit: number },
): Promise<OutboxRow[]> {
  return tx
    .select()
    .from(mailOutbox)
    .where(and(page.before ? lt(mailOutbox.id, page.before) : undefined))
    .orderBy(desc(mailOutbox.id))
    .limit(page.limit)
}
