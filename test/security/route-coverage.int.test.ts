import { afterAll, describe, expect, it } from 'vitest'
import { grants } from '../../src/platform/access/index.ts'
import type { DeclaredRoute } from '../../src/platform/http/index.ts'
import { BUILTIN_ROLE_CAPABILITIES, SITE_CAPABILITIES } from '../../src/modules/rbac/index.ts'
import { createTestApp, errorOf } from '../harness/test-app.ts'
import { createUser, mainSiteId, signIn, signInAdmin, type Session } from '../harness/identity.ts'

/**
 * Generated from the route table, one test per route: the route refuses anonymous callers unless it is
 * declared public; every role without the route's capability is refused (403, coded); and every role
 * that holds it (built-in roles, the subscriber and a custom role holding only `.any` variants) passes
 * the gate, which decides with the same `grants` as the services. A new route is covered the moment it
 * is registered; a route without a declaration cannot be registered at all.
 *
 * The app is built while the file is collected, so that the route table can name the tests.
 */

const app = await createTestApp({
  config: { authRateLimit: 10_000, authAccountRateLimit: 10_000, siteApiCallsPerMinute: 100_000 },
})
afterAll(() => app.close())

const siteId = await mainSiteId(app)
const PLACEHOLDER_ID = '00000000-0000-7000-8000-000000000000'

interface Caller {
  session: Session
  capabilities: ReadonlySet<string>
}

/** Signed-in callers by name, each with the capabilities they hold on the main site. */
async function signInCallers(): Promise<Map<string, Caller>> {
  const callers = new Map<string, Caller>()
  const capabilitiesOf = async (slug: string): Promise<string[]> => {
    const [row] = await app.db.engine.query<{ capabilities: string[] }>(
      'SELECT capabilities FROM roles WHERE slug = $1',
      [slug],
    )
    return row?.capabilities ?? []
  }
  const anyOnly = SITE_CAPABILITIES.filter((c) => !c.endsWith('.own'))
  const admin = await signInAdmin(app)
  const created = await admin.request({
    method: 'POST',
    url: '/api/v1/roles',
    payload: { slug: 'any-only', name: 'Only .any variants', scope: 'site', capabilities: anyOnly },
  })
  if (created.statusCode !== 201) throw new Error(`custom role refused: ${created.body}`)
  const siteRoles: Record<string, readonly string[]> = {
    administrator: BUILTIN_ROLE_CAPABILITIES.administrator ?? [],
    editor: BUILTIN_ROLE_CAPABILITIES.editor ?? [],
    author: BUILTIN_ROLE_CAPABILITIES.author ?? [],
    subscriber: await capabilitiesOf('subscriber'),
    'any-only': anyOnly,
  }
  for (const [role, capabilities] of Object.entries(siteRoles)) {
    const user = await createUser(app, { siteRole: role })
    callers.set(role, { session: await signIn(app, user), capabilities: new Set(capabilities) })
  }
  callers.set('network_admin', {
    session: admin,
    capabilities: new Set(BUILTIN_ROLE_CAPABILITIES.network_admin ?? []),
  })
  callers.set('no role', { session: await signIn(app, await createUser(app)), capabilities: new Set() })
  return callers
}

const callers = await signInCallers()

function concreteUrl(route: DeclaredRoute): string {
  return route.url
    .replace(':site', siteId)
    .replace(/:[A-Za-z]+/g, PLACEHOLDER_ID)
    .replace('*', 'x')
}

const bodyFor = (route: DeclaredRoute) =>
  route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }

const apiRoutes = app.routes.filter(
  (r) => r.method !== 'HEAD' && r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'),
)
const guarded = apiRoutes.filter((r) => r.access.kind !== 'public')
const byCapability = apiRoutes.flatMap((route) =>
  route.access.kind === 'capability' ? [{ route, capability: route.access.capability }] : [],
)
const name = (route: DeclaredRoute) => `${route.method} ${route.url}`

describe('route coverage', () => {
  it('has routes to check, each with a declaration', () => {
    expect(apiRoutes.length).toBeGreaterThan(10)
    expect(byCapability.length).toBeGreaterThan(10)
    for (const route of app.routes) expect(route.access, name(route)).toBeDefined()
    // The allowed side needs callers that hold `.any` variants without their `.own` ones.
    const anyOnly = callers.get('any-only')?.capabilities ?? new Set()
    expect([...anyOnly].some((c) => c.endsWith('.any'))).toBe(true)
    expect(byCapability.some(({ capability }) => capability.endsWith('.own'))).toBe(true)
  })

  describe.each(guarded.map((route) => [name(route), route] as const))('%s', (_, route) => {
    it('refuses anonymous callers', async () => {
      const res = await app.server.inject({
        method: route.method as 'GET',
        url: concreteUrl(route),
        ...bodyFor(route),
      })
      expect(res.statusCode, res.body).toBe(401)
      expect(errorOf(res).code).toBe('COLOPHON_AUTH_REQUIRED')
    })

    it('cannot be dodged by path tricks: trailing slash, case, doubled or encoded slashes, dot segments', async () => {
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
    })
  })

  describe.each(byCapability.map(({ route, capability }) => [name(route), route, capability] as const))(
    '%s',
    (_, route, capability) => {
      it(`refuses every role without ${capability}`, async () => {
        for (const [role, { session, capabilities }] of callers) {
          if (grants(capabilities, capability)) continue
          const res = await session.request({
            method: route.method as 'GET',
            url: concreteUrl(route),
            ...bodyFor(route),
          })
          expect(res.statusCode, `${role}: ${res.body}`).toBe(403)
          expect(errorOf(res)).toMatchObject({ code: 'COLOPHON_AUTH_FORBIDDEN', details: { capability } })
        }
      })

      it(`lets every role holding ${capability} past the gate`, async () => {
        let allowed = 0
        for (const [role, { session, capabilities }] of callers) {
          if (!grants(capabilities, capability)) continue
          const res = await session.request({
            method: route.method as 'GET',
            url: concreteUrl(route),
            ...bodyFor(route),
          })
          // Past the gate the handler answers for itself (400 for the empty body, 404 for the placeholder
          // id, 2xx): anything but the gate's refusal of this capability, and never a 5xx.
          expect(res.statusCode, `${role}: ${res.body}`).toBeLessThan(500)
          expect(res.statusCode, `${role}: ${res.body}`).not.toBe(401)
          if (res.statusCode === 403) {
            expect(errorOf(res).details, `${role}: refused by the gate`).not.toMatchObject({ capability })
          }
          allowed += 1
        }
        // The network admin holds every capability, so each route has at least one allowed caller.
        expect(allowed).toBeGreaterThan(0)
      })
    },
  )
})
