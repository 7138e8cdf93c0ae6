import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { PlatformErrors, isAppError } from '../../platform/errors/index.ts'
import {
  PUBLIC,
  acceptFormBodies,
  createLimiter,
  formOf,
  postedFromOwnOrigin,
} from '../../platform/http/index.ts'
import { randomToken } from '../../platform/security/index.ts'
import { normaliseEmail } from '../users/index.ts'
import { clearSessionCookies, setSessionCookies } from './auth.cookies.ts'
import { AuthErrors } from './auth.errors.ts'
import type { AuthService, IssuedSession } from './auth.service.ts'
import { signinPage, signinProblemPage, type SigninStep } from './signin-page.ts'
import type { SiteSigninService } from './site-signin.service.ts'
import type { TotpService } from './totp.service.ts'

export interface SiteSigninRoutesOptions {
  service: SiteSigninService
  auth: AuthService
  totp: TotpService
  /** The network's public origin: the root host's scheme, name and port. */
  rootOrigin: string
  /** The canonical origin of a live site's pages, or undefined when there is no such site. */
  siteOriginOf: (siteId: string) => Promise<string | undefined>
  /** Form posts per client address per 15 minutes (the API's sign-in limit). */
  clientLimit: number
  /** Form posts per account per 15 minutes. */
  accountLimit: number
}

/** The browser's half of a handoff, on the site's host: sent back only to `/_signin…` paths. */
export const SIGNIN_STATE_COOKIE = 'colophon_signin_state'
const STATE_PATH = '/_signin'
const STATE_SECONDS = 600
const STATE = /^[A-Za-z0-9_-]{32,128}$/
const CODE = /^[A-Za-z0-9_-]{20,200}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const MAX_FORM_BYTES = 4096
const WINDOW = '15 minutes'

/**
 * Where a reader lands after signing in: a path on the same host, never another origin (`//host`,
 * `/\host`), never the sign-in itself; anything else is the home page.
 */
export function landingPath(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return '/'
  if (!value.startsWith('/') || value.startsWith('//')) return '/'
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return '/'
  if (value === STATE_PATH || value.startsWith(`${STATE_PATH}/`) || value.startsWith(`${STATE_PATH}?`))
    return '/'
  return value
}

/**
 * Signing in from a browser, without script, on every host (ADR 0020):
 *
 * - `GET /_signin?next=…`: on a site's host, sets a random state in the browser and goes to the root host's
 *   handoff; on the root host (the main site), the sign-in form, or straight to `next` when signed in.
 * - `GET|POST /_signin/handoff?site=…&state=…&next=…` (root host): the sign-in form when needed, then a
 *   one-time code for the site, carried back to the site's `/_signin/callback`.
 * - `GET /_signin/callback?code=…` (site host): the code and the browser's state exchanged for a session
 *   of this host alone, then `next`.
 * - `POST /_signout` (any host): ends this host's session (on the root host, with the sessions handed
 *   from it).
 *
 * Forms are posted only from their own origin, limited per client and per account like the API's
 * sign-in, and every reply is `no-store`.
 */
