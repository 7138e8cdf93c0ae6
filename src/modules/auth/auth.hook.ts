import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  AccessErrors,
  can,
  createCtx,
  type Actor,
  type Ctx,
  type SiteRef,
} from '../../platform/access/index.ts'
import {
  networkRead,
  networkTransaction,
  type Orm,
  type StatementRead,
  type Tx,
} from '../../platform/db/index.ts'
import { PUBLIC, createLimiter, type RouteAccess } from '../../platform/http/index.ts'
import { hashToken, timingSafeEqualText } from '../../platform/security/index.ts'
import { roleCapabilities } from '../rbac/index.ts'
import { QuotasErrors, SitesErrors, createRequestSiteResolver } from '../sites/index.ts'
import { AuthErrors } from './auth.errors.ts'
import { CSRF_HEADER, SESSION_COOKIE, clearSessionCookies } from './auth.cookies.ts'
import { restrictionOf } from './restriction.ts'
import {
  findApiKeyById,
  findSessionByTokenHash,
  touchApiKey,
  touchSession,
  type UserStanding,
} from './principal.repo.ts'

/**
 * The one gate every request passes (onRequest, before the body is read): it identifies the caller
 * (session cookie or API key), has the sites module resolve the route's `{site}` (request-site.ts), takes
 * the caller's capabilities there, enforces
 * the route's `config.access`, checks CSRF for cookie-authenticated writes, and leaves `request.ctx` for
 * the handler. Services still check capabilities themselves (`can`); this gate makes a forgotten check
 * fail closed at the edge as well.
 */

declare module 'fastify' {
  interface FastifyRequest {
    ctx: Ctx
    /** The signed-in user's standing (2FA, restrictions) as read by the gate; null when anonymous. */
    standing: UserStanding | null
  }
}

export interface AuthHookOptions {
  orm: Orm
  sessionIdleMs: number
  apiKeyRateLimit: number
  /** API calls per site per minute when the site has no quota of its own (members and keys). */
  siteApiCallsPerMinute: number
  /** Requests per client address per minute for anonymous callers of a site's routes. */
  anonymousRequestsPerMinute: number
  /**
   * How long an anonymous caller's site lookup is reused by this node (default 5 s; 0 turns it off).
   * Anonymous callers can only read, and the reading services check the site's status again in their
   * own statement, so a stale entry can never show more than the site allows.
   */
  anonymousSiteTtlMs?: number
  now?: () => Date
}

