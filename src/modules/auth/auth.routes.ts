import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { PUBLIC, createLimiter, signedIn } from '../../platform/http/index.ts'
import { normaliseEmail, summariseUser } from '../users/index.ts'
import { clearSessionCookies, setSessionCookies } from './auth.cookies.ts'
import {
  ChangePasswordBody,
  Done,
  IdParams,
  LoginBody,
  LoginResponse,
  MeResponse,
  Revoked,
  SessionList,
  type LoginInput,
} from './auth.schema.ts'
import type { AuthService, IssuedSession } from './auth.service.ts'

export interface AuthRoutesOptions {
  service: AuthService
  /** Attempts per client address per 15 minutes (login, 2FA, reset). */
  clientLimit: number
  /** Attempts per account per 15 minutes (login, reset). */
  accountLimit: number
}

const WINDOW = '15 minutes'

export function sendSession(
  reply: FastifyReply,
  request: FastifyRequest,
  session: IssuedSession,
  user: Parameters<typeof summariseUser>[0],
  networkRole: string | null,
) {
  setSessionCookies(reply, request, {
    session: session.token,
    csrf: session.csrfToken,
    expiresAt: session.expiresAt,
  })
  return reply.header('cache-control', 'no-store').send({
    status: 'authenticated' as const,
    user: summariseUser(user, networkRole),
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt.toISOString(),
  })
}

export async function authRoutes(app: FastifyInstance, options: AuthRoutesOptions): Promise<void> {
  const { service } = options
  const perClient = { rateLimit: { max: options.clientLimit, timeWindow: WINDOW } }
  const perAccount = createLimiter(app, {
    name: 'login-account',
    max: options.accountLimit,
    timeWindow: WINDOW,
    key: (request) => {
      const email = (request.body as { email?: unknown } | undefined)?.email
      return typeof email === 'string' ? normaliseEmail(email) : null
    },
  })

  app.post<{ Body: LoginInput }>(
    '/api/v1/auth/login',
    {
      config: { access: PUBLIC, ...perClient },
      preHandler: perAccount,
      schema: {
        tags: ['auth'],
        summary: 'Sign in',
        description:
          'Checks the email and password. Without 2FA: opens a session (HttpOnly `colophon_session` cookie, readable `colophon_csrf` cookie) and answers `authenticated`. With 2FA: answers `2fa_required` with a challenge for POST /api/v1/auth/2fa; no session exists until then. Wrong email and wrong password get the same reply. Limited per client address and per account.',
        body: LoginBody,
        response: { 200: LoginResponse },
      },
    },
    async (request, reply) => {
      const result = await service.login(request.ctx, request.body)
      if (result.status === '2fa_required') {
        return reply.header('cache-control', 'no-store').send({
          status: result.status,
          challenge: result.challenge,
          expiresAt: result.expiresAt.toISOString(),
        })
      }
      const role = await service.networkRoleOf(request.ctx, result.user.id)
      return sendSession(reply, request, result.session, result.user, role)
    },
  )

  app.post(
    '/api/v1/auth/logout',
    {
      config: { access: signedIn({ allowRestricted: true }) },
      schema: {
        tags: ['auth'],
        summary: 'Sign out',
        description: 'Ends the current session.',
        response: { 200: Done },
      },
    },
    async (request, reply) => {
      await service.logout(request.ctx)
      clearSessionCookies(reply, request)
      return { status: 'ok' as const }
    },
  )

  app.post(
    '/api/v1/auth/logout-all',
    {
      config: { access: signedIn({ sessionOnly: true, allowRestricted: true }) },
      schema: {
        tags: ['auth'],
        summary: 'Sign out everywhere',
        description: 'Ends every session of the caller, this one included.',
        response: { 200: Revoked },
      },
    },
    async (request, reply) => {
      const result = await service.logoutAll(request.ctx)
      clearSessionCookies(reply, request)
      return result
    },
  )

  app.get(
    '/api/v1/auth/me',
    {
      config: { access: signedIn({ allowRestricted: true }) },
      schema: {
        tags: ['auth'],
        summary: 'Who am I',
        description:
          'The signed-in user (or the owner of the API key), network capabilities, site memberships, 2FA standing and any restriction (2FA enrolment or password change required).',
        response: { 200: MeResponse },
      },
    },
    async (request, reply) => {
      if (!request.standing) throw new TypeError('a signed-in request has no standing')
      const me = await service.describeMe(request.ctx, request.standing)
      return reply.header('cache-control', 'no-store').send(me)
    },
  )

  app.get(
    '/api/v1/auth/sessions',
    {
      config: { access: signedIn({ sessionOnly: true }) },
      schema: {
        tags: ['auth'],
        summary: 'My sessions',
        description:
          'The caller’s open sessions with device, address and last use; `current` marks this one.',
        response: { 200: SessionList },
      },
    },
    async (request) => ({ items: await service.listSessions(request.ctx) }),
  )

  app.delete<{ Params: { id: string } }>(
    '/api/v1/auth/sessions/:id',
    {
      config: { access: signedIn({ sessionOnly: true }) },
      schema: {
        tags: ['auth'],
        summary: 'End one of my sessions',
        description:
          'Signs out one of the caller’s own sessions (another device, or this one). Other users’ sessions answer 404.',
        params: IdParams,
        response: { 200: Done },
      },
    },
    async (request) => {
      await service.revokeSession(request.ctx, request.params.id)
      return { status: 'ok' as const }
    },
  )

  app.post<{ Body: { currentPassword: string; newPassword: string } }>(
    '/api/v1/auth/password',
    {
      config: { access: signedIn({ sessionOnly: true, allowRestricted: true }), ...perClient },
      schema: {
        tags: ['auth'],
        summary: 'Change my password',
        description:
          'Needs the current password. Every session of the caller is revoked and a new one is opened for this browser (new cookies and CSRF token in the reply).',
        body: ChangePasswordBody,
        response: { 200: LoginResponse },
      },
    },
    async (request, reply) => {
      const session = await service.changePassword(request.ctx, request.body)
      const user = await service.userOf(request.ctx)
      return sendSession(reply, request, session, user.row, user.networkRole)
    },
  )
}
