import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm'
import { schema, type Tx } from '../../platform/db/index.ts'
import type { UserRow } from './users.repo.ts'

const { userTokens, users, roles, sites, siteMembers } = schema

/**
 * Tokens sent by email (password reset, invitation, email change) and site sign-in codes. Only the SHA-256 of a token is
 * stored; every lookup goes through the unique `token_hash` index, so no comparison of secrets happens
 * in application code.
 */

export type TokenPurpose = 'password_reset' | 'invitation' | 'email_change' | 'site_signin'
export type UserTokenRow = typeof userTokens.$inferSelect

export async function insertUserToken(
  tx: Tx,
  row: {
    id: string
    userId: string
    purpose: TokenPurpose
    tokenHash: string
    payload?: Record<string, unknown>
    expiresAt: Date
  },
): Promise<void> {
  await tx.insert(userTokens).values({ ...row, payload: row.payload ?? {} })
}

function usable(tokenHash: string, purpose: TokenPurpose, at: Date) {
  return and(
    eq(userTokens.tokenHash, tokenHash),
    eq(userTokens.purpose, purpose),
    isNull(userTokens.usedAt),
    gt(userTokens.expiresAt, at),
  )
}

/** An unused, unexpired token of this purpose with its user; a read only (nothing is consumed). */
export async function findUsableToken(
  tx: Tx,
  tokenHash: string,
  purpose: TokenPurpose,
  at: Date,
): Promise<{ token: UserTokenRow; user: UserRow } | undefined> {
  const [row] = await tx
    .select({ token: userTokens, user: users })
    .from(userTokens)
    .innerJoin(users, eq(users.id, userTokens.userId))
    .where(usable(tokenHash, purpose, at))
    .limit(1)
  return row
}

/**
 * Marks the token used and returns it, in one statement: of two concurrent attempts with the same token,
 * exactly one gets the row back.
 */
export async function claimToken(
  tx: Tx,
  tokenHash: string,
  purpose: TokenPurpose,
  at: Date,
): Promise<UserTokenRow | undefined> {
  const [row] = await tx
    .update(userTokens)
    .set({ usedAt: at })
    .where(usable(tokenHash, purpose, at))
    .returning()
  return row
}

/** Removes a user's tokens of one purpose (but `keep`): older links stop working at once. */
export async function deleteTokensOf(
  tx: Tx,
  userId: string,
  purpose: TokenPurpose,
  keep?: string,
): Promise<number> {
  const rows = await tx
    .delete(userTokens)
    .where(
      and(
        eq(userTokens.userId, userId),
        eq(userTokens.purpose, purpose),
        keep ? ne(userTokens.id, keep) : undefined,
      ),
    )
    .returning({ id: userTokens.id })
  return rows.length
}

function isUniqueViolation(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 3; depth++) {
    if (e.code === '23505') return true
    e = e.cause as typeof e
  }
  return false
}

/** Inserts an invited user (no password); undefined when the address was taken meanwhile. */
export async function insertInvitedUser(
  tx: Tx,
  row: { id: string; email: string; name: string; networkRoleId: string | null },
): Promise<UserRow | undefined> {
  const [inserted] = await tx
    .insert(users)
    .values({ ...row, passwordHash: null, status: 'invited' })
    .onConflictDoNothing()
    .returning()
  return inserted
}

/**
 * Changes a user's email; false when another user holds the address. The update runs in a savepoint so
 * that losing a race on the unique index leaves the caller's transaction usable.
 */
export async function changeUserEmail(tx: Tx, userId: string, email: string): Promise<boolean> {
  try {
    const rows = await tx.transaction((sp) =>
      sp
        .update(users)
        .set({ email, updatedAt: sql`now()` })
        .where(eq(users.id, userId))
        .returning({ id: users.id }),
    )
    return rows.length > 0
  } catch (err) {
    if (isUniqueViolation(err)) return false
    throw err
  }
}

export interface RoleForGrant {
  id: string
  slug: string
  scope: string
  isBuiltin: boolean
  capabilities: string[]
}

export async function findRoleForGrant(tx: Tx, slug: string): Promise<RoleForGrant | undefined> {
  const [row] = await tx
    .select({
      id: roles.id,
      slug: roles.slug,
      scope: roles.scope,
      isBuiltin: roles.isBuiltin,
      capabilities: roles.capabilities,
    })
    .from(roles)
    .where(eq(roles.slug, slug))
    .limit(1)
  return row
}

export async function findSiteName(tx: Tx, siteId: string): Promise<string | undefined> {
  const [row] = await tx.select({ name: sites.name }).from(sites).where(eq(sites.id, siteId)).limit(1)
  return row?.name
}

/** Adds the membership, or changes its role when the user already belongs to the site. */
export async function upsertMembership(
  tx: Tx,
  row: { siteId: string; userId: string; roleId: string },
): Promise<void> {
  await tx
    .insert(siteMembers)
    .values(row)
    .onConflictDoUpdate({
      target: [siteMembers.siteId, siteMembers.userId],
      set: { roleId: row.roleId, updatedAt: sql`now()` },
    })
}