export async function siteSigninRoutes(
  app: FastifyInstance,
  options: SiteSigninRoutesOptions,
): Promise<void> {
  const { service, auth, totp } = options
  acceptFormBodies(app, MAX_FORM_BYTES)
  const perClient = createLimiter(app, {
    name: 'signin-form',
    max: options.clientLimit,
    timeWindow: WINDOW,
    key: (request) => request.ip,
  })
  // The same counter as the API's sign-in: a guess at an account's password is one, whichever the door.
  const perAccount = createLimiter(app, {
    name: 'login-account',
    max: options.accountLimit,
    timeWindow: WINDOW,
    key: (request) => {
      const email = formOf(request).get('email')
      return email ? normaliseEmail(email) : null
    },
  })
  const route = { config: { access: PUBLIC }, schema: { hide: true } }

  app.get<{ Querystring: Record<string, string | undefined> }>('/_signin', route, async (request, reply) => {
    const next = landingPath(request.query.next)
    if (isSignedIn(request)) return see(reply, next)
    const site = request.hostSite
    if (site === null) return form(reply, 200, request.url, { kind: 'password' })
    const state = randomToken(32)
    reply.setCookie(SIGNIN_STATE_COOKIE, state, {
      path: STATE_PATH,
      httpOnly: true,
      sameSite: 'lax',
      secure: request.protocol === 'https',
      maxAge: STATE_SECONDS,
    })
    const to = new URL('/_signin/handoff', options.rootOrigin)
    to.searchParams.set('site', site.id)
    to.searchParams.set('state', state)
    to.searchParams.set('next', next)
    return see(reply, to.href)
  })

  app.post<{ Querystring: Record<string, string | undefined> }>('/_signin', route, async (request, reply) => {
    if (request.hostSite !== null) return reply.callNotFound()
    const opened = await formSignIn(request, reply)
    if (!opened) return reply
    return see(reply, landingPath(request.query.next))
  })

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/_signin/handoff',
    route,
    async (request, reply) => {
      const target = await handoffOf(request, reply)
      if (!target) return reply
      const actor = request.ctx.actor
      if (actor.kind !== 'user') return form(reply, 200, request.url, { kind: 'password' })
      return handOff(request, reply, { userId: actor.userId, sessionId: actor.sessionId }, target)
    },
  )

  app.post<{ Querystring: Record<string, string | undefined> }>(
    '/_signin/handoff',
    route,
    async (request, reply) => {
      const target = await handoffOf(request, reply)
      if (!target) return reply
      const opened = await formSignIn(request, reply)
      if (!opened) return reply
      return handOff(request, reply, { userId: opened.userId, sessionId: opened.session.sessionId }, target)
    },
  )

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/_signin/callback',
    route,
    async (request, reply) => {
      const site = request.hostSite
      if (site === null) return reply.callNotFound()
      const state = request.cookies[SIGNIN_STATE_COOKIE]
      // The state serves one exchange, whatever its outcome.
      reply.clearCookie(SIGNIN_STATE_COOKIE, { path: STATE_PATH })
      const code = request.query.code
      if (typeof code !== 'string' || !CODE.test(code) || state === undefined || !STATE.test(state))
        return expired(reply)
      try {
        const { session, next } = await service.redeem(request.ctx, { code, state, siteId: site.id })
        setCookies(reply, request, session)
        return see(reply, landingPath(next))
      } catch (err) {
        if (isAppError(err) && err.code === AuthErrors.signinCodeInvalid.code) return expired(reply)
        throw err
      }
    },
  )

  app.post('/_signout', route, async (request, reply) => {
    if (!postedFromOwnOrigin(request)) return foreignPost(reply)
    if (request.ctx.actor.kind === 'user') await auth.logout(request.ctx)
    clearSessionCookies(reply, request)
    return see(reply, '/')
  })

  /**
   * The handoff's site, state and landing path, with the page's form allowed to end on the site's host;
   * or undefined after answering that they are wrong, or that the handoff belongs to the root host.
   */
  async function handoffOf(
    request: FastifyRequest<{ Querystring: Record<string, string | undefined> }>,
    reply: FastifyReply,
  ): Promise<{ siteId: string; origin: string; state: string; next: string } | undefined> {
    if (request.hostSite !== null) {
      reply.callNotFound()
      return undefined
    }
    const { site, state, next } = request.query
    if (typeof site !== 'string' || !UUID.test(site) || typeof state !== 'string' || !STATE.test(state)) {
      problem(reply, 400, {
        title: 'This sign-in link is not valid',
        text: 'Go back to the site and choose Sign in again.',
      })
      return undefined
    }
    const origin = await options.siteOriginOf(site)
    if (origin === undefined) {
      problem(reply, 404, {
        title: 'Site not found',
        text: 'There is no site to sign in to at this address.',
      })
      return undefined
    }
    allowFormRedirectTo(reply, origin)
    return { siteId: site, origin, state, next: landingPath(next) }
  }

  /** A fresh code for the site, and the browser sent back to the site's host with it. */
  async function handOff(
    request: FastifyRequest,
    reply: FastifyReply,
    who: { userId: string; sessionId: string },
    target: { siteId: string; origin: string; state: string; next: string },
  ): Promise<FastifyReply> {
    const code = await service.issueCode(request.ctx, { ...who, ...target })
    const to = new URL('/_signin/callback', target.origin)
    to.searchParams.set('code', code)
    return see(reply, to.href)
  }

  /**
   * A posted sign-in form: the password step, or the second factor's when the form carries a challenge.
   * Signed in: the session's cookies are set and its ids returned. Otherwise the reply (the next form, or
   * the same one with what went wrong) has been sent, and the result is undefined.
   */
  async function formSignIn(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ userId: string; session: IssuedSession } | undefined> {
    if (!postedFromOwnOrigin(request)) {
      foreignPost(reply)
      return undefined
    }
    const fields = formOf(request)
    const challenge = fields.get('challenge')
    const email = (fields.get('email') ?? '').trim()
    const step: SigninStep = challenge !== null ? { kind: 'code', challenge } : { kind: 'password', email }
    try {
      await perClient(request, reply)
      await perAccount(request, reply)
    } catch (err) {
      if (isAppError(err) && err.code === PlatformErrors.rateLimited.code) {
        form(reply, 429, request.url, step, 'Too many attempts. Please wait a few minutes, then try again.')
        return undefined
      }
      throw err
    }
    try {
      if (challenge !== null) {
        const code = (fields.get('code') ?? '').trim()
        const opened = await totp.completeSignIn(
          request.ctx,
          /^\d{6}$/.test(code) ? { challenge, code } : { challenge, recoveryCode: code },
        )
        setCookies(reply, request, opened.session)
        return { userId: opened.user.id, session: opened.session }
      }
      const password = fields.get('password') ?? ''
      if (email === '' || password === '') {
        form(reply, 400, request.url, step, 'Enter your email address and your password.')
        return undefined
      }
      const result = await auth.login(request.ctx, { email, password })
      if (result.status === '2fa_required') {
        form(reply, 200, request.url, { kind: 'code', challenge: result.challenge })
        return undefined
      }
      setCookies(reply, request, result.session)
      return { userId: result.user.id, session: result.session }
    } catch (err) {
      if (!isAppError(err)) throw err
      const again = { kind: 'password', email } as const
      switch (err.code) {
        case AuthErrors.invalidCredentials.code:
          form(reply, 401, request.url, again, 'The email address or password is not right.')
          return undefined
        case AuthErrors.accountSuspended.code:
          form(reply, 403, request.url, again, 'This account is suspended.')
          return undefined
        case AuthErrors.codeInvalid.code:
          form(reply, 401, request.url, step, 'That code is not right, or was already used.')
          return undefined
        case AuthErrors.challengeInvalid.code:
          form(reply, 401, request.url, { kind: 'password' }, 'That took too long. Please sign in again.')
          return undefined
        default:
          throw err
      }
    }
  }
}

