import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/platform/db/index.ts'
import { createTestApp, errorOf, type TestApp } from '../harness/test-app.ts'
import { createUser, mainSiteId, roleId, signIn, type Session, type TestUser } from '../harness/identity.ts'

/**
 * Nobody acts on someone above them. Generated from one table of every operation
 * that changes, signs out or inspects another user: a user manager (a custom network role holding only
 * `network.users.manage` and `network.users.read`, and administrator of the main site so that membership
 * routes let them in) is refused each one on a network admin, with the outranking code and nothing changed,
 * and is allowed each one on a plain user. A route acting on a user that is missing from the table fails
 * the coverage check, so a new one cannot skip the rule unnoticed.
 */

let app: TestApp
let main: string
let manager: Session

const OUTRANKS = 'COLOPHON_USERS_TARGET_OUTRANKS'

interface Operation {
  /** `METHOD /path` as registered, for the coverage check. */
  route: string
  /** Puts the target in the state the operation needs; returns what the request refers to. */
  prepare?: (target: TestUser) => Promise<string | void>
  request: (
    target: TestUser,
    prepared: string | void,
  ) => {
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
    url: string
    payload?: unknown
  }
  /** The status when the target is a plain user. */
  allowed: number
}

const sql = (text: string, params: unknown[]) => app.db.engine.query(text, params)

const OPERATIONS: Operation[] = [
  {
    route: 'PATCH /api/v1/users/:id',
    request: (t) => ({ method: 'PATCH', url: `/api/v1/users/${t.id}`, payload: { name: 'Renamed' } }),
    allowed: 200,
  },
  {
    route: 'POST /api/v1/users/:id/suspend',
    request: (t) => ({ method: 'POST', url: `/api/v1/users/${t.id}/suspend` }),
    allowed: 200,
  },
  {
    route: 'POST /api/v1/users/:id/reactivate',
    prepare: async (t) => {
      await sql("UPDATE users SET status = 'suspended' WHERE id = $1", [t.id])
    },
    request: (t) => ({ method: 'POST', url: `/api/v1/users/${t.id}/reactivate` }),
    allowed: 200,
  },
  {
    route: 'DELETE /api/v1/users/:id',
    request: (t) => ({ method: 'DELETE', url: `/api/v1/users/${t.id}` }),
    allowed: 200,
  },
  {
    route: 'POST /api/v1/users/:id/2fa/reset',
    request: (t) => ({ method: 'POST', url: `/api/v1/users/${t.id}/2fa/reset` }),
    allowed: 200,
  },
  {
    route: 'GET /api/v1/api-keys',
    request: (t) => ({ method: 'GET', url: `/api/v1/api-keys?userId=${t.id}` }),
    allowed: 200,
  },
  {
    route: 'DELETE /api/v1/api-keys/:id',
    prepare: async (t) => {
      const id = newId()
      await sql(
        "INSERT INTO api_keys (id, user_id, name, secret_hash, scopes) VALUES ($1, $2, 'probe', $3, '{}')",
        [id, t.id, `hash-${id}`],
      )
      return id
    },
    request: (_t, keyId) => ({ method: 'DELETE', url: `/api/v1/api-keys/${keyId}` }),
    allowed: 200,
  },
  {
    // Re-inviting a pending invitee replaces their link and may rename them.
    route: 'POST /api/v1/users/invitations',
    prepare: async (t) => {
      await sql("UPDATE users SET status = 'invited' WHERE id = $1", [t.id])
    },
    request: (t) => ({
      method: 'POST',
      url: '/api/v1/users/invitations',
      payload: { email: t.email, name: 'Renamed' },
    }),
    allowed: 201,
  },
  {
    route: 'PUT /api/v1/sites/:site/members/:userId',
    request: (t) => ({
      method: 'PUT',
      url: `/api/v1/sites/${main}/members/${t.id}`,
      payload: { role: 'editor' },
    }),
    allowed: 200,
  },
  {
    // The network admins' direct path: adding an existing user who is not a member yet.
    route: 'PUT /api/v1/sites/:site/members/:userId',
    prepare: async (t) => {
      await sql('DELETE FROM site_members WHERE site_id = $1 AND user_id = $2', [main, t.id])
    },
    request: (t) => ({
      method: 'PUT',
      url: `/api/v1/sites/${main}/members/${t.id}`,
      payload: { role: 'author' },
    }),
    allowed: 201,
  },
  {
    route: 'DELETE /api/v1/sites/:site/members/:userId',
    request: (t) => ({ method: 'DELETE', url: `/api/v1/sites/${main}/members/${t.id}` }),
    allowed: 200,
  },
]

