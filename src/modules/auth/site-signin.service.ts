import type { Ctx } from '../../platform/access/index.ts'
import { hashToken, timingSafeEqualText } from '../../platform/security/index.ts'
import { consumeUserToken, findUserById, issueUserToken } from '../users/index.ts'
import { AuthErrors } from './auth.errors.ts'
import { recordSignIn, type AuthService, type IssuedSession } from './auth.service.ts'
import { findSessionById } from './sessions.repo.ts'

/**
 * The one-time sign-in handoff (ADR 0020): a site on a host of its own cannot read the root host's
 * cookie, and no cookie is ever shared across domains. Instead, the root host, where the reader is signed
 * in, issues a code that lives one minute, names the site, and is bound to a random state the site's host
 * set in the reader's browser; the site's host exchanges it once for a session of its own, bound to that
 * site and ending with the network session it came from.
 */

/** How long a sign-in code may wait to be exchanged: one browser redirect. */
export const SIGNIN_CODE_TTL_MS = 60_000

interface CodePayload {
  siteId: string
  stateHash: string
  next: string
  sessionId: string
}

function isCodePayload(value: unknown): value is CodePayload {
  const p = value as Partial<CodePayload> | null
  return (
    typeof p?.siteId === 'string' &&
    typeof p.stateHash === 'string' &&
    typeof p.next === 'string' &&
    typeof p.sessionId === 'string'
  )
}

export type SiteSigninService = ReturnType<typeof createSiteSigninService>

export function createSiteSigninService({ auth }: { auth: AuthService }) {
  /**
   * A code for the signed-in user of network session `sessionId` to take to `siteId`'s host, where the
   * browser holding `state` lands on `next`. A newer code replaces the user's older ones.
   */
  async function issueCode(
    ctx: Ctx,
    input: { userId: string; sessionId: string; siteId: string; state: string; next: string },
  ): Promise<string> {
    const payload: CodePayload = {
      siteId: input.siteId,
      stateHash: hashToken(input.state),
      next: input.next,
      sessionId: input.sessionId,
    }
    return ctx.tx((tx) =>
      issueUserToken(tx, {
        userId: input.userId,
        purpose: 'site_signin',
        ttlMs: SIGNIN_CODE_TTL_MS,
        at: auth.now(),
        payload: { ...payload },
      }),
    )
  }

  /**
   * Exchanges a code on `siteId`'s host, in the browser holding `state`: a session bound to the site, and
   * the path to land on. The code is spent by the first attempt whatever its outcome (committed before the
   * refusal), so it never works twice. Refused (COLOPHON_AUTH_SIGNIN_CODE_INVALID): unknown, used or
   * expired codes, another site's, another browser's, a network session that ended, a user no longer
   * active.
   */
  async function redeem(
    ctx: Ctx,
    input: { code: string; state: string; siteId: string },
  ): Promise<{ session: IssuedSession; next: string }> {
    const at = auth.now()
    const outcome = await ctx.tx(async (tx) => {
      const claimed = await consumeUserToken(tx, input.code, 'site_signin', at)
      if (!claimed || !isCodePayload(claimed.payload)) return undefined
      const code = claimed.payload
      if (code.siteId !== input.siteId || !timingSafeEqualText(hashToken(input.state), code.stateHash))
        return undefined
      const parent = await findSessionById(tx, code.sessionId)
      if (!parent || parent.userId !== claimed.userId || parent.siteId !== null || parent.expiresAt <= at)
        return undefined
      const user = await findUserById(tx, claimed.userId)
      if (!user || user.status !== 'active') return undefined
      const session = await auth.openSession(ctx, tx, user.id, {
        siteId: code.siteId,
        parentSessionId: parent.id,
        expiresAt: parent.expiresAt,
      })
      await recordSignIn(ctx, tx, user, session.sessionId, { method: 'site_handoff', siteId: code.siteId })
      return { session, next: code.next }
    })
    if (!outcome) throw AuthErrors.signinCodeInvalid()
    return outcome
  }

  return { issueCode, redeem }
}
