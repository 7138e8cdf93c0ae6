import type { FastifyInstance } from 'fastify'

/**
 * Every route says who may call it, in `config.access`. A route without a declaration cannot be
 * registered: the app refuses to start. That is what makes route coverage hold by construction.
 *
 * - `public`: anyone, including anonymous callers.
 * - `capability`: an authenticated actor holding the capability (checked by the auth hook).
 * - `credentials`: the request carries the caller's own credentials (re-authentication for sensitive
 *   maintenance); the service verifies them and the capability itself.
 */
export type RouteAccess =
  | { readonly kind: 'public' }
  | { readonly kind: 'capability'; readonly capability: string }
  | { readonly kind: 'credentials'; readonly capability: string }

export const PUBLIC: RouteAccess = Object.freeze({ kind: 'public' })

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess
  }
}

/** Routes added by third-party plugins we trust to be public (Swagger UI's static files). */
const PLUGIN_PUBLIC_PREFIXES = ['/api/docs']

export function enforceAccessDeclarations(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as { access?: RouteAccess }
    if (config.access) return
    if (PLUGIN_PUBLIC_PREFIXES.some((prefix) => route.url.startsWith(prefix))) {
      route.config = { ...config, access: PUBLIC }
      return
    }
    throw new TypeError(`route ${String(route.method)} ${route.url} has no config.access declaration`)
  })
}