/**
 * The form posted at the handoff ends in a redirect to the site's host: the page's `form-action` (which
 * browsers also apply to a form's redirects) names that origin as well as its own.
 */
function allowFormRedirectTo(reply: FastifyReply, origin: string): void {
  const policy = reply.getHeader('content-security-policy')
  if (typeof policy !== 'string') return
  reply.header(
    'content-security-policy',
    policy.replace(/form-action ([^;]*)/, (_all, sources: string) => `form-action ${sources} ${origin}`),
  )
}

function isSignedIn(request: FastifyRequest): boolean {
  return request.ctx.actor.kind === 'user'
}

function setCookies(reply: FastifyReply, request: FastifyRequest, session: IssuedSession): void {
  setSessionCookies(reply, request, {
    session: session.token,
    csrf: session.csrfToken,
    expiresAt: session.expiresAt,
  })
}

function see(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('cache-control', 'no-store').header('location', location).send()
}

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body)
}

function form(reply: FastifyReply, status: number, action: string, step: SigninStep, error?: string) {
  return html(reply, status, signinPage({ action, step, ...(error !== undefined && { error }) }))
}

function problem(reply: FastifyReply, status: number, page: { title: string; text: string }) {
  return html(reply, status, signinProblemPage(page))
}

function expired(reply: FastifyReply): FastifyReply {
  return html(
    reply,
    400,
    signinProblemPage({
      title: 'This sign-in has expired',
      text: 'The sign-in link was already used, has expired, or was opened in another browser.',
      link: { href: '/_signin', label: 'Sign in again' },
    }),
  )
}

function foreignPost(reply: FastifyReply): FastifyReply {
  return html(
    reply,
    403,
    signinProblemPage({
      title: 'Form refused',
      text: 'This form was sent from another site. Open the page on this site and try again.',
    }),
  )
}
