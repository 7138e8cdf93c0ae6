import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createTestApp, errorOf, type TestApp } from '../../test/harness/test-app.ts'
import { signInAdmin, type Session } from '../../test/harness/identity.ts'
import { adminQuery, quoteIdent } from '../../test/harness/pg-admin.ts'

/**
 * A database that cannot be reached is an outage the client can wait out: every request that needs it
 * gets 503 COLOPHON_DB_UNAVAILABLE with Retry-After, never a 500, whichever statement hits the failure
 * (the credential check, the site lookup, the handler's own query).
 */

const harness = inject('harness')
let app: TestApp
let admin: Session
beforeAll(async () => {
  app = await createTestApp({ state: 'ready' })
  admin = await signInAdmin(app)
})
afterAll(() => app?.close())

/** Requests that each need the database at a different point: anonymous read, session, writes. */
function requestsDuringOutage(a: TestApp, admin: Session) {
  return [
    a.server.inject({ method: 'GET', url: '/api/v1/sites/main/entries' }),
    a.server.inject({ method: 'GET', url: '/api/v1/sites/main/types' }),
    admin.request({ method: 'GET', url: '/api/v1/auth/me' }),
    admin.request({ method: 'GET', url: '/api/v1/users' }),
    admin.request({ method: 'PATCH', url: '/api/v1/auth/me', payload: { name: 'During the outage' } }),
    a.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'nobody@example.com', password: 'not a real password' },
    }),
  ]
}

async function expectAllUnavailable(responses: Awaited<ReturnType<TestApp['server']['inject']>>[]) {
  for (const res of responses) {
    expect(res.statusCode, res.body).toBe(503)
    expect(errorOf(res).code).toBe('COLOPHON_DB_UNAVAILABLE')
    expect(res.headers['retry-after']).toBe('5')
  }
}

/** The setup gate caches the installation state: the outage must hit the requests' own statements. */
async function warmUp(): Promise<void> {
  expect((await app.server.inject({ method: 'GET', url: '/api/v1/sites/main/entries' })).statusCode).toBe(200)
}

describe('database outage', () => {
  it.runIf(harness.engine === 'postgres')(
    'answers 503 with Retry-After while PostgreSQL refuses connections and has terminated ours',
    async () => {
      await warmUp()
      const adminUrl = harness.adminUrl as string
      const database = decodeURIComponent(new URL(app.db.url as string).pathname.slice(1))
      // New connections are refused (55000) and every open one is terminated (57P01) under the pool.
      await adminQuery(adminUrl, `ALTER DATABASE ${quoteIdent(database)} ALLOW_CONNECTIONS false`)
      try {
        await adminQuery(
          adminUrl,
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = '${database.replace(/'/g, "''")}' AND pid <> pg_backend_pid()`,
        )
        await expectAllUnavailable(await Promise.all(requestsDuringOutage(app, admin)))
        await expectAllUnavailable(await Promise.all(requestsDuringOutage(app, admin)))
      } finally {
        await adminQuery(adminUrl, `ALTER DATABASE ${quoteIdent(database)} ALLOW_CONNECTIONS true`)
      }
      // The pool reconnects by itself once the server accepts connections again.
      const after = await admin.request({ method: 'GET', url: '/api/v1/auth/me' })
      expect(after.statusCode).toBe(200)
    },
  )

  it.runIf(harness.engine === 'pglite')(
    'answers 503 with Retry-After once the embedded engine is closed',
    async () => {
      await warmUp()
      await app.db.engine.close()
      await expectAllUnavailable(await Promise.all(requestsDuringOutage(app, admin)))
    },
  )
})
