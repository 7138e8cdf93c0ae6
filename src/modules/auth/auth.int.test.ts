import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, createTestApp, errorOf, queryCount, type TestApp } from '../../../test/harness/test-app.ts'
import { PASSWORD, createUser, signIn, signInAdmin } from '../../../test/harness/identity.ts'

let app: TestApp
beforeAll(async () => {
  app = await createTestApp()
})
afterAll(() => app?.close())

describe('sign-in and sessions', () => {
  it('signs the network admin in and answers /auth/me', async () => {
    const session = await signInAdmin(app)
    const me = await session.request({ method: 'GET', url: '/api/v1/auth/me' })
    expect(me.statusCode).toBe(200)
    expect(me.json().user.email).toBe(ADMIN.email)
    expect(me.json().capabilities).toContain('network.users.manage')
    expect(queryCount(me)).toBeLessThanOrEqual(3)
  })

  it('gives the same reply for an unknown email and a wrong password', async () => {
    const user = await createUser(app)
    const unknown = await app.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'nobody@example.com', password: 'whatever-password' },
    })
    const wrong = await app.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: 'whatever-password' },
    })
    expect(unknown.statusCode).toBe(401)
    expect(wrong.statusCode).toBe(401)
    const a = errorOf(unknown)
    const b = errorOf(wrong)
    expect([a.code, a.message]).toEqual([b.code, b.message])
    expect(a.code).toBe('COLOPHON_AUTH_INVALID_CREDENTIALS')
  })

  it('refuses a cookie-authenticated POST without the CSRF header', async () => {
    const user = await createUser(app)
    const session = await signIn(app, user)
    const res = await session.request({ method: 'POST', url: '/api/v1/auth/logout', csrf: false })
    expect(res.statusCode).toBe(403)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_CSRF_INVALID')
    const ok = await session.request({ method: 'POST', url: '/api/v1/auth/logout' })
    expect(ok.statusCode).toBe(200)
    const after = await session.request({ method: 'GET', url: '/api/v1/auth/me' })
    expect(after.statusCode).toBe(401)
  })
})