export interface Authentication {
  /** Forgets cached site lookups at once (the sites service calls it after every committed change). */
  invalidateSites(): void
  /**
   * The capabilities a signed-in reader holds on `siteId` (network role and membership there), for
   * routes whose site comes from the host rather than a `{site}` segment: public pages. Empty for
   * anonymous callers and API keys: pages are for people in browsers.
   */
  readerCapabilities(request: FastifyRequest, siteId: string): Promise<ReadonlySet<string>>
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
/** `colophon_<key id as 32 hex digits>_<secret>`. */
const API_KEY = /^colophon_([0-9a-f]{32})_([A-Za-z0-9_-]{20,200})$/
const TOUCH_EVERY_MS = 60_000

interface Principal {
  actor: Extract<Actor, { kind: 'user' | 'api_key' }>
  standing: UserStanding
  csrfHash: string | null
  /** API keys only: their scopes and site binding. */
  key: { scopes: readonly string[]; siteId: string | null } | null
}

function uuidFromHex(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization
  if (!header) return null
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match ? (match[1] as string) : null
}

export function registerAuthentication(app: FastifyInstance, options: AuthHookOptions): Authentication {
  const now = options.now ?? (() => new Date())
  const sites = createRequestSiteResolver({
    orm: options.orm,
    anonymousTtlMs: options.anonymousSiteTtlMs,
    now: options.now,
  })
  // Credential lookups happen before anyone is known: network scope, no user.
  const system = <T>(fn: (tx: Tx) => Promise<T>): Promise<T> =>
    networkTransaction(options.orm, 'credential lookup', fn)
  const credentials: StatementRead = (statement, values) =>
    networkRead(options.orm, 'credential lookup', statement, values)
  const keyLimiter = createLimiter(app, {
    name: 'api-key',
    max: options.apiKeyRateLimit,
    timeWindow: '1 minute',
    key: (request) => (request.ctx?.actor.kind === 'api_key' ? request.ctx.actor.keyId : null),
  })
  // The site's quota comes from the same row the gate already read; nothing else is queried for it. It is
  // spent by members and keys only: anonymous readers are counted per client address instead, so a busy
  // public site cannot lock its own editors out, and one greedy reader cannot starve the others.
  const siteQuotaOf = new WeakMap<FastifyRequest, number>()
  const siteLimiter = createLimiter(app, {
    name: 'site-api',
    max: (request) => siteQuotaOf.get(request) ?? options.siteApiCallsPerMinute,
    timeWindow: '1 minute',
    key: (request) => (siteQuotaOf.has(request) ? (request.ctx.site?.id ?? null) : null),
    exceeded: (details) => QuotasErrors.apiCalls({ details }),
  })
  const anonymousLimiter = createLimiter(app, {
    name: 'anonymous',
    max: options.anonymousRequestsPerMinute,
    timeWindow: '1 minute',
    key: (request) => (request.ctx.actor.kind === 'anonymous' && request.ctx.site ? request.ip : null),
  })

  async function fromApiKey(token: string, request: FastifyRequest): Promise<Principal> {
    const match = API_KEY.exec(token)
    if (!match) throw AuthErrors.keyInvalid()
    const keyId = uuidFromHex(match[1] as string)
    const at = now()
    const row = await findApiKeyById(credentials, keyId)
    const valid =
      row !== undefined &&
      timingSafeEqualText(hashToken(match[2] as string), row.secretHash) &&
      row.revokedAt === null &&
      (row.expiresAt === null || row.expiresAt > at) &&
      row.standing.status === 'active'
    if (!row || !valid) throw AuthErrors.keyInvalid()
    if (!row.lastUsedAt || at.getTime() - row.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
      await system((tx) => touchApiKey(tx, keyId, at, request.ip))
    }
    const { standing } = row
    return {
      actor: { kind: 'api_key', userId: standing.userId, email: standing.email, name: standing.name, keyId },
      standing,
      csrfHash: null,
      key: { scopes: row.scopes, siteId: row.siteId },
    }
  }

  async function fromSession(token: string, request: FastifyRequest): Promise<Principal | null> {
    const at = now()
    const row = await findSessionByTokenHash(credentials, hashToken(token))
    if (!row) return null
    // A session handed to a site's host is good there only: not on the root host, nor on another site's.
    if (row.siteId !== null && row.siteId !== request.hostSite?.id) return null
    const idle = at.getTime() - row.lastSeenAt.getTime() > options.sessionIdleMs
    if (idle || row.expiresAt <= at || row.standing.status !== 'active') return null
    if (at.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
      await system((tx) => touchSession(tx, row.sessionId, at))
    }
    const { standing } = row
    return {
      actor: {
        kind: 'user',
        userId: standing.userId,
        email: standing.email,
        name: standing.name,
        sessionId: row.sessionId,
      },
      standing,
      csrfHash: row.csrfHash,
      key: null,
    }
  }

  async function resolveSite(
    request: FastifyRequest,
    principal: Principal | null,
  ): Promise<{
    site: SiteRef
    status: string
    apiCallsPerMinute: number | null
    memberCaps: readonly string[]
  } | null> {
    const param = (request.params as Record<string, unknown> | undefined)?.site
    if (typeof param !== 'string') return null
    const found = await sites.resolve(param, principal?.standing.userId ?? null)
    const { id, slug, name, status, apiCallsPerMinute } = found.site
    return {
      site: { id, slug, name },
      status,
      apiCallsPerMinute,
      memberCaps: found.memberRole ? roleCapabilities(found.memberRole) : [],
    }
  }

  function capabilitiesOf(
    principal: Principal,
    site: { site: SiteRef; memberCaps: readonly string[] } | null,
  ): Set<string> {
    const networkCaps = principal.standing.networkRole ? roleCapabilities(principal.standing.networkRole) : []
    let caps = new Set([...networkCaps, ...(site?.memberCaps ?? [])])
    const key = principal.key
    if (key) {
      if (key.siteId !== null) {
        // A site-bound key carries site capabilities on its own site only.
        caps =
          site?.site.id === key.siteId ? new Set([...caps].filter((c) => c.startsWith('site.'))) : new Set()
      }
      const scopes = new Set(key.scopes)
      caps = new Set([...caps].filter((c) => scopes.has(c)))
    }
    return caps
  }

  function enforce(request: FastifyRequest, access: RouteAccess, principal: Principal | null): void {
    if (access.kind === 'public') return
    if (!principal) throw AccessErrors.authenticationRequired()
    if (access.sessionOnly && principal.actor.kind !== 'user') throw AuthErrors.sessionRequired()
    if (principal.csrfHash !== null && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER]
      if (typeof sent !== 'string' || !timingSafeEqualText(hashToken(sent), principal.csrfHash)) {
        throw AuthErrors.csrfInvalid()
      }
    }
    const restriction = restrictionOf(principal.standing)
    if (restriction && !access.allowRestricted) {
      throw restriction === 'enrol_2fa' ? AuthErrors.enrolmentRequired() : AuthErrors.passwordChangeRequired()
    }
    if (access.kind === 'capability' && !can(request.ctx, access.capability)) {
      throw AccessErrors.forbidden({ details: { capability: access.capability } })
    }
  }

