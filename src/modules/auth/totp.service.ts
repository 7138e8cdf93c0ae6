import { randomInt } from 'node:crypto'
import { requireCapability, requireUser, type Ctx } from '../../platform/access/index.ts'
import type { Tx } from '../../platform/db/index.ts'
import {
  hashToken,
  verifyAgainstDummy,
  verifyPassword,
  type SecretBox,
} from '../../platform/security/index.ts'
import { recordAudit } from '../audit/index.ts'
import { assertOutranks } from '../rbac/index.ts'
import { UsersErrors, findUserById, type UserRow } from '../users/index.ts'
import { AuthErrors } from './auth.errors.ts'
import { recordSignIn, revokeUserSessions, type AuthService, type IssuedSession } from './auth.service.ts'
import {
  consumeChallenge,
  countChallengeFailure,
  deleteSessionsOfUser,
  lockChallenge,
} from './sessions.repo.ts'
import { openTotpSecret, sealTotpSecret } from './totp-secret.service.ts'
import {
  advanceTotpStep,
  confirmTotp,
  deleteRecoveryCodes,
  deleteTotp,
  findTotp,
  replaceRecoveryCodes,
  roleRequires2fa,
  upsertPendingTotp,
  useRecoveryCode,
  type TotpRow,
} from './totp.repo.ts'

/**
 * TOTP two-factor authentication: enrolment, the second sign-in step, recovery codes, turning it off, and
 * the network admin's reset. Codes follow RFC 6238 with authenticator-app defaults (SHA-1, 6 digits, 30 s),
 * so every common app works. A code is accepted one step early or late for clock drift, and never twice:
 * the last accepted time step is stored and anything at or before it is refused.
 *
 * otplib and qrcode are imported when a code is checked or an enrolment starts, not at start (about
 * 90 ms and 20 MB of every start, for something a few users do now and then; ADR 0013).
 */

const ISSUER = 'Colophon'
const PERIOD_S = 30
/** Wrong codes a sign-in challenge survives; the next attempt needs a new sign-in. */
export const MAX_CHALLENGE_ATTEMPTS = 5
const RECOVERY_CODE_COUNT = 10
/** No 0/o, 1/l/i: the codes are read off paper and typed by hand. */
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'
const RECOVERY_HALF = 5
const TOTP_CODE = /^\d{6}$/

export interface TotpEnrolment {
  /** Base32 secret, for typing into an app that cannot scan. */
  secret: string
  otpauthUri: string
  /** The otpauth URI as a QR code: an SVG data URL. */
  qrCode: string
}

export type SecondFactorMethod = 'totp' | 'recovery_code'

export interface TotpServiceDeps {
  auth: AuthService
  /** Seals secrets at rest; see totp-secret.service.ts. */
  box: SecretBox
}

/** Ten fresh recovery codes, `xxxxx-xxxxx`, about 49 bits each. */
export function generateRecoveryCodes(): string[] {
  const letter = () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]
  const half = () => Array.from({ length: RECOVERY_HALF }, letter).join('')
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => `${half()}-${half()}`)
}

/** The stored form of a recovery code: case, spaces and dashes do not matter when it is typed back. */
function recoveryCodeHash(code: string): string | null {
  const plain = code.toLowerCase().replace(/[\s-]/g, '')
  if (plain.length !== RECOVERY_HALF * 2 || ![...plain].every((c) => RECOVERY_ALPHABET.includes(c)))
    return null
  return hashToken(plain)
}

type SignInOutcome =
  | { kind: 'ok'; session: IssuedSession; user: UserRow }
  | { kind: 'challenge_invalid' }
  | { kind: 'code_invalid' }

export type TotpService = ReturnType<typeof createTotpService>

