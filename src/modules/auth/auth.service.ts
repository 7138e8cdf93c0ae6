import { requireUser, type Ctx } from '../../platform/access/index.ts'
import { newId, type Tx } from '../../platform/db/index.ts'
import {
  assertPasswordPolicy,
  hashPassword,
  hashToken,
  randomToken,
  verifyPassword,
} from '../../platform/security/index.ts'
import { recordAudit } from '../audit/index.ts'
import {
  findUserByEmail,
  findUserById,
  networkRoleSlugOf,
  updateUser,
  verifyCredentials,
  type UserRow,
} from '../users/index.ts'
import { listMembershipsOfUser } from '../rbac/index.ts'
import { AuthErrors } from './auth.errors.ts'
import { restrictionOf } from './restriction.ts'
import type { UserStanding } from './principal.repo.ts'
import {
  deleteExpiredChallenges,
  deleteExpiredSessionsOfUser,
  deleteSessionOfUser,
  deleteSessionsOfUser,
  insertChallenge,
  insertSession,
  listSessionsOfUser,
} from './sessions.repo.ts'
import { hasConfirmedTotp } from './totp.repo.ts'

/**
 * Sign-in and sessions. A login either opens a session, or, for a user with 2FA, returns a short-lived
 * challenge that only the 2FA step accepts: the password step alone grants nothing.
 */

export interface AuthSettings {
  sessionMaxMs: number
  challengeTtlMs: number
  now?: () => Date
}

export interface IssuedSession {
  sessionId: string
  token: string
  csrfToken: string
  expiresAt: Date
}

export type LoginResult =
  | { status: 'authenticated'; session: IssuedSession; user: UserRow }
  | { status: '2fa_required'; challenge: string; expiresAt: Date }

export interface SessionView {
  id: string
  current: boolean
  ip: string | null
  device: string
  createdAt: Date
  lastSeenAt: Date
  expiresAt: Date
  siteId: string | null
}

/** A short human description of a user agent ("Firefox on Linux"), good enough for a session list. */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device'
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /OPR\//.test(userAgent)
      ? 'Opera'
      : /Firefox\//.test(userAgent)
        ? 'Firefox'
        : /Chrom(e|ium)\//.test(userAgent)
          ? 'Chrome'
          : /Safari\//.test(userAgent)
            ? 'Safari'
            : /curl\//i.test(userAgent)
              ? 'curl'
              : 'Browser'
  const os = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad|iOS/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : ''
  return os ? `${browser} on ${os}` : browser
}

export type AuthService = ReturnType<typeof createAuthService>

