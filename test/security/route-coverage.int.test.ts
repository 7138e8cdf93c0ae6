import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeclaredRoute } from '../../src/platform/http/index.ts'
import { BUILTIN_ROLE_CAPABILITIES } from '../../src/modules/rbac/index.ts'
import { createTestApp, errorOf, type TestApp } from '../harness/test-app.ts'
import { createUser, mainSiteId, signIn, type Session } from '../harness/identity.ts'

/**
 * Generated from the route table: every route refuses anonymous callers unless it is declared public, and
 * every default role is refused (403, coded) on every route whose capability it lacks. A new route is
 * covered the moment it is registered; a route without a declaration cannot be registered at all.
 */

let app: TestApp
let siteId: string
const sessions = new Map<string, { session: Session; capabilities: ReadonlySet<string> }>()
const SITE_ROLES = ['administrator', 'editor', 'author', 'subscriber'] as const

const PLACEHOLDER_ID = '00000000-0000-7000-8000-000000000000'

function concreteUrl(route: DeclaredRoute): string {
  return route.url
    .replace(':site', siteId)
    .replace(/:[A-Za-z]+/g, PLACEHOLDER_ID)
    .replace('*', 'x')
}

function apiRoutes(): DeclaredRoute[] {
  return app.routes.filter(
    (r) => r.method !== 'HEAD' && r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'),
  )
}

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  siteId = await mainSiteId(app)
  const [subscriber] = await app.db.engine.query<{ capabilities: string[] }>(
    "SELECT capabilities FROM roles WHERE slug = 'subscriber'",
  )
  for (const role of SITE_ROLES) {
    const user = await createUser(app, { siteRole: role })
    const capabilities = new Set(
      role === 'subscriber' ? (subscriber?.capabilities ?? []) : (BUILTIN_ROLE_CAPABILITIES[role] ?? []),
    )
    sessions.set(role, { session: await signIn(app, user), capabilities })
  }
  sessions.set('no role', { session: await signIn(app, await createUser(app)), capabilities: new Set() })
})
afterAll(() => app?.close())

describe('route coverage', () => {
  it('has routes to check, each with a declaration', () => {
    expect(apiRoutes().length).toBeGreaterThan(10)
    for (const route of app.routes) expect(route.access, `${route.method} ${route.url}`).toBeDefined()
  })

  it('refuses anonymous callers on every route not declared public', async () => {
    const checked: string[] = []
    for (const route of apiRoutes()) {
      if (route.access.kind === 'public') continue
      const res = await app.server.inject({
        method: route.method as 'GET',
        url: concreteUrl(route),
        ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
      })
      expect(res.statusCode, `${route.method} ${route.url}: ${res.body}`).toBe(401)
      expect(errorOf(res).code).toBe('COLOPHON_AUTH_REQUIRED')
      checked.push(`${route.method} ${route.url}`)
    }
    expect(checked.length).toBeGreaterThan(5)
  })

  it('refuses each default role on every route whose capability it lacks', async () => {
    let refusals = 0
    for (const route of apiRoutes()) {
      const access = route.access
      if (access.kind !== 'capability') continue
      for (const [role, { session, capabilities }] of sessions) {
        if (capabilities.has(access.capability)) continue
        const res = await session.request({
          method: route.method as 'GET',
          url: concreteUrl(route),
          ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
        })
        expect(res.statusCode, `${role} on ${route.method} ${route.url}: ${res.body}`).toBe(403)
        expect(errorOf(res).code).toBe('COLOPHON_AUTH_FORBIDDEN')
        refusals += 1
      }
    }
    expect(refusals).toBeGreaterThan(10)
  })

  it('cannot be dodged by path tricks: trailing slash, case, doubled or encoded slashes, dot segments', async () => {
    for (const route of apiRoutes()) {
      if (route.access.kind === 'public') continue
      const url = concreteUrl(route)
      const variants = [
        url + '/',
        url.toUpperCase(),
        '/' + url,
        url.replace('/api/v1/', '/api/v1//'),
        url.replace('/api/v1/', '/api%2fv1/'),
        url.replace('/api/v1/', '/api/v1/x/../'),
        url.replace('/api/v1/', '/api/v1/%2e/'),
      ]
      for (const variant of variants) {
        const res = await app.server.inject({ method: route.method as 'GET', url: variant })
        expect(res.statusCode, `${route.method} ${variant}`).toBeGreaterThanOrEqual(400)
        expect(res.statusCode, `${route.method} ${variant}`).toBeLessThan(500)
      }
    }
  })
})
