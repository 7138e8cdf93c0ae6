import type { FastifyInstance } from 'fastify'
import { PUBLIC, needs, signedIn } from '../../platform/http/index.ts'
import { sendSession } from './auth.routes.ts'
import { Done, LoginResponse, Revoked } from './auth.schema.ts'
import type { AuthService } from './auth.service.ts'
import {
  ConfirmTotpBody,
  PasswordAndCodeBody,
  RecoveryCodesResponse,
  SecondFactorBody,
  TotpEnrolmentResponse,
  UserIdParams,
  type ConfirmTotpInput,
  type PasswordAndCodeInput,
  type SecondFactorInput,
} from './totp.schema.ts'
import type { TotpService } from './totp.service.ts'

export interface TotpRoutesOptions {
  service: TotpService
  /** Opens the session reply of the second sign-in step (network role lookup). */
  auth: AuthService
  /** Attempts per client address per 15 minutes on every endpoint that checks a code. */
  clientLimit: number
}

// Signed-in 2FA routes stay open to a user whose role requires 2FA: enrolling is what they must do first.
const ENROLMENT = signedIn({ sessionOnly: true, allowRestricted: true })

export async function totpRoutes(app: FastifyInstance, options: TotpRoutesOptions): Promise<void> {
  const { service, auth } = options
  const perClient = { rateLimit: { max: options.clientLimit, timeWindow: '15 minutes' } }

  app.post<{ Body: SecondFactorInput }>(
    '/api/v1/auth/2fa',
    {
      config: { access: PUBLIC, ...perClient },
      schema: {
        tags: ['auth'],
        summary: 'Complete sign-in with a second factor',
        description:
          'Second step of a sign-in for a user with 2FA: the challenge from POST /api/v1/auth/login with a code from the authenticator app (or a recovery code). Opens the session exactly like a sign-in without 2FA. The challenge is single-use, lives five minutes and dies after five wrong codes; a code is never accepted twice. Limited per client address.',
        body: SecondFactorBody,
        response: { 200: LoginResponse },
      },
    },
    async (request, reply) => {
      const { session, user } = await service.completeSignIn(request.ctx, request.body)
      const role = await auth.networkRoleOf(request.ctx, user.id)
      return sendSession(reply, request, session, user, role)
    },
  )

  app.post(
    '/api/v1/auth/2fa/setup',
    {
      config: { access: ENROLMENT },
      schema: {
        tags: ['auth'],
        summary: 'Start 2FA enrolment',
        description:
          'Creates a new, unconfirmed TOTP secret for the caller (replacing an unconfirmed one) and returns it with its `otpauth://` URI and a QR code to scan. Nothing changes at sign-in until POST /api/v1/auth/2fa/confirm. Refused when 2FA is already enabled.',
        response: { 200: TotpEnrolmentResponse },
      },
    },
    async (request, reply) =>
      reply.header('cache-control', 'no-store').send(await service.startSetup(request.ctx)),
  )

  app.post<{ Body: ConfirmTotpInput }>(
    '/api/v1/auth/2fa/confirm',
    {
      config: { access: ENROLMENT, ...perClient },
      schema: {
        tags: ['auth'],
        summary: 'Confirm 2FA enrolment',
        description:
          'Turns 2FA on with a first code from the app, and returns ten recovery codes: the only time they are shown. Every other session of the caller is signed out; this one stays.',
        body: ConfirmTotpBody,
        response: { 200: RecoveryCodesResponse },
      },
    },
    async (request, reply) =>
      reply.header('cache-control', 'no-store').send(await service.confirmSetup(request.ctx, request.body)),
  )

  app.post<{ Body: PasswordAndCodeInput }>(
    '/api/v1/auth/2fa/disable',
    {
      config: { access: ENROLMENT, ...perClient },
      schema: {
        tags: ['auth'],
        summary: 'Turn 2FA off',
        description:
          'Needs the current password and a code from the app (or a recovery code). Deletes the secret and the recovery codes. Refused while one of the caller’s roles requires 2FA.',
        body: PasswordAndCodeBody,
        response: { 200: Done },
      },
    },
    async (request) => {
      await service.disable(request.ctx, request.body)
      return { status: 'ok' as const }
    },
  )

  app.post<{ Body: PasswordAndCodeInput }>(
    '/api/v1/auth/2fa/recovery-codes',
    {
      config: { access: ENROLMENT, ...perClient },
      schema: {
        tags: ['auth'],
        summary: 'Replace my recovery codes',
        description:
          'Needs the current password and a code from the app (or a recovery code). Returns ten new recovery codes, shown only now; the old ones stop working.',
        body: PasswordAndCodeBody,
        response: { 200: RecoveryCodesResponse },
      },
    },
    async (request, reply) =>
      reply
        .header('cache-control', 'no-store')
        .send(await service.regenerateRecoveryCodes(request.ctx, request.body)),
  )

  app.post<{ Params: { id: string } }>(
    '/api/v1/users/:id/2fa/reset',
    {
      config: { access: needs('network.users.manage') },
      schema: {
        tags: ['users'],
        summary: 'Reset a user’s 2FA',
        description:
          'For a user who lost their authenticator: deletes their TOTP secret and recovery codes and signs out every session of theirs. They sign in with their password alone next time (and must enrol again if a role requires 2FA). Refused with COLOPHON_USERS_TARGET_OUTRANKS when the user holds a capability the caller lacks. Audited.',
        params: UserIdParams,
        response: { 200: Revoked },
      },
    },
    async (request) => service.resetForUser(request.ctx, request.params.id),
  )
}
