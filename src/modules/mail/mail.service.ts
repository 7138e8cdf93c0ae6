import { pageOf, type Page } from '../../platform/db/index.ts'
import { requireCapability, type Ctx } from '../../platform/access/index.ts'
import { DEFAULT_PAGE_LIMIT } from '../../platform/http/index.ts'
import { listOutboxMessages, type OutboxRow } from '../../platform/mail/index.ts'

/**
 * Reading the captured outbox. Captured messages hold live links (password reset, invitations), so the
 * outbox is for network admins only (`network.mail.read`); in production an SMTP server is configured
 * and nothing new is captured.
 */

export interface OutboxMessageView {
  id: string
  to: string
  subject: string
  text: string
  html: string | null
  createdAt: string
}

function view(row: OutboxRow): OutboxMessageView {
  return {
    id: row.id,
    to: row.toAddress,
    subject: row.subject,
    text: row.textBody,
    html: row.htmlBody,
    createdAt: row.createdAt.toISOString(),
  }
}

export async function listOutbox(
  ctx: Ctx,
  page: { cursor?: string | undefined; limit?: number | undefined },
): Promise<Page<OutboxMessageView>> {
  requireCapability(ctx, 'network.mail.read')
  const limit = page.limit ?? DEFAULT_PAGE_LIMIT
  // One row more than asked tells whether another page exists without a count query.
  const rows = await ctx.tx((tx) => listOutboxMessages(tx, { before: page.cursor, limit: limit + 1 }))
  return pageOf(rows, limit, view, (row) => row.id)
}
