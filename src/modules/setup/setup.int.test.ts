import { rmSync, statSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readMigrationFiles, type MigrationFile, checksumOf } from '../../platform/db/index.ts'
import {
  ADMIN,
  createTestApp,
  errorOf,
  TEST_SETUP_TOKEN,
  type TestApp,
} from '../../../test/harness/test-app.ts'
import { createTestDatabase, type TestDatabase } from '../../../test/harness/test-db.ts'
import { createUser, signIn, signInAdmin } from '../../../test/harness/identity.ts'

const body = (overrides: Record<string, unknown> = {}) => ({
  token: TEST_SETUP_TOKEN,
  admin: ADMIN,
  site: { name: 'My Café' },
  ...overrides,
})

let apps: TestApp[] = []
async function startApp(options: Parameters<typeof createTestApp>[0]): Promise<TestApp> {
  const created = await createTestApp(options)
  apps.push(created)
  return created
}
let databases: TestDatabase[] = []
async function createDatabase(state: 'empty' | 'migrated'): Promise<TestDatabase> {
  const created = await createTestDatabase(state)
  databases.push(created)
  return created
}
afterEach(async () => {
  for (const a of apps.reverse()) await a.close()
  for (const db of databases) await db.destroy()
  apps = []
  databases = []
})

/**
 * Makes a fresh one of something (an app on a database of its own) before each test of the enclosing
 * describe: a database copy takes seconds on a loaded machine, which belongs to the hook's budget, not to
 * the test's.
 */
function beforeEachTest<T>(make: () => Promise<T>): () => T {
  let current: { value: T } | undefined
  beforeEach(async () => {
    current = { value: await make() }
  })
  return () => {
    if (!current) throw new Error('used outside a test')
    return current.value
  }
}

async function countRows(a: TestApp, table: 'users' | 'sites'): Promise<number> {
  const [row] = await a.db.engine.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)
  return row?.n ?? -1
}