/** Everything an operation on a user could change, read straight from the tables. */
async function footprint(userId: string): Promise<string> {
  const rows = await sql(
    `SELECT u.status, u.name, u.network_role_id,
            (SELECT count(*)::int FROM user_sessions s WHERE s.user_id = u.id) AS sessions,
            (SELECT string_agg(k.id::text || '/' || coalesce(k.revoked_at::text, '-'), ',' ORDER BY k.id)
               FROM api_keys k WHERE k.user_id = u.id) AS keys,
            (SELECT string_agg(t.id::text, ',' ORDER BY t.id) FROM user_tokens t WHERE t.user_id = u.id) AS tokens,
            (SELECT string_agg(m.site_id::text || '/' || m.role_id::text, ',' ORDER BY m.site_id)
               FROM site_members m WHERE m.user_id = u.id) AS memberships
       FROM users u WHERE u.id = $1`,
    [userId],
  )
  return JSON.stringify(rows)
}

/** A signed-in target (so there is a session to lose), author on the main site. */
async function target(networkRole?: string): Promise<TestUser> {
  const user = await createUser(app, { siteRole: 'author', ...(networkRole ? { networkRole } : {}) })
  await signIn(app, user)
  return user
}

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  main = await mainSiteId(app)
  await sql(
    `INSERT INTO roles (id, slug, name, scope, capabilities)
     VALUES ($1, 'user_manager', 'User manager', 'network', ARRAY['network.users.manage', 'network.users.read'])`,
    [newId()],
  )
  const user = await createUser(app, { networkRole: 'user_manager', siteRole: 'administrator' })
  manager = await signIn(app, user)
  // A second active network admin, so no refusal can come from the "last network admin" rule instead.
  await createUser(app, { networkRole: 'network_admin' })
  expect(await roleId(app, 'user_manager')).toBeTruthy()
})
afterAll(() => app?.close())

describe('acting on another user needs every capability they hold', () => {
  it('covers every route that acts on a user', () => {
    const covered = new Set(OPERATIONS.map((o) => o.route))
    const actingOnUsers = app.routes
      .filter((r) => r.method !== 'GET' && r.method !== 'HEAD')
      .filter((r) => /\/users\/:id(\/|$)/.test(r.url) || r.url.includes(':userId'))
      .map((r) => `${r.method} ${r.url}`)
    expect(actingOnUsers.length).toBeGreaterThan(5)
    expect(actingOnUsers.filter((r) => !covered.has(r))).toEqual([])
  })

  it.each(OPERATIONS.map((o, i) => [`${o.route} #${i + 1}`, o] as const))(
    '%s: refused on a network admin, nothing changed',
    async (_name, operation) => {
      const admin = await target('network_admin')
      const prepared = await operation.prepare?.(admin)
      const before = await footprint(admin.id)
      const res = await manager.request(operation.request(admin, prepared))
      expect(res.statusCode, res.body).toBe(403)
      expect(errorOf(res).code).toBe(OUTRANKS)
      expect(await footprint(admin.id)).toBe(before)
    },
  )

  it.each(OPERATIONS.map((o, i) => [`${o.route} #${i + 1}`, o] as const))(
    '%s: allowed on a plain user',
    async (_name, operation) => {
      const plain = await target()
      const prepared = await operation.prepare?.(plain)
      const res = await manager.request(operation.request(plain, prepared))
      expect(res.statusCode, res.body).toBe(operation.allowed)
    },
  )
})
