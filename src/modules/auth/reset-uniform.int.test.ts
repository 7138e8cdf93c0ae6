import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, queryCount, type TestApp } from '../../../test/harness/test-app.ts'
import { createUser, signInAdmin, type Session } from '../../../test/harness/identity.ts'
import { mailTo } from '../../../test/harness/mail.ts'
import { createCtx } from '../../platform/access/index.ts'
import { newQueryStats, withQueryStats } from '../../platform/db/index.ts'
import { createResetService, PASSWORD_RESET_QUEUE } from './index.ts'

/**
 * A reset request must not tell whether an account exists, by its reply nor by its timing (ADR 0005):
 * the request does the same work for every address (it queues one job), and the job does the rest. No
 * wall-clock assertion here: the statements themselves are compared (bench/auth.bench.ts measures time).
 */

let app: TestApp
let admin: Session

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 1000, authAccountRateLimit: 1000 } })
  admin = await signInAdmin(app)
})
afterAll(() => app?.close())

const anonymousFrom = (ip: string) =>
  createCtx({
    orm: app.db.engine.orm,
    actor: { kind: 'anonymous' },
    ip,
    userAgent: 'test',
    log: app.server.log,
  })

async function rowsAbout(userId: string) {
  const [tokens] = await app.db.engine.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM user_tokens WHERE user_id = $1 AND purpose = 'password_reset'`,
    [userId],
  )
  const audit = await app.db.engine.query<{ action: string; ip: string | null }>(
    `SELECT action, ip FROM audit_log WHERE target_id = $1 AND action = 'auth.password_reset.request'`,
    [userId],
  )
  return { tokens: Number(tokens?.n), audit }
}

describe('a password-reset request', () => {
  it('runs the same statements for a known and an unknown address, and leaves the lookup to its job', async () => {
    const service = createResetService({
      mailer: app.mailer,
      jobs: app.jobs,
      baseUrl: 'https://cms.example.test',
    })
    const statementsOf = async (email: string) => {
      const stats = { ...newQueryStats(), statements: [] as string[] }
      await withQueryStats(stats, () => service.requestReset(anonymousFrom('192.0.2.10'), { email }))
      return stats.statements
    }
    // The first job of a queue loads pg-boss's queue cache: not something either address causes.
    await statementsOf('warm-up@example.com')
    const user = await createUser(app)
    const unknownAddress = `nobody-${user.id}@example.com`

    const known = await statementsOf(user.email)
    const unknown = await statementsOf(unknownAddress)
    expect(known.length).toBeGreaterThan(0)
    expect(unknown).toEqual(known)
    // Nothing that depends on the account happened in the request.
    expect(await rowsAbout(user.id)).toEqual({ tokens: 0, audit: [] })

    // Its job looked the address up, issued the token, audited and queued the mail.
    expect(await mailTo(app, admin, user.email)).toHaveLength(1)
    expect(await mailTo(app, admin, unknownAddress)).toEqual([])
    expect(await rowsAbout(user.id)).toEqual({
      tokens: 1,
      audit: [{ action: 'auth.password_reset.request', ip: '192.0.2.10' }],
    })
  })

  it('costs the same number of queries over HTTP, and queues one job that network admins alone see', async () => {
    const user = await createUser(app)
    const ask = (email: string, from: string) =>
      app.server.inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset',
        payload: { email },
        remoteAddress: from,
      })
    await ask('warm-up-http@example.com', '192.0.2.20')
    const known = await ask(user.email, '192.0.2.21')
    const unknown = await ask(`nobody-${user.id}@example.com`, '192.0.2.22')
    expect([known.statusCode, unknown.statusCode]).toEqual([202, 202])
    expect(queryCount(unknown)).toBe(queryCount(known))

    const jobs = await app.db.engine.query<{ site_id: string | null; actor_kind: string; data: unknown }>(
      `SELECT site_id, actor_kind, data FROM jobs WHERE queue = $1 AND data->>'email' = $2`,
      [PASSWORD_RESET_QUEUE, user.email],
    )
    expect(jobs).toEqual([
      {
        site_id: null,
        actor_kind: 'anonymous',
        data: { email: user.email, ip: '192.0.2.21', userAgent: 'lightMyRequest' },
      },
    ])
    await app.mailer.flush()
    expect((await rowsAbout(user.id)).audit).toEqual([
      { action: 'auth.password_reset.request', ip: '192.0.2.21' },
    ])
  })
})