describe('setup lifecycle', () => {
  describe('on an untouched database', () => {
    const untouched = beforeEachTest(() => startApp({ state: 'empty' }))

    it('starts not_configured on an untouched database and reports nothing sensitive', async () => {
      const a = untouched()
      const res = await a.server.inject({ method: 'GET', url: '/api/v1/setup' })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual({
        state: 'not_configured',
        schema: { current: false, pending: readMigrationFiles().length, conflict: false },
      })
      expect(res.body).not.toContain(TEST_SETUP_TOKEN)
    })

    it('moves to configured at start, writing the token file with mode 600', async () => {
      const a = untouched()
      await a.setup.prepareAtStart()
      expect((await a.setup.systemState()).setup).toBe('configured')
      const mode = statSync(a.setup.tokenFilePath).mode & 0o777
      expect(mode).toBe(0o600)
    })

    it('goes configured → migrated → ready with a valid token, creating the admin and the main site', async () => {
      const a = untouched()
      await a.setup.prepareAtStart()
      const res = await a.server.inject({ method: 'POST', url: '/api/v1/setup', payload: body() })
      expect(res.statusCode).toBe(201)
      const result = res.json()
      expect(result).toMatchObject({
        state: 'ready',
        admin: { email: ADMIN.email, name: ADMIN.name },
        site: { name: 'My Café', slug: 'my-cafe' },
      })
      expect(res.body).not.toContain('password')
      expect((await a.setup.systemState()).setup).toBe('ready')
      expect((await a.server.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200)
      const [user] = await a.db.engine.query<{ password_hash: string; role: string }>(
        'SELECT password_hash, r.slug AS role FROM users u JOIN roles r ON r.id = u.network_role_id',
      )
      expect(user?.role).toBe('network_admin')
      expect(user?.password_hash).toMatch(/^\$argon2id\$/)
    })

    it('refuses setup before a token was ever issued', async () => {
      const a = untouched()
      const res = await a.server.inject({ method: 'POST', url: '/api/v1/setup', payload: body() })
      expect(res.statusCode).toBe(409)
      expect(errorOf(res).code).toBe('COLOPHON_SETUP_NOT_CONFIGURED')
    })

    it('serves two concurrent setups exactly once', async () => {
      const a = untouched()
      await a.setup.prepareAtStart()
      const [r1, r2] = await Promise.all([
        a.server.inject({ method: 'POST', url: '/api/v1/setup', payload: body() }),
        a.server.inject({ method: 'POST', url: '/api/v1/setup', payload: body() }),
      ])
      expect([r1.statusCode, r2.statusCode].sort()).toEqual([201, 409])
      expect(await countRows(a, 'users')).toBe(1)
      expect(await countRows(a, 'sites')).toBe(1)
    })
  })

  describe('without a preset token', () => {
    const tokenless = beforeEachTest(() => startApp({ state: 'empty', config: { setupToken: undefined } }))

    it('without a preset token, issues a random token and keeps it across restarts', async () => {
      const a = tokenless()
      const issued = await a.setup.prepareAtStart()
      expect(issued?.source).toBe('generated')
      expect(issued?.token.length).toBeGreaterThanOrEqual(40)
      // A restart on the same data dir and database reads the same token back.
      expect(await a.setup.prepareAtStart()).toEqual({ token: issued?.token, source: 'file' })
      const res = await a.server.inject({
        method: 'POST',
        url: '/api/v1/setup',
        payload: body({ token: issued?.token }),
      })
      expect(res.statusCode).toBe(201)
    })

    it('replaces the token when the token file is lost, refusing the old one', async () => {
      const a = tokenless()
      const first = await a.setup.prepareAtStart()
      rmSync(a.setup.tokenFilePath)
      const second = await a.setup.prepareAtStart()
      expect(second?.source).toBe('generated')
      expect(second?.token).not.toBe(first?.token)
      const res = await a.server.inject({
        method: 'POST',
        url: '/api/v1/setup',
        payload: body({ token: first?.token }),
      })
      expect(errorOf(res).code).toBe('COLOPHON_SETUP_TOKEN_INVALID')
    })
  })

  describe('migrated, with a token issued', () => {
    const migrated = beforeEachTest(() => startApp({ state: 'migrated' }))

    it('removes the token file once ready', async () => {
      const a = migrated()
      expect(statSync(a.setup.tokenFilePath).isFile()).toBe(true)
      await a.server.inject({ method: 'POST', url: '/api/v1/setup', payload: body() })
      expect(() => statSync(a.setup.tokenFilePath)).toThrow()
    })

    it('refuses a wrong token and changes nothing', async () => {
      const a = migrated()
      const res = await a.server.inject({
        method: 'POST',
        url: '/api/v1/setup',
        payload: body({ token: 'wrong-token-0123456789' }),
      })
      expect(res.statusCode).toBe(403)
      expect(errorOf(res).code).toBe('COLOPHON_SETUP_TOKEN_INVALID')
      expect((await a.setup.systemState()).setup).toBe('configured')
      expect(await countRows(a, 'users')).toBe(0)
    })

    it('refuses invalid admin details with per-field validation errors', async () => {
      const a = migrated()
      const res = await a.server.inject({
        method: 'POST',
        url: '/api/v1/setup',
        payload: body({ admin: { email: 'not-an-email', password: 'short', name: 'X' } }),
      })
      expect(res.statusCode).toBe(400)
      const error = errorOf(res)
      expect(error.code).toBe('COLOPHON_HTTP_VALIDATION_FAILED')
      expect(JSON.stringify(error.details)).toContain('/admin/')
    })
  })

  describe('with three attempts allowed', () => {
    const limited = beforeEachTest(() => startApp({ state: 'migrated', config: { setupRateLimit: 3 } }))

    it('rate limits attempts per client', async () => {
      const a = limited()
      const codes: number[] = []
      for (let i = 0; i < 4; i++) {
        const res = await a.server.inject({
          method: 'POST',
          url: '/api/v1/setup',
          payload: body({ token: `wrong-${i}-0123456789` }),
        })
        codes.push(res.statusCode)
      }
      expect(codes).toEqual([403, 403, 403, 429])
    })
  })

  describe('once ready', () => {
    const ready = beforeEachTest(() => startApp({ state: 'ready' }))

    it('refuses everything once ready, including the token that was used', async () => {
      const a = ready()
      for (const payload of [body(), body({ token: 'anything-else-0123456' })]) {
        const res = await a.server.inject({ method: 'POST', url: '/api/v1/setup', payload })
        expect(res.statusCode).toBe(409)
        expect(errorOf(res).code).toBe('COLOPHON_SETUP_ALREADY_COMPLETE')
      }
      expect(await countRows(a, 'users')).toBe(1)
      // A restart after setup issues no new token.
      expect(await a.setup.prepareAtStart()).toBeNull()
    })
  })
})

describe('setup after a crash', () => {
  for (const step of ['migrated', 'ready'] as const) {
    describe(`right after "${step}"`, () => {
      // The crash is the starting point: the case is what a restart on its database does.
      const crashed = beforeEachTest(async () => {
        const db = await createDatabase('empty')
        const crashing = await createTestApp({
          state: 'empty',
          db,
          deps: {
            afterSetupStep: (s) => {
              if (s === step) throw new Error(`simulated crash after ${s}`)
            },
          },
        })
        await crashing.setup.prepareAtStart()
        const failed = await crashing.server.inject({ method: 'POST', url: '/api/v1/setup', payload: body() })
        await crashing.close()
        return { db, failed }
      })

      it(`resumes to ready without duplicates after a crash right after "${step}"`, async () => {
        const { db, failed } = crashed()
        expect(failed.statusCode).toBe(500)
        expect(errorOf(failed).code).toBe('COLOPHON_INTERNAL_ERROR')

        const restarted = await startApp({ state: 'empty', db })
        const expected = step === 'ready' ? 'ready' : 'migrated'
        expect((await restarted.setup.systemState()).setup).toBe(expected)
        if (step === 'migrated') {
          const res = await restarted.server.inject({ method: 'POST', url: '/api/v1/setup', payload: body() })
          expect(res.statusCode).toBe(201)
        }
        expect((await restarted.setup.systemState()).setup).toBe('ready')
        expect(await countRows(restarted, 'users')).toBe(1)
        expect(await countRows(restarted, 'sites')).toBe(1)
      })
    })
  }

  describe('in the final step', () => {
    const migrated = beforeEachTest(() => startApp({ state: 'migrated' }))

    it('rolls back the whole final step when it fails midway (no admin without a site)', async () => {
      const a = migrated()
      // A main site already holding the slug makes the final insert fail after the admin was inserted.
      await a.db.engine.query(
        `INSERT INTO sites (id, name, slug) VALUES ('00000000-0000-7000-8000-000000000001', 'Old', 'my-cafe')`,
      )
      const res = await a.server.inject({ method: 'POST', url: '/api/v1/setup', payload: body() })
      expect(res.statusCode).toBe(500)
      expect(await countRows(a, 'users')).toBe(0)
      expect((await a.setup.systemState()).setup).toBe('migrated')
    })
  })
})

describe('migrating before the first start', () => {
  const untouched = beforeEachTest(() => startApp({ state: 'empty' }))

  it('applies the schema on an untouched database and leaves setup for later', async () => {
    const a = untouched()
    const result = await a.setup.migrate()
    expect(result.applied.length).toBeGreaterThan(0)
    expect(await a.setup.systemState()).toEqual({
      setup: 'not_configured',
      schema: { current: true, pending: 0, conflict: false },
    })
    await a.setup.prepareAtStart()
    const res = await a.server.inject({ method: 'POST', url: '/api/v1/setup', payload: body() })
    expect(res.statusCode).toBe(201)
  })
})

describe('create-admin without a token', () => {
  const untouched = beforeEachTest(() => startApp({ state: 'empty' }))

  it('completes setup when it is not done, then adds further network admins', async () => {
    const a = untouched()
    const first = await a.setup.createAdminUnattended({ admin: ADMIN, site: { name: 'Main' } })
    expect(first.site?.slug).toBe('main')
    expect((await a.setup.systemState()).setup).toBe('ready')
    const second = await a.setup.createAdminUnattended({
      admin: { ...ADMIN, email: 'second@example.com' },
      site: { name: 'ignored' },
    })
    expect(second.site).toBeNull()
    expect(await countRows(a, 'users')).toBe(2)
    await expect(
      a.setup.createAdminUnattended({
        admin: { ...ADMIN, email: 'ADMIN@example.com' },
        site: { name: 'x' },
      }),
    ).rejects.toMatchObject({
      code: 'COLOPHON_USERS_EMAIL_TAKEN',
    })
  })
})

describe('database update required', () => {
  const extra: MigrationFile = (() => {
    const sql = 'CREATE TABLE upgrade_probe (id uuid PRIMARY KEY);'
    return { id: '9999_upgrade-probe', sql, checksum: checksumOf(sql) }
  })()
  const upgraded = [...readMigrationFiles(), extra]

  async function upgradedApp(): Promise<TestApp> {
    const db = await createTestDatabase('migrated')
    const before = await createTestApp({ db })
    await before.setup.completeSetup({ token: TEST_SETUP_TOKEN, admin: ADMIN, site: { name: 'Main' } })
    await before.server.close()
    const after = await startApp({ db, deps: { migrations: upgraded } })
    apps.push({ ...after, close: async () => db.destroy() } as TestApp)
    return after
  }

  describe('after an upgrade, once set up', () => {
    const upgraded = beforeEachTest(upgradedApp)

    it('reports it on /ready, answers the API with a coded 503 and the public site with a 503 page', async () => {
      const a = upgraded()
      const ready = await a.server.inject({ method: 'GET', url: '/ready' })
      expect(ready.statusCode).toBe(503)
      expect(ready.json()).toMatchObject({
        status: 'not_ready',
        checks: { schema: 'behind (1 pending)', setup: 'ready' },
      })

      const api = await a.server.inject({ method: 'GET', url: '/api/v1/anything' })
      expect(api.statusCode).toBe(503)
      expect(errorOf(api)).toMatchObject({
        code: 'COLOPHON_SETUP_MIGRATION_REQUIRED',
        details: { pendingMigrations: 1 },
      })

      const page = await a.server.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } })
      expect(page.statusCode).toBe(503)
      expect(page.headers['content-type']).toContain('text/html')
      expect(page.body).toContain('Database update required')
      expect(page.headers['retry-after']).toBe('30')

      expect((await a.server.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200)
      expect((await a.server.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toMatchObject({
        state: 'ready',
        schema: { current: false, pending: 1 },
      })
    })

    it('does not migrate implicitly: a restart leaves the schema behind', async () => {
      const a = upgraded()
      await a.setup.prepareAtStart()
      expect((await a.setup.systemState()).schema).toEqual({ current: false, pending: 1, conflict: false })
    })

    it('refuses the update to anyone but a signed-in holder of network.settings.manage', async () => {
      const a = upgraded()
      const anonymous = await a.server.inject({
        method: 'POST',
        url: '/api/v1/setup/migrations',
        payload: {},
      })
      expect(anonymous.statusCode).toBe(401)
      expect(errorOf(anonymous).code).toBe('COLOPHON_AUTH_REQUIRED')
      // The old password-in-body form is no way in: it is not a session, and unknown properties are refused.
      const withPassword = await a.server.inject({
        method: 'POST',
        url: '/api/v1/setup/migrations',
        payload: { email: ADMIN.email, password: ADMIN.password },
      })
      expect(withPassword.statusCode).toBe(401)
      const editor = await signIn(a, await createUser(a, { siteRole: 'editor' }))
      const refused = await editor.request({ method: 'POST', url: '/api/v1/setup/migrations', payload: {} })
      expect(refused.statusCode).toBe(403)
      expect(errorOf(refused).code).toBe('COLOPHON_AUTH_FORBIDDEN')
      expect((await a.setup.systemState()).schema.pending).toBe(1)
    })

    it('lets a signed-in network admin dry-run, then apply it; the site serves again', async () => {
      const a = upgraded()
      // Signing in stays possible while the update is pending.
      const admin = await signInAdmin(a)
      const dry = await admin.request({
        method: 'POST',
        url: '/api/v1/setup/migrations',
        payload: { dryRun: true },
      })
      expect(dry.statusCode).toBe(200)
      expect(dry.json()).toMatchObject({
        applied: [extra.id],
        dryRun: true,
        schema: { current: false, pending: 1 },
      })

      // Statements the node prepared before the update are prepared afresh after it (ADR 0015).
      let forgotten = 0
      const engine = a.db.appEngine
      const forget = engine.forgetPreparedStatements.bind(engine)
      engine.forgetPreparedStatements = () => {
        forgotten += 1
        forget()
      }
      const applied = await admin.request({ method: 'POST', url: '/api/v1/setup/migrations', payload: {} })
      expect(applied.statusCode).toBe(200)
      expect(applied.json()).toMatchObject({
        applied: [extra.id],
        dryRun: false,
        schema: { current: true, pending: 0 },
      })
      expect((await a.server.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200)
      const api = await a.server.inject({ method: 'GET', url: '/api/v1/anything' })
      expect(errorOf(api).code).toBe('COLOPHON_HTTP_NOT_FOUND')
      expect(forgotten).toBe(1)
      const [audit] = await a.db.engine.query<{ action: string }>(
        "SELECT action FROM audit_log WHERE action = 'setup.database.update'",
      )
      expect(audit?.action).toBe('setup.database.update')
    })
  })

  describe('before setup', () => {
    const migrated = beforeEachTest(() => startApp({ state: 'migrated' }))

    it('refuses the update endpoint before setup is complete (nobody can be signed in)', async () => {
      const a = migrated()
      const res = await a.server.inject({ method: 'POST', url: '/api/v1/setup/migrations', payload: {} })
      expect(res.statusCode).toBe(401)
      expect(errorOf(res).code).toBe('COLOPHON_AUTH_REQUIRED')
    })
  })
})

describe('before setup', () => {
  const migrated = beforeEachTest(() => startApp({ state: 'migrated' }))

  it('answers the API with COLOPHON_SETUP_REQUIRED and pages with a setup notice', async () => {
    const a = migrated()
    const api = await a.server.inject({ method: 'GET', url: '/api/v1/sites' })
    expect(api.statusCode).toBe(503)
    expect(errorOf(api).code).toBe('COLOPHON_SETUP_REQUIRED')
    const page = await a.server.inject({ method: 'GET', url: '/some/page' })
    expect(page.statusCode).toBe(503)
    expect(page.body).toContain('not set up yet')
  })
})
