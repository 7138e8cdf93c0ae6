import type { Ctx } from '../../platform/access/index.ts'
import type { Mailer } from '../../platform/mail/index.ts'
import { assertPasswordPolicy, hashPassword } from '../../platform/security/index.ts'
import { recordAudit } from '../audit/index.ts'
import {
  consumeUserToken,
  findUserByEmail,
  findUserById,
  issueUserToken,
  linkHolder,
  normaliseEmail,
  passwordResetMail,
  peekUserToken,
  tokenLink,
  updateUser,
} from '../users/index.ts'
import { AuthErrors } from './auth.errors.ts'
import { revokeUserSessions } from './auth.service.ts'

/**
 * Password reset by email. Asking for a reset answers the same whatever the address (the mail is
 * queued, never awaited, so the reply time does not depend on the mail server either). The link holds a
 * single-use token valid one hour; a newer request voids the older link. Completing a reset signs the
 * user out everywhere and does not sign them in: they log in with the new password, and with their second
 * factor if they have one, so a reset never bypasses 2FA.
 */

export const RESET_TTL_MS = 60 * 60 * 1000

export interface ResetServiceDeps {
  mailer: Pick<Mailer, 'send'>
  /** Public base URL of the network, for the link in the mail. */
  baseUrl: string
  now?: () => Date
}

export type ResetService = ReturnType<typeof createResetService>

export function createResetService(deps: ResetServiceDeps) {
  const now = deps.now ?? (() => new Date())

  async function requestReset(ctx: Ctx, input: { email: string }): Promise<void> {
    const email = normaliseEmail(input.email)
    const at = now()
    const issued = await ctx.tx(async (tx) => {
      const user = await findUserByEmail(tx, email)
      if (!user) return null
      // Suspended and invited users get no link, but the request is recorded against the account.
      const token =
        user.status === 'active'
          ? await issueUserToken(tx, { userId: user.id, purpose: 'password_reset', ttlMs: RESET_TTL_MS, at })
          : null
      await recordAudit(ctx, tx, {
        action: 'auth.password_reset.request',
        target: { type: 'user', id: user.id },
        summary: { mailed: token !== null, ...(token ? {} : { status: user.status }) },
      })
      return token ? { token, to: user.email, name: user.name } : null
    })
    if (issued) {
      deps.mailer.send(
        passwordResetMail({
          to: issued.to,
          name: issued.name,
          link: tokenLink(deps.baseUrl, 'password_reset', issued.token),
        }),
      )
    }
  }

  async function confirmReset(ctx: Ctx, input: { token: string; password: string }): Promise<void> {
    const at = now()
    const found = await ctx.tx((tx) => peekUserToken(tx, input.token, 'password_reset', at))
    if (!found || found.user.status !== 'active') throw AuthErrors.resetTokenInvalid()
    assertPasswordPolicy(input.password, { email: found.user.email })
    // Hashing is slow: never inside a transaction (PGlite has one connection).
    const passwordHash = await hashPassword(input.password)
    await ctx.tx(async (tx) => {
      // Consumed here, atomically: of two concurrent confirmations only one gets past this line.
      const used = await consumeUserToken(tx, input.token, 'password_reset', at)
      const user = used && (await findUserById(tx, used.userId))
      if (!user || user.status !== 'active') throw AuthErrors.resetTokenInvalid()
      await updateUser(tx, user.id, { passwordHash, mustChangePassword: false })
      const sessionsRevoked = await revokeUserSessions(tx, user.id)
      await recordAudit(ctx, tx, {
        action: 'auth.password_reset.complete',
        actor: linkHolder(user),
        target: { type: 'user', id: user.id },
        summary: { sessionsRevoked },
      })
    })
  }

  return { requestReset, confirmReset }
}
