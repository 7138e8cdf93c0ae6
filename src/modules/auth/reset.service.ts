import { AccessErrors, type Ctx } from '../../platform/access/index.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
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
 * Password reset by email. Asking for a reset does the same work whatever the address: the request only
 * queues one `auth.password-reset` job, the same statements with the same shapes, so neither the reply
 * nor its timing tells whether an account exists (ADR 0005). The job looks the address up, issues the
 * token, audits the request and queues the mail, in one transaction. The link holds a single-use token
 * valid one hour; a newer request voids the older link. Completing a reset signs the user out everywhere
 * and does not sign them in: they log in with the new password, and with their second factor if they have
 * one, so a reset never bypasses 2FA.
 */

export const RESET_TTL_MS = 60 * 60 * 1000

/** The queue of reset requests; its job data holds the address asked about (network admins see it). */
export const PASSWORD_RESET_QUEUE = 'auth.password-reset'

/** What a reset request hands to its job: the address, and who asked (for the audit entry). */
export interface ResetRequestJob {
  email: string
  ip: string | null
  userAgent: string | null
}

export interface ResetServiceDeps {
  mailer: Pick<Mailer, 'send'>
  jobs: Pick<Jobs, 'send'>
  /** Public base URL of the network, for the link in the mail. */
  baseUrl: string
  now?: () => Date
}

export type ResetService = ReturnType<typeof createResetService>

export function createResetService(deps: ResetServiceDeps) {
  const now = deps.now ?? (() => new Date())

  /** The request: one job, nothing that depends on the address. */
  async function requestReset(ctx: Ctx, input: { email: string }): Promise<void> {
    const job: ResetRequestJob = {
      email: normaliseEmail(input.email),
      ip: ctx.ip,
      userAgent: ctx.userAgent?.slice(0, 500) ?? null,
    }
    await deps.jobs.send(ctx, PASSWORD_RESET_QUEUE, job)
  }

  /**
   * The job of a request (system context): the token, the audit entry and the mail commit together, so a
   * mail never carries a token that does not exist, and a token is never issued without its mail queued.
   */
  async function processResetRequest(ctx: Ctx, job: ResetRequestJob): Promise<void> {
    if (ctx.actor.kind !== 'system') throw AccessErrors.forbidden()
    const at = now()
    // The entry names the anonymous requester and where the request came from, as if written by it.
    const requester: Ctx = { ...ctx, actor: { kind: 'anonymous' }, ip: job.ip, userAgent: job.userAgent }
    await ctx.tx(async (tx) => {
      const user = await findUserByEmail(tx, job.email)
      if (!user) return
      // Suspended and invited users get no link, but the request is recorded against the account.
      const token =
        user.status === 'active'
          ? await issueUserToken(tx, { userId: user.id, purpose: 'password_reset', ttlMs: RESET_TTL_MS, at })
          : null
      await recordAudit(requester, tx, {
        action: 'auth.password_reset.request',
        target: { type: 'user', id: user.id },
        summary: { mailed: token !== null, ...(token ? {} : { status: user.status }) },
      })
      if (!token) return
      const link = tokenLink(deps.baseUrl, 'password_reset', token)
      await deps.mailer.send(ctx, passwordResetMail({ to: user.email, name: user.name, link }), { tx })
    })
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

  return { requestReset, processResetRequest, confirmReset }
}
