import { and, desc, eq, isNull, ne, sql } from 'drizzle-orm'
import { schema, type Tx } from '../../platform/db/index.ts'

const { userSessions, authChallenges } = schema

export type SessionRow = typeof userSessions.$inferSelect
export type ChallengeRow = typeof authChallenges.$inferSelect

export async function insertSession(tx: Tx, row: typeof userSessions.$inferInsert): Promise<void> {
  await tx.insert(userSessions).values(row)
}

export async function listSessionsOfUser(tx: Tx, userId: string): Promise<SessionRow[]> {
  return tx
    .select()
    .from(userSessions)
    .where(and(eq(userSessions.userId, userId), sql`${userSessions.expiresAt} > now()`))
    .orderBy(desc(userSessions.lastSeenAt))
}

/** Deletes one session of a user; returns whether it existed. */
export async function deleteSessionOfUser(tx: Tx, userId: string, sessionId: string): Promise<boolean> {
  const rows = await tx
    .delete(userSessions)
    .where(and(eq(userSessions.userId, userId), eq(userSessions.id, sessionId)))
    .returning({ id: userSessions.id })
  return rows.length > 0
}

/** Deletes every session of a user (but `keep`, when given); returns how many. */
export async function deleteSessionsOfUser(tx: Tx, userId: string, keep?: string): Promise<number> {
  const rows = await tx
    .delete(userSessions)
    .where(and(eq(userSessions.userId, userId), keep ? ne(userSessions.id, keep) : undefined))
    .returning({ id: userSessions.id })
  return rows.length
}

/** Sessions past their absolute end are dead weight; each sign-in clears the user's own. */
export async function deleteExpiredSessionsOfUser(tx: Tx, userId: string): Promise<void> {
  await tx
    .delete(userSessions)
    .where(and(eq(userSessions.userId, userId), sql`${userSessions.expiresAt} < now()`))
}

export async function insertChallenge(tx: Tx, row: typeof authChallenges.$inferInsert): Promise<void> {
  await tx.insert(authChallenges).values(row)
}

/** The challenge, locked for this transaction so two attempts cannot both consume it. */
export async function lockChallenge(tx: Tx, tokenHash: string): Promise<ChallengeRow | undefined> {
  const [row] = await tx
    .select()
    .from(authChallenges)
    .where(and(eq(authChallenges.tokenHash, tokenHash), isNull(authChallenges.consumedAt)))
    .for('update')
    .limit(1)
  return row
}

export async function consumeChallenge(tx: Tx, id: string, now: Date): Promise<void> {
  await tx.update(authChallenges).set({ consumedAt: now }).where(eq(authChallenges.id, id))
}

export async function countChallengeFailure(tx: Tx, id: string): Promise<number> {
  const [row] = await tx
    .update(authChallenges)
    .set({ attempts: sql`${authChallenges.attempts} + 1` })
    .where(eq(authChallenges.id, id))
    .returning({ attempts: authChallenges.attempts })
  return row?.attempts ?? 0
}

/** Old challenges are useless once expired; login clears a user's own leftovers. */
export async function deleteExpiredChallenges(tx: Tx, userId: string): Promise<void> {
  await tx
    .delete(authChallenges)
    .where(and(eq(authChallenges.userId, userId), sql`${authChallenges.expiresAt} < now()`))
}

/** One session by id, whatever its state (the caller judges expiry). */
export async function findSessionById(tx: Tx, sessionId: string): Promise<SessionRow | undefined> {
  const [row] = await tx.select().from(userSessions).where(eq(userSessions.id, sessionId)).limit(1)
  return row
}
