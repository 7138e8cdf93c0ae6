import type { FastifyInstance } from 'fastify'

/**
 * Every route says who may call it, in `config.access`. A route without a declaration cannot be
 * registered: the app refuses to start. That is what makes route coverage hold by construction; the auth
 * hook enforces the declaration before the body is even read.
 *
 * - `public`: anyone, including anonymous callers.
 * - `authenticated`: any signed-in user or API key (self-service endpoints: /auth/me, own sessions).
 * - `capability`: an actor holding the capability, on the route's site for `/sites/{site}/…` routes.
 *
 * Options: `sessionOnly` refuses API keys (a key cannot mint keys or change its owner's password);
 * `allowRestricted` keeps the route open to a user who must first enrol in 2FA or change their password;
 * `allowArchived` lets a write reach an archived site (the lifecycle operations that undo or end it).
 */
export type RouteAccess =
  | { readonly kind: 'public' }
  | { readonly kind: 'authenticated'; readonly sessionOnly?: boolean; readonly allowRestricted?: boolean }
  | {
      readonly kind: 'capability'
      readonly capability: string
      readonly sessionOnly?: boolean
      readonly allowRestricted?: boolean
      readonly allowArchived?: boolean
    }

export const PUBLIC: RouteAccess = Object.freeze({ kind: 'public' })

/** Shorthand for `{ kind: 'capability', capability }`. */
export function needs(
  capability: string,
  options: { sessionOnly?: boolean; allowArchived?: boolean } = {},
): RouteAccess {
  return Object.freeze({ kind: 'capability', capability, ...options })
}

/** Shorthand for `{ kind: 'authenticated' }`. */
export function signedIn(options: { sessionOnly?: boolean; allowRestricted?: boolean } = {}): RouteAccess {
  return Object.freeze({ kind: 'authenticated', ...options })
}

/** A route as the access layer sees it; the route-coverage test walks this list. */
export interface DeclaredRoute {
  method: string
  url: string
  access: RouteAccess
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess
  }
}

/** Routes added by third-party plugins we trust to be public (Swagger UI's static files). */
const PLUGIN_PUBLIC_PREFIXES = ['/api/docs']

export function enforceAccessDeclarations(app: FastifyInstance): DeclaredRoute[] {
  const declared: DeclaredRoute[] = []
  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as { access?: RouteAccess }
    const methods = [route.method].flat().map(String)
    if (config.access) {
      for (const method of methods) declared.push({ method, url: route.url, access: config.access })
      return
    }
    if (PLUGIN_PUBLIC_PREFIXES.some((prefix) => route.url.startsWith(prefix))) {
      route.config = { ...config, access: PUBLIC }
      for (const method of methods) declared.push({ method, url: route.url, access: PUBLIC })
      return
    }
    throw new TypeError(`route ${String(route.method)} ${route.url} has no config.access declaration`)
  })
  return declared
}
