import type { LightMyRequestResponse } from 'fastify'
import { hashPassword } from '../../src/platform/security/index.ts'
import { newId } from '../../src/platform/db/index.ts'
import { addMember } from './factories.ts'
import type { TestApp } from './test-app.ts'
import { ADMIN } from './test-app.ts'

/**
 * Factories for identity tests: users with a role (network or on a site), signed-in sessions, and
 * requests made as them. Users are written straight into the database (the API for creating users is
 * itself under test elsewhere).
 */

export const PASSWORD = 'a perfectly fine passphrase'

export interface TestUser {
  id: string
  email: string
  password: string
}

let counter = 0

export async function mainSiteId(app: TestApp): Promise<string> {
  const [row] = await app.db.engine.query<{ id: string }>('SELECT id FROM sites WHERE is_main')
  if (!row) throw new Error('no main site: is the test app set up?')
  return row.id
}

export async function roleId(app: TestApp, slug: string): Promise<string> {
  const [row] = await app.db.engine.query<{ id: string }>('SELECT id FROM roles WHERE slug = $1', [slug])
  if (!row) throw new Error(`no role ${slug}`)
  return row.id
}

/** Creates an active user; `siteRole` makes them a member of `site` (default: the main site). */
export async function createUser(
  app: TestApp,
  options: {
    email?: string
    name?: string
    password?: string
    /** A stored hash of `password` as it is, for callers that hash once for many users. */
    passwordHash?: string
    networkRole?: string
    siteRole?: string
    site?: string
    status?: 'active' | 'suspended' | 'invited'
    mustChangePassword?: boolean
  } = {},
): Promise<TestUser> {
  counter += 1
  const email = options.email ?? `user${counter}-${newId().slice(-6)}@example.com`
  const password = options.password ?? PASSWORD
  const id = newId()
  await app.db.engine.query(
    `INSERT INTO users (id, email, name, password_hash, status, network_role_id, must_change_password)
     VALUES ($1, $2, $3, $4, $5, (SELECT id FROM roles WHERE slug = $6), $7)`,
    [
      id,
      email,
      options.name ?? `User ${counter}`,
      options.passwordHash ?? (await hashPassword(password)),
      options.status ?? 'active',
      options.networkRole ?? null,
      options.mustChangePassword ?? false,
    ],
  )
  if (options.siteRole) {
    await addMember(app, {
      siteId: options.site ?? (await mainSiteId(app)),
      userId: id,
      role: options.siteRole,
    })
  }
  return { id, email, password }
}

/** A signed-in browser: its cookies and CSRF token, and a way to send requests with them. */
export interface Session {
  cookie: string
  csrf: string
  userId: string
  request(options: {
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
    url: string
    payload?: unknown
    headers?: Record<string, string>
    csrf?: boolean
  }): Promise<LightMyRequestResponse>
}

export function cookiesOf(response: LightMyRequestResponse): Record<string, string> {
  const out: Record<string, string> = {}
  for (const c of response.cookies) out[c.name] = c.value
  return out
}

export function sessionFrom(app: TestApp, response: LightMyRequestResponse, userId: string): Session {
  const cookies = cookiesOf(response)
  const token = cookies.colophon_session
  const csrf = cookies.colophon_csrf
  if (!token || !csrf) throw new Error(`no session cookies in ${response.statusCode} ${response.body}`)
  const cookie = `colophon_session=${token}; colophon_csrf=${csrf}`
  return {
    cookie,
    csrf,
    userId,
    request: ({ method, url, payload, headers, csrf: withCsrf = true }) =>
      app.server.inject({
        method,
        url,
        ...(payload === undefined ? {} : { payload: payload as object }),
        headers: { cookie, ...(withCsrf ? { 'x-csrf-token': csrf } : {}), ...headers },
      }),
  }
}

/** Signs in with email and password (no 2FA) and returns the session. */
export async function signIn(
  app: TestApp,
  user: { email: string; password: string; id?: string },
): Promise<Session> {
  const response = await app.server.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: user.email, password: user.password },
  })
  if (response.statusCode !== 200 || response.json().status !== 'authenticated') {
    throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`)
  }
  return sessionFrom(app, response, response.json().user.id as string)
}

/** Signs in as the network admin created by setup. */
export function signInAdmin(app: TestApp): Promise<Session> {
  return signIn(app, ADMIN)
}
