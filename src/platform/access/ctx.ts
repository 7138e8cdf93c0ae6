import { appTransaction, readStatement, type Orm, type StatementRead, type Tx } from '../db/index.ts'
import { AccessErrors } from './access.errors.ts'

/**
 * The request context: who acts, on which site, with which capabilities. Built once per request (or job)
 * and passed first to every service call. Services reach the database only through `ctx.tx` (and
 * `ctx.read` for one compiled read), which bind the application role, the site and the user for row-level
 * security.
 */

export type Actor =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'system'; readonly reason: string }
  | {
      readonly kind: 'user'
      readonly userId: string
      readonly email: string
      readonly name: string
      readonly sessionId: string
    }
  | {
      readonly kind: 'api_key'
      readonly userId: string
      readonly email: string
      readonly name: string
      readonly keyId: string
    }

export interface SiteRef {
  readonly id: string
  readonly slug: string
  readonly name: string
}

/** The part of a logger services use (pino's and Fastify's loggers fit). */
export interface CtxLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export interface Ctx {
  readonly actor: Actor
  /** The site the request is scoped to (`/sites/{site}/…`), or null for network-scope work. */
  readonly site: SiteRef | null
  readonly capabilities: ReadonlySet<string>
  readonly requestId: string
  readonly ip: string | null
  readonly userAgent: string | null
  readonly log: CtxLogger
  /** A transaction bound to this context (application role, site, user, scope). */
  tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T>
  /**
   * One compiled read (`statementCache`), bound like `tx` and, on PostgreSQL, sent with its binding in one
   * round trip (ADR 0015). `values` are keyed by placeholder name; rows come as arrays in select-list order.
   */
  readonly read: StatementRead
}

export interface CtxInit {
  orm: Orm
  actor: Actor
  site?: SiteRef | null
  capabilities?: Iterable<string>
  requestId?: string
  ip?: string | null
  userAgent?: string | null
  log: CtxLogger
}

/** The acting user's id (a key acts for its owner), or null for anonymous and system actors. */
export function actorUserId(actor: Actor): string | null {
  return actor.kind === 'user' || actor.kind === 'api_key' ? actor.userId : null
}

export function createCtx(init: CtxInit): Ctx {
  const site = init.site ?? null
  const binding = { siteId: site?.id ?? null, userId: actorUserId(init.actor), network: site === null }
  return {
    actor: init.actor,
    site,
    capabilities: new Set(init.capabilities ?? []),
    requestId: init.requestId ?? 'system',
    ip: init.ip ?? null,
    userAgent: init.userAgent ?? null,
    log: init.log,
    tx: (fn) => appTransaction(init.orm, binding, fn),
    read: (statement, values) => readStatement(init.orm, binding, statement, values),
  }
}

/**
 * The one explicit way to act without a caller's capabilities: installation, the CLI, jobs acting for
 * the platform. Every use says why; grep for `asSystem(` to review them.
 */
export function asSystem(init: { orm: Orm; reason: string; site?: SiteRef | null; log: CtxLogger }): Ctx {
  return createCtx({
    orm: init.orm,
    actor: { kind: 'system', reason: init.reason },
    site: init.site,
    log: init.log,
  })
}

/** A resource checked against `own`/`any` capabilities: whose it is. */
export interface OwnedResource {
  ownerId?: string | null
}

/**
 * The one access decision: whether a set of capabilities grants `capability`. A capability ending in
 * `.own` is also granted by its `.any` variant (whoever may edit every entry may edit their own). The
 * request gate (`config.access`) and `can()` both decide through this function, so a route can never
 * refuse what its service would allow.
 */
export function grants(capabilities: ReadonlySet<string>, capability: string): boolean {
  if (capabilities.has(capability)) return true
  return capability.endsWith('.own') && capabilities.has(`${capability.slice(0, -'.own'.length)}.any`)
}

/**
 * Whether the context holds `capability`. For a capability with `own`/`any` variants, pass its base name
 * and the resource: `can(ctx, 'site.content.edit', { ownerId })` holds with `site.content.edit.any`, or
 * with `site.content.edit.own` when the actor owns the resource. The system actor can do anything.
 */
export function can(ctx: Ctx, capability: string, resource?: OwnedResource): boolean {
  if (ctx.actor.kind === 'system') return true
  if (grants(ctx.capabilities, capability)) return true
  if (resource === undefined) return false
  if (grants(ctx.capabilities, `${capability}.any`)) return true
  const userId = actorUserId(ctx.actor)
  return userId !== null && resource.ownerId === userId && grants(ctx.capabilities, `${capability}.own`)
}

/** Throws COLOPHON_AUTH_FORBIDDEN (or COLOPHON_AUTH_REQUIRED for anonymous callers) unless `can` holds. */
export function requireCapability(ctx: Ctx, capability: string, resource?: OwnedResource): void {
  if (can(ctx, capability, resource)) return
  if (ctx.actor.kind === 'anonymous') throw AccessErrors.authenticationRequired()
  throw AccessErrors.forbidden({ details: { capability } })
}

/**
 * The site of this context, for work that only exists on one site. Throws COLOPHON_AUTH_SITE_REQUIRED at
 * network scope, which HTTP never reaches (site routes resolve `{site}` or answer 404): it means a service
 * was called without a site.
 */
export function requireSite(ctx: Ctx): SiteRef {
  if (ctx.site === null) throw AccessErrors.siteRequired()
  return ctx.site
}

/** The signed-in user behind the context (a key counts as its owner), or COLOPHON_AUTH_REQUIRED. */
export function requireUser(ctx: Ctx): Extract<Actor, { kind: 'user' | 'api_key' }> {
  const actor = ctx.actor
  if (actor.kind === 'user' || actor.kind === 'api_key') return actor
  throw AccessErrors.authenticationRequired()
}