describe('session lifetime and revocation', () => {
  it('lists my sessions with device and address, and ends one of them', async () => {
    const user = await createUser(app)
    const laptop = await signIn(app, user)
    const phone = await signIn(app, user)
    const list = await laptop.request({ method: 'GET', url: '/api/v1/auth/sessions' })
    expect(list.statusCode).toBe(200)
    const items = list.json().items as { id: string; current: boolean; ip: string; device: string }[]
    expect(items).toHaveLength(2)
    expect(items.filter((s) => s.current)).toHaveLength(1)
    expect(items[0]?.ip).toBe('127.0.0.1')
    const other = items.find((s) => !s.current)
    const ended = await laptop.request({ method: 'DELETE', url: `/api/v1/auth/sessions/${other?.id}` })
    expect(ended.statusCode).toBe(200)
    expect((await phone.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401)
    expect((await laptop.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(200)
  })

  it('cannot end somebody else’s session', async () => {
    const alice = await signIn(app, await createUser(app))
    const bob = await signIn(app, await createUser(app))
    const bobs = (await bob.request({ method: 'GET', url: '/api/v1/auth/sessions' })).json().items[0].id
    const res = await alice.request({ method: 'DELETE', url: `/api/v1/auth/sessions/${bobs}` })
    expect(res.statusCode).toBe(404)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_SESSION_NOT_FOUND')
    expect((await bob.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(200)
  })

  it('revokes every session on logout-all', async () => {
    const user = await createUser(app)
    const a = await signIn(app, user)
    const b = await signIn(app, user)
    const res = await a.request({ method: 'POST', url: '/api/v1/auth/logout-all' })
    expect(res.json()).toEqual({ revoked: 2 })
    for (const s of [a, b])
      expect((await s.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401)
  })

  it('expires sessions when idle and at their absolute end', async () => {
    const idle = await signIn(app, await createUser(app))
    await app.db.engine.query(
      "UPDATE user_sessions SET last_seen_at = now() - interval '169 hours' WHERE user_id = $1",
      [idle.userId],
    )
    expect((await idle.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401)
    const old = await signIn(app, await createUser(app))
    await app.db.engine.query(
      "UPDATE user_sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1",
      [old.userId],
    )
    const res = await old.request({ method: 'GET', url: '/api/v1/auth/me' })
    expect(res.statusCode).toBe(401)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_REQUIRED')
    // Signing in again clears the user's dead sessions.
    const [user] = await app.db.engine.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [
      old.userId,
    ])
    await signIn(app, { email: user?.email as string, password: PASSWORD })
    const rows = await app.db.engine.query('SELECT id FROM user_sessions WHERE user_id = $1', [old.userId])
    expect(rows).toHaveLength(1)
  })

  it('changes my password with the current one, signing out my other sessions only', async () => {
    const user = await createUser(app)
    const here = await signIn(app, user)
    const elsewhere = await signIn(app, user)
    const wrong = await here.request({
      method: 'POST',
      url: '/api/v1/auth/password',
      payload: { currentPassword: 'not my password', newPassword: 'a brand new passphrase' },
    })
    expect(errorOf(wrong).code).toBe('COLOPHON_AUTH_INVALID_CREDENTIALS')
    const weak = await here.request({
      method: 'POST',
      url: '/api/v1/auth/password',
      payload: { currentPassword: user.password, newPassword: 'password123' },
    })
    expect(weak.statusCode).toBe(400)
    expect(errorOf(weak)).toMatchObject({
      code: 'COLOPHON_AUTH_PASSWORD_WEAK',
      details: { reason: 'too_common' },
    })
    const ok = await here.request({
      method: 'POST',
      url: '/api/v1/auth/password',
      payload: { currentPassword: user.password, newPassword: 'a brand new passphrase' },
    })
    expect(ok.statusCode).toBe(200)
    expect((await elsewhere.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401)
    // The old cookie of this browser was revoked too; the reply carried new cookies.
    expect((await here.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401)
    const again = await signIn(app, { email: user.email, password: 'a brand new passphrase' })
    expect((await again.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(200)
  })

  it('confines a user who must change their password to doing that first', async () => {
    const user = await createUser(app, { mustChangePassword: true, siteRole: 'editor' })
    const session = await signIn(app, user)
    const me = await session.request({ method: 'GET', url: '/api/v1/auth/me' })
    expect(me.json().restriction).toBe('change_password')
    const blocked = await session.request({ method: 'GET', url: '/api/v1/auth/sessions' })
    expect(blocked.statusCode).toBe(403)
    expect(errorOf(blocked).code).toBe('COLOPHON_AUTH_PASSWORD_CHANGE_REQUIRED')
  })

  it('records sign-ins and failures in the audit log without the password', async () => {
    const user = await createUser(app)
    await app.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: 'a wrong guess 123' },
    })
    await signIn(app, user)
    const rows = await app.db.engine.query<{ action: string; summary: unknown; ip: string }>(
      "SELECT action, summary, ip FROM audit_log WHERE target_id = $1 OR summary->>'email' = $2 ORDER BY id",
      [user.id, user.email],
    )
    expect(rows.map((r) => r.action)).toEqual(['auth.login.fail', 'auth.login'])
    expect(rows[0]?.ip).toBe('127.0.0.1')
    expect(JSON.stringify(rows)).not.toContain('a wrong guess')
    expect(JSON.stringify(rows)).not.toContain(user.password)
  })
})

describe('brute-force protection', () => {
  let limited: TestApp
  beforeAll(async () => {
    limited = await createTestApp({ config: { authRateLimit: 5, authAccountRateLimit: 3 } })
  })
  afterAll(() => limited?.close())

  const attempt = (email: string, forwardedFor?: string) =>
    limited.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: 'guessing 1234' },
      headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
    })

  it('limits attempts per account, whatever address they claim to come from', async () => {
    const codes: number[] = []
    for (let i = 0; i < 4; i++)
      codes.push((await attempt('victim@example.com', `198.51.100.${i}`)).statusCode)
    expect(codes).toEqual([401, 401, 401, 429])
    const res = await attempt('victim@example.com', '203.0.113.77')
    expect(errorOf(res).code).toBe('COLOPHON_HTTP_RATE_LIMITED')
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
  })

  it('limits attempts per client, and a spoofed X-Forwarded-For does not reset the count', async () => {
    // The test above already made five attempts from this client, each claiming another address: the
    // client's limit is spent, and new addresses in X-Forwarded-For (no proxy is trusted) do not help,
    // even for accounts never tried before.
    for (const spoof of ['192.0.2.2', '10.0.0.1', '127.0.0.2']) {
      const res = await attempt(`other-${spoof}@example.com`, spoof)
      expect(res.statusCode).toBe(429)
    }
  })
})

describe('schema behind', () => {
  it('answers a coded 503, not a 500, when a table the request needs does not exist yet', async () => {
    const broken = await createTestApp()
    try {
      await broken.db.engine.query('DROP TABLE user_totp')
      const res = await broken.server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: ADMIN.email, password: ADMIN.password },
      })
      expect(res.statusCode).toBe(503)
      expect(errorOf(res).code).toBe('COLOPHON_DB_SCHEMA_BEHIND')
    } finally {
      await broken.close()
    }
  })
})

describe('cookies', () => {
  const login = (target: TestApp, headers: Record<string, string> = {}) =>
    target.server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: ADMIN.email, password: ADMIN.password },
      headers,
    })

  it('sets an HttpOnly, SameSite=Lax session cookie and a readable CSRF cookie', async () => {
    const res = await login(app)
    const session = res.cookies.find((c) => c.name === 'colophon_session')
    const csrf = res.cookies.find((c) => c.name === 'colophon_csrf')
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' })
    expect(csrf?.httpOnly).toBeFalsy()
    expect(csrf?.value).toBe(res.json().csrfToken)
    // Plain HTTP without a trusted proxy: not Secure, and a forged X-Forwarded-Proto changes nothing.
    expect(session?.secure).toBeFalsy()
    const forged = await login(app, { 'x-forwarded-proto': 'https' })
    expect(forged.cookies.find((c) => c.name === 'colophon_session')?.secure).toBeFalsy()
  })

  it('marks cookies Secure when a trusted proxy says the client used HTTPS', async () => {
    const proxied = await createTestApp({ config: { trustProxy: ['127.0.0.1'] } })
    try {
      const res = await login(proxied, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.5' })
      for (const name of ['colophon_session', 'colophon_csrf']) {
        expect(res.cookies.find((c) => c.name === name)?.secure, name).toBe(true)
      }
      // The audit trail records the client's address given by the trusted proxy.
      const [row] = await proxied.db.engine.query<{ ip: string }>(
        "SELECT ip FROM audit_log WHERE action = 'auth.login' ORDER BY id DESC LIMIT 1",
      )
      expect(row?.ip).toBe('203.0.113.5')
    } finally {
      await proxied.close()
    }
  })
})
