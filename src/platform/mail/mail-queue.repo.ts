import { and, asc, eq, gt, isNotNull, not, like, sql } from 'drizzle-orm'
import { schema, type Tx } from '../db/index.ts'

const { mailQueue } = schema

export type QueuedMailRow = typeof mailQueue.$inferSelect

/** Where a message stands: waiting, failed with a retry to come, delivered, or every attempt failed. */
export type MailStatus = 'queued' | 'retrying' | 'sent' | 'dead'

export async function insertQueuedMail(
  tx: Tx,
  row: { id: string; toAddress: string; subject: string; body: string; jobId: string | null },
): Promise<void> {
  await tx.insert(mailQueue).values(row)
}

export async function findQueuedMail(tx: Tx, id: string): Promise<QueuedMailRow | undefined> {
  const [row] = await tx.select().from(mailQueue).where(eq(mailQueue.id, id)).limit(1)
  return row
}

/** Delivered: the body (and the links in it) is erased; the envelope stays for operators. */
export async function markMailSent(tx: Tx, id: string): Promise<void> {
  await tx
    .update(mailQueue)
    .set({
      status: 'sent',
      body: null,
      attempts: sql`${mailQueue.attempts} + 1`,
      sentAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(mailQueue.id, id), not(eq(mailQueue.status, 'sent'))))
}

export async function recordMailFailure(
  tx: Tx,
  id: string,
  failure: { error: string; dead: boolean },
): Promise<void> {
  await tx
    .update(mailQueue)
    .set({
      status: failure.dead ? 'dead' : 'retrying',
      lastError: failure.error,
      attempts: sql`${mailQueue.attempts} + 1`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(mailQueue.id, id), not(eq(mailQueue.status, 'sent'))))
}

/** A page of bodies not sealed under `currentKeyId`, by id (for re-keying). */
export async function listBodiesToReseal(
  tx: Tx,
  page: { currentKeyId: string; after: string | null; limit: number },
): Promise<{ id: string; body: string }[]> {
  const rows = await tx
    .select({ id: mailQueue.id, body: mailQueue.body })
    .from(mailQueue)
    .where(
      and(
        isNotNull(mailQueue.body),
        not(like(mailQueue.body, `v1:${page.currentKeyId}:%`)),
        page.after ? gt(mailQueue.id, page.after) : undefined,
      ),
    )
    .orderBy(asc(mailQueue.id))
    .limit(page.limit)
  return rows.map((r) => ({ id: r.id, body: r.body as string }))
}

/** Replaces a body only if it is still the one read (a delivery may have erased it meanwhile). */
export async function replaceBody(tx: Tx, id: string, from: string, to: string): Promise<boolean> {
  const rows = await tx
    .update(mailQueue)
    .set({ body: to, updatedAt: sql`now()` })
    .where(and(eq(mailQueue.id, id), eq(mailQueue.body, from)))
    .returning({ id: mailQueue.id })
  return rows.length > 0
}