export function createAuthService(settings: AuthSettings) {
  const now = settings.now ?? (() => new Date())

  /**
   * Opens a session for `userId` inside `tx` (after the password, and the second factor if any). `onSite`:
   * a session handed to a site's own host (site-signin.service.ts), bound to that site and to the network
   * session it came from, and ending no later than it.
   */
  async function openSession(
    ctx: Ctx,
    tx: Tx,
    userId: string,
    onSite?: { siteId: string; parentSessionId: string; expiresAt: Date },
  ): Promise<IssuedSession> {
    const token = randomToken(32)
    const csrfToken = randomToken(24)
    const at = now()
    const session: IssuedSession = {
      sessionId: newId(),
      token,
      csrfToken,
      expiresAt: onSite?.expiresAt ?? new Date(at.getTime() + settings.sessionMaxMs),
    }
    await deleteExpiredSessionsOfUser(tx, userId)
    await insertSession(tx, {
      id: session.sessionId,
      userId,
      tokenHash: hashToken(token),
      csrfHash: hashToken(csrfToken),
      ip: ctx.ip,
      userAgent: ctx.userAgent?.slice(0, 500) ?? null,
      createdAt: at,
      lastSeenAt: at,
      expiresAt: session.expiresAt,
      siteId: onSite?.siteId ?? null,
      parentSessionId: onSite?.parentSessionId ?? null,
    })
    await updateUser(tx, userId, { lastLoginAt: at })
    return session
  }

  async function refuse(ctx: Ctx, email: string, user: UserRow | undefined, reason: string): Promise<void> {
    await ctx.tx((tx) =>
      recordAudit(ctx, tx, {
        action: 'auth.login.fail',
        target: user ? { type: 'user', id: user.id } : undefined,
        summary: { email, reason },
      }),
    )
  }

  async function login(ctx: Ctx, input: { email: string; password: string }): Promise<LoginResult> {
    const email = input.email.trim().toLowerCase()
    const user = await verifyCredentials((e) => ctx.tx((tx) => findUserByEmail(tx, e)), email, input.password)
    if (!user) {
      await refuse(ctx, email, undefined, 'credentials')
      throw AuthErrors.invalidCredentials()
    }
    if (user.status !== 'active') {
      await refuse(ctx, email, user, user.status)
      // Only someone who knows the password learns that the account is suspended.
      if (user.status === 'suspended') throw AuthErrors.accountSuspended()
      throw AuthErrors.invalidCredentials()
    }
    return ctx.tx(async (tx) => {
      if (await hasConfirmedTotp(tx, user.id)) {
        await deleteExpiredChallenges(tx, user.id)
        const challenge = randomToken(32)
        const expiresAt = new Date(now().getTime() + settings.challengeTtlMs)
        await insertChallenge(tx, {
          id: newId(),
          userId: user.id,
          tokenHash: hashToken(challenge),
          ip: ctx.ip,
          userAgent: ctx.userAgent?.slice(0, 500) ?? null,
          expiresAt,
        })
        return { status: '2fa_required' as const, challenge, expiresAt }
      }
      const session = await openSession(ctx, tx, user.id)
      await recordSignIn(ctx, tx, user, session.sessionId, { method: 'password' })
      return { status: 'authenticated' as const, session, user }
    })
  }

  async function logout(ctx: Ctx): Promise<void> {
    const actor = requireUser(ctx)
    if (actor.kind !== 'user') return
    await ctx.tx(async (tx) => {
      await deleteSessionOfUser(tx, actor.userId, actor.sessionId)
      await recordAudit(ctx, tx, { action: 'auth.logout', target: { type: 'user', id: actor.userId } })
    })
  }

  async function logoutAll(ctx: Ctx): Promise<{ revoked: number }> {
    const actor = requireUser(ctx)
    return ctx.tx(async (tx) => {
      const revoked = await deleteSessionsOfUser(tx, actor.userId)
      await recordAudit(ctx, tx, {
        action: 'auth.logout_all',
        target: { type: 'user', id: actor.userId },
        summary: { revoked },
      })
      return { revoked }
    })
  }

  async function listSessions(ctx: Ctx): Promise<SessionView[]> {
    const actor = requireUser(ctx)
    const rows = await ctx.tx((tx) => listSessionsOfUser(tx, actor.userId))
    return rows.map((row) => ({
      id: row.id,
      current: actor.kind === 'user' && actor.sessionId === row.id,
      ip: row.ip,
      device: describeDevice(row.userAgent),
      createdAt: row.createdAt,
      lastSeenAt: row.lastSeenAt,
      expiresAt: row.expiresAt,
      siteId: row.siteId,
    }))
  }

  async function revokeSession(ctx: Ctx, sessionId: string): Promise<void> {
    const actor = requireUser(ctx)
    await ctx.tx(async (tx) => {
      if (!(await deleteSessionOfUser(tx, actor.userId, sessionId))) throw AuthErrors.sessionNotFound()
      await recordAudit(ctx, tx, {
        action: 'auth.session.revoke',
        target: { type: 'session', id: sessionId },
      })
    })
  }

  /**
   * Changes the caller's own password (the current one is required). Every session is revoked, then a
   * fresh one is opened for the caller, so other devices are signed out and this one is not.
   */
  async function changePassword(
    ctx: Ctx,
    input: { currentPassword: string; newPassword: string },
  ): Promise<IssuedSession> {
    const actor = requireUser(ctx)
    const user = await ctx.tx((tx) => findUserById(tx, actor.userId))
    if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
      throw AuthErrors.invalidCredentials({ message: 'The current password is wrong.' })
    }
    assertPasswordPolicy(input.newPassword, { email: user.email })
    const passwordHash = await hashPassword(input.newPassword)
    return ctx.tx(async (tx) => {
      await updateUser(tx, user.id, { passwordHash, mustChangePassword: false })
      const revoked = await deleteSessionsOfUser(tx, user.id)
      const session = await openSession(ctx, tx, user.id)
      await recordAudit(ctx, tx, {
        action: 'auth.password.change',
        target: { type: 'user', id: user.id },
        summary: { sessionsRevoked: revoked },
      })
      return session
    })
  }

  function networkRoleOf(ctx: Ctx, userId: string): Promise<string | null> {
    return ctx.tx((tx) => networkRoleSlugOf(tx, userId))
  }

  /** The caller's own user row and network role. */
  async function userOf(ctx: Ctx): Promise<{ row: UserRow; networkRole: string | null }> {
    const actor = requireUser(ctx)
    return ctx.tx(async (tx) => {
      const row = await findUserById(tx, actor.userId)
      if (!row) throw AuthErrors.invalidCredentials()
      return { row, networkRole: await networkRoleSlugOf(tx, actor.userId) }
    })
  }

  /** GET /api/v1/auth/me: the caller as the gate saw them, with their site memberships. */
  async function describeMe(ctx: Ctx, standing: UserStanding) {
    const actor = requireUser(ctx)
    const memberships = await ctx.tx((tx) => listMembershipsOfUser(tx, actor.userId))
    return {
      user: {
        id: standing.userId,
        email: standing.email,
        name: standing.name,
        status: standing.status,
        networkRole: standing.networkRole?.slug ?? null,
      },
      actor:
        actor.kind === 'user'
          ? { kind: actor.kind, sessionId: actor.sessionId }
          : { kind: actor.kind, keyId: actor.keyId },
      capabilities: [...ctx.capabilities].sort(),
      memberships,
      twoFactor: { enabled: standing.hasTotp, required: standing.requires2fa },
      restriction: restrictionOf(standing),
    }
  }

  return {
    describeMe,
    login,
    openSession,
    logout,
    logoutAll,
    listSessions,
    revokeSession,
    changePassword,
    networkRoleOf,
    userOf,
    now,
  }
}

/**
 * The audit entry of a session opened (`auth.login`), acted by the user in that session; `summary` says
 * how (`method`: password, totp, recovery_code, site_handoff) and anything more.
 */
export async function recordSignIn(
  ctx: Ctx,
  tx: Tx,
  user: Pick<UserRow, 'id' | 'email' | 'name'>,
  sessionId: string,
  summary: Record<string, unknown>,
): Promise<void> {
  await recordAudit(ctx, tx, {
    action: 'auth.login',
    actor: { kind: 'user', userId: user.id, email: user.email, name: user.name, sessionId },
    target: { type: 'user', id: user.id },
    summary,
  })
}

/** Revokes every session of a user (suspension, role change, password reset, 2FA reset). */
export async function revokeUserSessions(tx: Tx, userId: string): Promise<number> {
  return deleteSessionsOfUser(tx, userId)
}
