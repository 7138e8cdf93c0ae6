import { and, asc, eq, gt, isNotNull, isNull, lt, not, like, or, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { newId, schema, type Tx } from '../../platform/db/index.ts'

const { userTotp, userRecoveryCodes, users, roles, siteMembers } = schema
const networkRole = alias(roles, 'network_role')

export type TotpRow = typeof userTotp.$inferSelect

export async function hasConfirmedTotp(tx: Tx, userId: string): Promise<boolean> {
  const [row] = await tx
    .select({ userId: userTotp.userId })
    .from(userTotp)
    .where(and(eq(userTotp.userId, userId), isNotNull(userTotp.confirmedAt)))
    .limit(1)
  return row !== undefined
}

export async function findTotp(tx: Tx, userId: string): Promise<TotpRow | undefined> {
  const [row] = await tx.select().from(userTotp).where(eq(userTotp.userId, userId)).limit(1)
  return row
}

/**
 * Stores a fresh, unconfirmed secret, replacing an earlier unconfirmed one. A confirmed secret is never
 * replaced (the condition is in the statement, so a setup racing a confirmation cannot undo it): false then.
 */
export async function upsertPendingTotp(tx: Tx, userId: string, secret: string): Promise<boolean> {
  const rows = await tx
    .insert(userTotp)
    .values({ userId, secret })
    .onConflictDoUpdate({
      target: userTotp.userId,
      set: { secret, confirmedAt: null, lastStep: null, createdAt: sql`now()` },
      setWhere: isNull(userTotp.confirmedAt),
    })
    .returning({ userId: userTotp.userId })
  return rows.length > 0
}

/**
 * Replaces a stored secret by the same secret sealed anew (first use of a legacy row, a key rotation), only
 * if the row still holds `from`: a concurrent setup or reset wins.
 */
export async function replaceTotpSecret(tx: Tx, userId: string, from: string, to: string): Promise<boolean> {
  const rows = await tx
    .update(userTotp)
    .set({ secret: to })
    .where(and(eq(userTotp.userId, userId), eq(userTotp.secret, from)))
    .returning({ userId: userTotp.userId })
  return rows.length > 0
}

/** A page of secrets not sealed under `currentKeyId` (legacy clear ones included), by user id. */
export async function listTotpSecretsToReseal(
  tx: Tx,
  page: { currentKeyId: string; after: string | null; limit: number },
): Promise<{ userId: string; secret: string }[]> {
  return tx
    .select({ userId: userTotp.userId, secret: userTotp.secret })
    .from(userTotp)
    .where(
      and(
        not(like(userTotp.secret, `v1:${page.currentKeyId}:%`)),
        page.after ? gt(userTotp.userId, page.after) : undefined,
      ),
    )
    .orderBy(asc(userTotp.userId))
    .limit(page.limit)
}

/** Marks the pending secret confirmed by a code of time step `step`; false when there was none pending. */
export async function confirmTotp(tx: Tx, userId: string, step: number, at: Date): Promise<boolean> {
  const rows = await tx
    .update(userTotp)
    .set({ confirmedAt: at, lastStep: step })
    .where(and(eq(userTotp.userId, userId), isNull(userTotp.confirmedAt)))
    .returning({ userId: userTotp.userId })
  return rows.length > 0
}

/**
 * Records `step` as the last accepted time step, only if it is later than the one stored. The condition
 * sits in the UPDATE itself, so two requests racing with the same code cannot both win.
 */
export async function advanceTotpStep(tx: Tx, userId: string, step: number): Promise<boolean> {
  const rows = await tx
    .update(userTotp)
    .set({ lastStep: step })
    .where(
      and(
        eq(userTotp.userId, userId),
        isNotNull(userTotp.confirmedAt),
        or(isNull(userTotp.lastStep), lt(userTotp.lastStep, step)),
      ),
    )
    .returning({ userId: userTotp.userId })
  return rows.length > 0
}

/** Deletes a user's TOTP secret; returns whether one existed. */
export async function deleteTotp(tx: Tx, userId: string): Promise<boolean> {
  const rows = await tx
    .delete(userTotp)
    .where(eq(userTotp.userId, userId))
    .returning({ userId: userTotp.userId })
  return rows.length > 0
}

/** Replaces every recovery code of a user with the given hashes. */
export async function replaceRecoveryCodes(
  tx: Tx,
  userId: string,
  codeHashes: readonly string[],
): Promise<void> {
  await deleteRecoveryCodes(tx, userId)
  if (codeHashes.length === 0) return
  await tx.insert(userRecoveryCodes).values(codeHashes.map((codeHash) => ({ id: newId(), userId, codeHash })))
}

export async function deleteRecoveryCodes(tx: Tx, userId: string): Promise<void> {
  await tx.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, userId))
}

/** Spends an unused recovery code; false when the code is unknown or already used. */
export async function useRecoveryCode(tx: Tx, userId: string, codeHash: string, at: Date): Promise<boolean> {
  const rows = await tx
    .update(userRecoveryCodes)
    .set({ usedAt: at })
    .where(
      and(
        eq(userRecoveryCodes.userId, userId),
        eq(userRecoveryCodes.codeHash, codeHash),
        isNull(userRecoveryCodes.usedAt),
      ),
    )
    .returning({ id: userRecoveryCodes.id })
  return rows.length > 0
}

/** Whether the user's network role, or their role on any site, requires 2FA. */
export async function roleRequires2fa(tx: Tx, userId: string): Promise<boolean> {
  const [row] = await tx
    .select({
      network: networkRole.require2fa,
      site: sql<boolean>`exists (select 1 from ${siteMembers} join ${roles} on ${roles.id} = ${siteMembers.roleId} where ${siteMembers.userId} = ${users.id} and ${roles.require2fa})`,
    })
    .from(users)
    .leftJoin(networkRole, eq(networkRole.id, users.networkRoleId))
    .where(eq(users.id, userId))
    .limit(1)
  return Boolean(row?.network) || Boolean(row?.site)
}
