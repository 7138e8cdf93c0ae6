import type { Session } from './identity.ts'
import type { TestApp } from './test-app.ts'

/** A captured message as `GET /api/v1/mail/outbox` shows it. */
export interface OutboxMessage {
  id: string
  to: string
  subject: string
  text: string
  html: string | null
  createdAt: string
}

/**
 * The captured mail to `to`, newest first, read the way an operator would: through the outbox API as a
 * network admin, after the queue has been flushed.
 */
export async function mailTo(app: TestApp, admin: Session, to: string): Promise<OutboxMessage[]> {
  await app.mailer.flush()
  const res = await admin.request({ method: 'GET', url: '/api/v1/mail/outbox?limit=100' })
  if (res.statusCode !== 200) throw new Error(`outbox: ${res.statusCode} ${res.body}`)
  const items = (res.json() as { items: OutboxMessage[] }).items
  return items.filter((m) => m.to.toLowerCase() === to.toLowerCase())
}

/** The token link of a message (an `http(s)://` address with a `#token=` fragment) and its token. */
export function linkOf(message: OutboxMessage): { link: string; token: string } {
  const match = /https?:\/\/\S+#token=([A-Za-z0-9_-]+)/.exec(message.text)
  const link = match?.[0]
  const token = match?.[1]
  if (!link || !token) throw new Error(`no token link in mail "${message.subject}"`)
  return { link, token }
}