  app.decorateRequest('ctx', null as unknown as Ctx)
  app.decorateRequest('standing', null)
  /** The caller's credential (API key or session cookie), or null for an anonymous request. */
  async function identify(
    request: FastifyRequest,
    reply: FastifyReply,
    access: RouteAccess,
  ): Promise<Principal | null> {
    const bearer = bearerOf(request)
    // A bearer that is not an API key may belong to a public endpoint's own scheme (/metrics).
    if (bearer !== null && (bearer.startsWith('colophon_') || access.kind !== 'public')) {
      return fromApiKey(bearer, request)
    }
    const cookie = request.cookies?.[SESSION_COOKIE]
    if (!cookie) return null
    const principal = await fromSession(cookie, request)
    if (!principal) clearSessionCookies(reply, request)
    return principal
  }

  app.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config?.access ?? PUBLIC
    let principal = await identify(request, reply, access)
    if (!principal && access.kind !== 'public') throw AccessErrors.authenticationRequired()
    // Until a user has enrolled in 2FA (or changed the password they were given), their credential holds
    // nothing: other routes refuse them in `enforce`, public ones see an anonymous reader, with a session
    // or with an API key made before their role required 2FA.
    if (principal && access.kind === 'public' && restrictionOf(principal.standing)) principal = null
    const site = await resolveSite(request, principal)
    if (principal?.key?.siteId && site && site.site.id !== principal.key.siteId)
      throw AuthErrors.keySiteMismatch()
    const caps = principal ? capabilitiesOf(principal, site) : new Set<string>()
    request.ctx = createCtx({
      orm: options.orm,
      actor: principal?.actor ?? { kind: 'anonymous' },
      site: site?.site ?? null,
      capabilities: caps,
      requestId: String(request.id),
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
      log: request.log,
    })
    request.standing = principal?.standing ?? null
    enforce(request, access, principal)
    // Archived sites are read-only; only routes declared `allowArchived` (lifecycle) still write.
    if (site?.status === 'archived' && !SAFE_METHODS.has(request.method)) {
      if (!(access.kind === 'capability' && access.allowArchived)) throw SitesErrors.archived()
    }
    // Counted once the call is allowed, so refused callers cannot spend a site's quota; network-level
    // management of the site (lifecycle, domains, quotas) is not the site's own use and stays reachable.
    if (site && principal && !(access.kind === 'capability' && access.capability.startsWith('network.'))) {
      siteQuotaOf.set(request, site.apiCallsPerMinute ?? options.siteApiCallsPerMinute)
      await siteLimiter(request, reply)
    }
    await anonymousLimiter(request, reply)
    await keyLimiter(request, reply)
  })
  async function readerCapabilities(request: FastifyRequest, siteId: string): Promise<ReadonlySet<string>> {
    const standing = request.standing
    if (request.ctx?.actor.kind !== 'user' || !standing) return new Set()
    const found = await sites.resolve(siteId, standing.userId)
    const networkCaps = standing.networkRole ? roleCapabilities(standing.networkRole) : []
    return new Set([...networkCaps, ...(found.memberRole ? roleCapabilities(found.memberRole) : [])])
  }

  return { invalidateSites: () => sites.invalidate(), readerCapabilities }
}