export function createTotpService({ auth, box }: TotpServiceDeps) {
  const now = auth.now

  /** The time step a code belongs to, or null when it matches none in the window after `afterStep`. */
  async function matchTotp(secret: string, code: string, afterStep: number | null): Promise<number | null> {
    if (!TOTP_CODE.test(code)) return null
    const { verify } = await import('otplib')
    const result = await verify({
      secret,
      token: code,
      period: PERIOD_S,
      epoch: Math.floor(now().getTime() / 1000),
      epochTolerance: PERIOD_S,
      ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
    })
    return result.valid && 'timeStep' in result ? result.timeStep : null
  }

  /** Checks a TOTP code or a recovery code against a confirmed secret, and spends it. */
  async function spendSecondFactor(
    tx: Tx,
    totp: TotpRow,
    input: { code?: string | undefined; recoveryCode?: string | undefined },
  ): Promise<{ method: SecondFactorMethod; accepted: boolean }> {
    const code = input.code ?? input.recoveryCode ?? ''
    if (input.recoveryCode === undefined && TOTP_CODE.test(code)) {
      const step = await matchTotp(await openTotpSecret(tx, box, totp), code, totp.lastStep)
      // advanceTotpStep re-checks the step in SQL: of two requests racing with one code, one wins.
      const accepted = step !== null && (await advanceTotpStep(tx, totp.userId, step))
      return { method: 'totp', accepted }
    }
    const hash = recoveryCodeHash(code)
    const accepted = hash !== null && (await useRecoveryCode(tx, totp.userId, hash, now()))
    return { method: 'recovery_code', accepted }
  }

  /**
   * The second sign-in step: the challenge from the password step plus a code. The challenge is locked for
   * the transaction, so two attempts cannot both spend it. A wrong code is counted and committed (the
   * error is thrown after the transaction); the fifth kills the challenge.
   */
  async function completeSignIn(
    ctx: Ctx,
    input: { challenge: string; code?: string | undefined; recoveryCode?: string | undefined },
  ): Promise<{ session: IssuedSession; user: UserRow }> {
    const outcome = await ctx.tx(async (tx): Promise<SignInOutcome> => {
      const at = now()
      const challenge = await lockChallenge(tx, hashToken(input.challenge))
      if (!challenge || challenge.expiresAt <= at || challenge.attempts >= MAX_CHALLENGE_ATTEMPTS) {
        return { kind: 'challenge_invalid' }
      }
      const user = await findUserById(tx, challenge.userId)
      const totp = user ? await findTotp(tx, user.id) : undefined
      // Suspended, or 2FA reset since the password step: the challenge has nothing left to complete.
      if (!user || user.status !== 'active' || !totp?.confirmedAt) {
        await consumeChallenge(tx, challenge.id, at)
        return { kind: 'challenge_invalid' }
      }
      const { method, accepted } = await spendSecondFactor(tx, totp, input)
      if (!accepted) {
        const attempts = await countChallengeFailure(tx, challenge.id)
        if (attempts >= MAX_CHALLENGE_ATTEMPTS) await consumeChallenge(tx, challenge.id, at)
        await recordAudit(ctx, tx, {
          action: 'auth.login.fail',
          target: { type: 'user', id: user.id },
          summary: { email: user.email, reason: method, attempts },
        })
        return { kind: 'code_invalid' }
      }
      await consumeChallenge(tx, challenge.id, at)
      const session = await auth.openSession(ctx, tx, user.id)
      await recordSignIn(ctx, tx, user, session.sessionId, { method })
      return { kind: 'ok', session, user }
    })
    if (outcome.kind === 'challenge_invalid') throw AuthErrors.challengeInvalid()
    if (outcome.kind === 'code_invalid') throw AuthErrors.codeInvalid()
    return { session: outcome.session, user: outcome.user }
  }

  /** Starts (or restarts) enrolment: a new unconfirmed secret, shown once with its QR code. */
  async function startSetup(ctx: Ctx): Promise<TotpEnrolment> {
    const actor = requireUser(ctx)
    const [{ generateSecret, generateURI }, { default: QRCode }] = await Promise.all([
      import('otplib'),
      import('qrcode'),
    ])
    const secret = generateSecret()
    await ctx.tx(async (tx) => {
      const sealed = sealTotpSecret(box, actor.userId, secret)
      if (!(await upsertPendingTotp(tx, actor.userId, sealed))) throw AuthErrors.totpAlreadyEnabled()
      await recordAudit(ctx, tx, { action: 'auth.2fa.setup', target: { type: 'user', id: actor.userId } })
    })
    const otpauthUri = generateURI({ issuer: ISSUER, label: actor.email, secret, period: PERIOD_S })
    const svg = await QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
    return { secret, otpauthUri, qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` }
  }

  /**
   * Confirms enrolment with a first code. Returns the recovery codes, the only time they are shown. The
   * caller's other sessions are signed out: whoever else was signed in did not pass the second factor.
   */
  async function confirmSetup(ctx: Ctx, input: { code: string }): Promise<{ recoveryCodes: string[] }> {
    const actor = requireUser(ctx)
    const recoveryCodes = generateRecoveryCodes()
    await ctx.tx(async (tx) => {
      const totp = await findTotp(tx, actor.userId)
      if (!totp) throw AuthErrors.totpSetupRequired()
      if (totp.confirmedAt) throw AuthErrors.totpAlreadyEnabled()
      const step = await matchTotp(await openTotpSecret(tx, box, totp), input.code, null)
      if (step === null) throw AuthErrors.codeInvalid()
      if (!(await confirmTotp(tx, actor.userId, step, now()))) throw AuthErrors.totpAlreadyEnabled()
      await replaceRecoveryCodes(
        tx,
        actor.userId,
        recoveryCodes.map((c) => recoveryCodeHash(c) as string),
      )
      const keep = actor.kind === 'user' ? actor.sessionId : undefined
      const sessionsRevoked = await deleteSessionsOfUser(tx, actor.userId, keep)
      await recordAudit(ctx, tx, {
        action: 'auth.2fa.enable',
        target: { type: 'user', id: actor.userId },
        summary: { sessionsRevoked },
      })
    })
    return { recoveryCodes }
  }

  /** Password first (outside any transaction: argon2 is slow), then the user's confirmed secret. */
  async function checkPassword(ctx: Ctx, userId: string, password: string): Promise<void> {
    const user = await ctx.tx((tx) => findUserById(tx, userId))
    const ok = user?.passwordHash
      ? await verifyPassword(user.passwordHash, password)
      : await verifyAgainstDummy(password)
    if (!ok) throw AuthErrors.invalidCredentials({ message: 'The current password is wrong.' })
  }

  async function confirmedTotpOf(tx: Tx, userId: string): Promise<TotpRow> {
    const totp = await findTotp(tx, userId)
    if (!totp?.confirmedAt) throw AuthErrors.totpNotEnabled()
    return totp
  }

  /** Turns 2FA off: needs the password and a code (or a recovery code); refused when a role requires it. */
  async function disable(ctx: Ctx, input: { password: string; code: string }): Promise<void> {
    const actor = requireUser(ctx)
    await ctx.tx(async (tx) => {
      if (await roleRequires2fa(tx, actor.userId)) throw AuthErrors.totpRequiredByRole()
      await confirmedTotpOf(tx, actor.userId)
    })
    await checkPassword(ctx, actor.userId, input.password)
    await ctx.tx(async (tx) => {
      const totp = await confirmedTotpOf(tx, actor.userId)
      const { method, accepted } = await spendSecondFactor(tx, totp, { code: input.code })
      if (!accepted) throw AuthErrors.codeInvalid()
      await deleteTotp(tx, actor.userId)
      await deleteRecoveryCodes(tx, actor.userId)
      await recordAudit(ctx, tx, {
        action: 'auth.2fa.disable',
        target: { type: 'user', id: actor.userId },
        summary: { method },
      })
    })
  }

  /** Replaces the recovery codes (the old ones stop working); needs the password and a code. */
  async function regenerateRecoveryCodes(
    ctx: Ctx,
    input: { password: string; code: string },
  ): Promise<{ recoveryCodes: string[] }> {
    const actor = requireUser(ctx)
    await ctx.tx((tx) => confirmedTotpOf(tx, actor.userId))
    await checkPassword(ctx, actor.userId, input.password)
    const recoveryCodes = generateRecoveryCodes()
    await ctx.tx(async (tx) => {
      const totp = await confirmedTotpOf(tx, actor.userId)
      const { method, accepted } = await spendSecondFactor(tx, totp, { code: input.code })
      if (!accepted) throw AuthErrors.codeInvalid()
      await replaceRecoveryCodes(
        tx,
        actor.userId,
        recoveryCodes.map((c) => recoveryCodeHash(c) as string),
      )
      await recordAudit(ctx, tx, {
        action: 'auth.2fa.recovery_codes.regenerate',
        target: { type: 'user', id: actor.userId },
        summary: { method },
      })
    })
    return { recoveryCodes }
  }

  /**
   * A network admin's reset for a user who lost their device: the secret and recovery codes go, and so
   * does every session of the user, so whoever holds one must sign in (and enrol) again. Like every action
   * on another user, refused when the user outranks the caller (rbac's `assertOutranks`): otherwise a user
   * manager could strip a network admin's second factor.
   */
  async function resetForUser(ctx: Ctx, userId: string): Promise<{ revoked: number }> {
    requireCapability(ctx, 'network.users.manage')
    return ctx.tx(async (tx) => {
      if (!(await findUserById(tx, userId))) throw UsersErrors.notFound()
      await assertOutranks(ctx, tx, userId)
      const wasEnabled = (await findTotp(tx, userId))?.confirmedAt != null
      await deleteTotp(tx, userId)
      await deleteRecoveryCodes(tx, userId)
      const revoked = await revokeUserSessions(tx, userId)
      await recordAudit(ctx, tx, {
        action: 'auth.2fa.reset',
        target: { type: 'user', id: userId },
        summary: { wasEnabled, sessionsRevoked: revoked },
      })
      return { revoked }
    })
  }

  return { completeSignIn, startSetup, confirmSetup, disable, regenerateRecoveryCodes, resetForUser }
}
