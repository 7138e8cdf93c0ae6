import { randomInt } from 'node:crypto'
import { generate } from 'otplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, type TestApp } from '../../../test/harness/test-app.ts'
import {
  cookiesOf,
  createUser,
  sessionFrom,
  signIn,
  signInAdmin,
  type Session,
  type TestUser,
} from '../../../test/harness/identity.ts'
import { totpCodeFor } from '../../../test/harness/totp.ts'

let app: TestApp
beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
})
afterAll(() => app?.close())

/** Every secret, code and challenge the tests see: none may ever reach the audit log. */
const secrets: string[] = []
const totpCodes: string[] = []

/** A real code for the current step plus `offset`, remembered so that the audit test can look for it. */
async function codeFor(secret: string, offset = 0): Promise<string> {
  const code = await totpCodeFor(secret, offset)
  totpCodes.push(code)
  return code
}

/** A 6-digit code that is valid in none of the accepted steps. */
async function wrongCodeFor(secret: string): Promise<string> {
  const epoch = Math.floor(Date.now() / 1000)
  const valid = new Set(
    await Promise.all([-2, -1, 0, 1, 2].map((o) => generate({ secret, epoch: epoch + o * 30 }))),
  )
  let code: string
  do code = String(randomInt(1_000_000)).padStart(6, '0')
  while (valid.has(code))
  return code
}

interface Enrolled {
  user: TestUser
  session: Session
  secret: string
  recoveryCodes: string[]
}

/** Signs a new user in, enrols them (confirming with the code of the previous step), keeps the session. */
async function enrolledUser(options: { siteRole?: string } = {}): Promise<Enrolled> {
  const user = await createUser(app, options)
  const session = await signIn(app, user)
  const setup = await session.request({ method: 'POST', url: '/api/v1/auth/2fa/setup' })
  expect(setup.statusCode, setup.body).toBe(200)
  const secret = setup.json().secret as string
  secrets.push(secret)
  const confirm = await session.request({
    method: 'POST',
    url: '/api/v1/auth/2fa/confirm',
    payload: { code: await codeFor(secret, -1) },
  })
  expect(confirm.statusCode, confirm.body).toBe(200)
  const recoveryCodes = confirm.json().recoveryCodes as string[]
  secrets.push(...recoveryCodes)
  return { user, session, secret, recoveryCodes }
}

function login(user: TestUser) {
  return app.server.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: user.email, password: user.password },
  })
}

async function passwordStep(user: TestUser): Promise<string> {
  const res = await login(user)
  expect(res.statusCode, res.body).toBe(200)
  expect(res.json().status).toBe('2fa_required')
  const challenge = res.json().challenge as string
  secrets.push(challenge)
  return challenge
}

function secondStep(payload: Record<string, string>) {
  return app.server.inject({ method: 'POST', url: '/api/v1/auth/2fa', payload })
}

describe('enrolment', () => {
  it('gives a secret with its otpauth URI and SVG QR code, then confirms with a code and shows ten recovery codes once', async () => {
    const user = await createUser(app)
    const here = await signIn(app, user)
    const elsewhere = await signIn(app, user)
    const setup = await here.request({ method: 'POST', url: '/api/v1/auth/2fa/setup' })
    expect(setup.statusCode).toBe(200)
    expect(setup.headers['cache-control']).toBe('no-store')
    const { secret, otpauthUri, qrCode } = setup.json() as {
      secret: string
      otpauthUri: string
      qrCode: string
    }
    secrets.push(secret)
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(otpauthUri).toBe(
      `otpauth://totp/Colophon:${encodeURIComponent(user.email)}?secret=${secret}&issuer=Colophon`,
    )
    expect(qrCode).toMatch(/^data:image\/svg\+xml;base64,/)
    expect(Buffer.from(qrCode.split(',')[1] as string, 'base64').toString()).toContain('<svg')

    const wrong = await here.request({
      method: 'POST',
      url: '/api/v1/auth/2fa/confirm',
      payload: { code: await wrongCodeFor(secret) },
    })
    expect(wrong.statusCode).toBe(401)
    expect(errorOf(wrong).code).toBe('COLOPHON_AUTH_2FA_CODE_INVALID')
    // Still signed in: a wrong enrolment code is not a sign-out.
    expect((await here.request({ method: 'GET', url: '/api/v1/auth/me' })).json().twoFactor.enabled).toBe(
      false,
    )

    const confirm = await here.request({
      method: 'POST',
      url: '/api/v1/auth/2fa/confirm',
      payload: { code: await codeFor(secret) },
    })
    expect(confirm.statusCode).toBe(200)
    expect(confirm.headers['cache-control']).toBe('no-store')
    const codes = confirm.json().recoveryCodes as string[]
    secrets.push(...codes)
    expect(codes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/)

    const stored = await app.db.engine.query<{ code_hash: string }>(
      'SELECT code_hash FROM user_recovery_codes WHERE user_id = $1',
      [user.id],
    )
    expect(stored).toHaveLength(10)
    for (const row of stored)
      for (const code of codes) expect(row.code_hash).not.toContain(code.replace('-', ''))

    // Other sessions did not pass the second factor: signed out. This one stays.
    expect((await elsewhere.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401)
    const me = await here.request({ method: 'GET', url: '/api/v1/auth/me' })
    expect(me.json().twoFactor).toEqual({ enabled: true, required: false })

    for (const url of ['/api/v1/auth/2fa/setup', '/api/v1/auth/2fa/confirm']) {
      const again = await here.request({ method: 'POST', url, payload: { code: await codeFor(secret, 1) } })
      expect(again.statusCode, url).toBe(409)
      expect(errorOf(again).code).toBe('COLOPHON_AUTH_2FA_ALREADY_ENABLED')
    }
  })

  it('refuses to confirm before a setup was started', async () => {
    const session = await signIn(app, await createUser(app))
    const res = await session.request({
      method: 'POST',
      url: '/api/v1/auth/2fa/confirm',
      payload: { code: '123456' },
    })
    expect(res.statusCode).toBe(409)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_2FA_SETUP_REQUIRED')
  })
})

describe('signing in with a second factor', () => {
  it('grants nothing for the password step alone: no cookie, and the challenge is no credential', async () => {
    const { user } = await enrolledUser()
    const res = await login(user)
    expect(res.statusCode).toBe(200)
    expect(res.json().status).toBe('2fa_required')
    expect(cookiesOf(res).colophon_session).toBeUndefined()
    expect(res.headers['set-cookie']).toBeUndefined()
    const challenge = res.json().challenge as string
    secrets.push(challenge)

    const asCookie = await app.server.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: `colophon_session=${challenge}` },
    })
    expect(asCookie.statusCode).toBe(401)
    expect(errorOf(asCookie).code).toBe('COLOPHON_AUTH_REQUIRED')
    const asBearer = await app.server.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${challenge}` },
    })
    expect(asBearer.statusCode).toBe(401)
    expect(errorOf(asBearer).code).toBe('COLOPHON_AUTH_KEY_INVALID')
    const enrolAnew = await app.server.inject({
      method: 'POST',
      url: '/api/v1/auth/2fa/setup',
      headers: { cookie: `colophon_session=${challenge}`, 'x-csrf-token': challenge },
    })
    expect(enrolAnew.statusCode).toBe(401)
  })

  it('opens a session for the right code, and the challenge cannot be used again', async () => {
    const { user, secret } = await enrolledUser()
    const challenge = await passwordStep(user)
    const ok = await secondStep({ challenge, code: await codeFor(secret) })
    expect(ok.statusCode, ok.body).toBe(200)
    expect(ok.json()).toMatchObject({ status: 'authenticated', user: { id: user.id } })
    const session = sessionFrom(app, ok, user.id)
    expect((await session.request({ method: 'GET', url: '/api/v1/auth/sessions' })).statusCode).toBe(200)

    const reused = await secondStep({ challenge, code: await codeFor(secret, 1) })
    expect(reused.statusCode).toBe(401)
    expect(errorOf(reused).code).toBe('COLOPHON_AUTH_CHALLENGE_INVALID')
    const unknown = await secondStep({ challenge: 'not-a-challenge', code: await codeFor(secret, 1) })
    expect(errorOf(unknown).code).toBe('COLOPHON_AUTH_CHALLENGE_INVALID')

    const [audit] = await app.db.engine.query<{ actor_id: string; summary: { method: string } }>(
      "SELECT actor_id, summary FROM audit_log WHERE action = 'auth.login' AND target_id = $1 AND summary->>'method' <> 'password'",
      [user.id],
    )
    expect(audit).toMatchObject({ actor_id: user.id, summary: { method: 'totp' } })
  })

  it('refuses a code replayed on a fresh challenge', async () => {
    const { user, secret } = await enrolledUser()
    const code = await codeFor(secret)
    expect((await secondStep({ challenge: await passwordStep(user), code })).statusCode).toBe(200)
    const fresh = await passwordStep(user)
    const replay = await secondStep({ challenge: fresh, code })
    expect(replay.statusCode).toBe(401)
    expect(errorOf(replay).code).toBe('COLOPHON_AUTH_2FA_CODE_INVALID')
    // The next step's code still works on that challenge: only the used step is burnt.
    expect((await secondStep({ challenge: fresh, code: await codeFor(secret, 1) })).statusCode).toBe(200)
  })

  it('accepts a recovery code once, in any case and with or without its dash', async () => {
    const { user, recoveryCodes } = await enrolledUser()
    const code = recoveryCodes[3] as string
    const first = await secondStep({ challenge: await passwordStep(user), recoveryCode: code.toUpperCase() })
    expect(first.statusCode, first.body).toBe(200)
    const again = await secondStep({
      challenge: await passwordStep(user),
      recoveryCode: code.replace('-', ''),
    })
    expect(again.statusCode).toBe(401)
    expect(errorOf(again).code).toBe('COLOPHON_AUTH_2FA_CODE_INVALID')
    const [used] = await app.db.engine.query<{ n: number | string }>(
      'SELECT count(*) AS n FROM user_recovery_codes WHERE user_id = $1 AND used_at IS NOT NULL',
      [user.id],
    )
    expect(Number(used?.n)).toBe(1)
    const [login] = await app.db.engine.query<{ summary: { method: string } }>(
      "SELECT summary FROM audit_log WHERE action = 'auth.login' AND target_id = $1 AND summary->>'method' <> 'password'",
      [user.id],
    )
    expect(login?.summary.method).toBe('recovery_code')
  })

  it('kills the challenge after five wrong codes', async () => {
    const { user, secret } = await enrolledUser()
    const challenge = await passwordStep(user)
    for (let i = 0; i < 5; i++) {
      const res = await secondStep({ challenge, code: await wrongCodeFor(secret) })
      expect(res.statusCode).toBe(401)
      expect(errorOf(res).code).toBe('COLOPHON_AUTH_2FA_CODE_INVALID')
    }
    const right = await secondStep({ challenge, code: await codeFor(secret) })
    expect(right.statusCode).toBe(401)
    expect(errorOf(right).code).toBe('COLOPHON_AUTH_CHALLENGE_INVALID')
    const failures = await app.db.engine.query(
      "SELECT 1 FROM audit_log WHERE action = 'auth.login.fail' AND target_id = $1",
      [user.id],
    )
    expect(failures).toHaveLength(5)
    // A new password step gives a new challenge, and the code the dead one refused still works.
    expect(
      (await secondStep({ challenge: await passwordStep(user), code: await codeFor(secret) })).statusCode,
    ).toBe(200)
  })

  it('refuses an expired challenge', async () => {
    const { user, secret } = await enrolledUser()
    const challenge = await passwordStep(user)
    await app.db.engine.query(
      "UPDATE auth_challenges SET expires_at = now() - interval '1 second' WHERE user_id = $1",
      [user.id],
    )
    const res = await secondStep({ challenge, code: await codeFor(secret) })
    expect(res.statusCode).toBe(401)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_CHALLENGE_INVALID')
  })

  it('refuses a body with both kinds of code, or neither', async () => {
    for (const payload of [
      { challenge: 'x', code: '123456', recoveryCode: 'abcde-fghjk' },
      { challenge: 'x' },
      { challenge: 'x', code: 123456 },
    ]) {
      const res = await app.server.inject({ method: 'POST', url: '/api/v1/auth/2fa', payload })
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
      expect(errorOf(res).code).toBe('COLOPHON_HTTP_VALIDATION_FAILED')
    }
  })
})

describe('managing 2FA', () => {
  it('turns 2FA off only with both the password and a code', async () => {
    const { user, session, secret, recoveryCodes } = await enrolledUser()
    const wrongPassword = await session.request({
      method: 'POST',
      url: '/api/v1/auth/2fa/disable',
      payload: { password: 'not the password', code: await codeFor(secret) },
    })
    expect(wrongPassword.statusCode).toBe(401)
    expect(errorOf(wrongPassword).code).toBe('COLOPHON_AUTH_INVALID_CREDENTIALS')
    const wrongCode = await session.request({
      method: 'POST',
      url: '/api/v1/auth/2fa/disable',
      payload: { password: user.password, code: await wrongCodeFor(secret) },
    })
    expect(wrongCode.statusCode).toBe(401)
    expect(errorOf(wrongCode).code).toBe('COLOPHON_AUTH_2FA_CODE_INVALID')
    const missingCode = await session.request({
      method: 'POST',
      url: '/api/v1/auth/2fa/disable',
      payload: { password: user.password },
    })
    expect(missingCode.statusCode).toBe(400)
    expect(errorOf(missingCode).code).toBe('COLOPHON_HTTP_VALIDATION_FAILED')
    expect((await login(user)).json().status).toBe('2fa_required')

    const ok = await session.request({
      method: 'POST',
      url: '/api/v1/auth/2fa/disable',
      payload: { password: user.password, code: recoveryCodes[0] },
    })
    expect(ok.statusCode, ok.body).toBe(200)
    expect((await login(user)).json().status).toBe('authenticated')
    const left = await app.db.engine.query(
      'SELECT 1 FROM user_totp WHERE user_id = $1 UNION ALL SELECT 1 FROM user_recovery_codes WHERE user_id = $1',
      [user.id],
    )
    expect(left).toHaveLength(0)
    const again = await session.request({
      method: 'POST',
      url: '/api/v1/auth/2fa/disable',
      payload: { password: user.password, code: '123456' },
    })
    expect(again.statusCode).toBe(409)
    expect(errorOf(again).code).toBe('COLOPHON_AUTH_2FA_NOT_ENABLED')
  })

  it('replaces the recovery codes, and the old ones stop working', async () => {
    const { user, session, secret, recoveryCodes } = await enrolledUser()
    const res = await session.request({
      method: 'POST',
      url: '/api/v1/auth/2fa/recovery-codes',
      payload: { password: user.password, code: await codeFor(secret) },
    })
    expect(res.statusCode, res.body).toBe(200)
    const fresh = res.json().recoveryCodes as string[]
    secrets.push(...fresh)
    expect(fresh).toHaveLength(10)
    expect(fresh.some((c) => recoveryCodes.includes(c))).toBe(false)
    const old = await secondStep({
      challenge: await passwordStep(user),
      recoveryCode: recoveryCodes[1] as string,
    })
    expect(errorOf(old).code).toBe('COLOPHON_AUTH_2FA_CODE_INVALID')
    const ok = await secondStep({ challenge: await passwordStep(user), recoveryCode: fresh[0] as string })
    expect(ok.statusCode).toBe(200)
  })

  it('lets a network admin reset a user’s 2FA, signing out all their sessions, with an audit row', async () => {
    const { user, session } = await enrolledUser()
    const admin = await signInAdmin(app)
    const siteAdmin = await signIn(app, await createUser(app, { siteRole: 'administrator' }))
    const refused = await siteAdmin.request({ method: 'POST', url: `/api/v1/users/${user.id}/2fa/reset` })
    expect(refused.statusCode).toBe(403)
    expect(errorOf(refused).code).toBe('COLOPHON_AUTH_FORBIDDEN')

    const res = await admin.request({ method: 'POST', url: `/api/v1/users/${user.id}/2fa/reset` })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({ revoked: 1 })
    const old = await session.request({ method: 'GET', url: '/api/v1/auth/me' })
    expect(old.statusCode).toBe(401)
    expect(errorOf(old).code).toBe('COLOPHON_AUTH_REQUIRED')
    expect((await login(user)).json().status).toBe('authenticated')

    const rows = await app.db.engine.query<{ actor_id: string; target_type: string; summary: unknown }>(
      "SELECT actor_id, target_type, summary FROM audit_log WHERE action = 'auth.2fa.reset' AND target_id = $1",
      [user.id],
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      actor_id: admin.userId,
      target_type: 'user',
      summary: { wasEnabled: true, sessionsRevoked: 1 },
    })

    const missing = await admin.request({
      method: 'POST',
      url: '/api/v1/users/00000000-0000-7000-8000-000000000000/2fa/reset',
    })
    expect(missing.statusCode).toBe(404)
    expect(errorOf(missing).code).toBe('COLOPHON_USERS_NOT_FOUND')
  })
})

describe('a role that requires 2FA', () => {
  afterAll(() => app.db.engine.query("UPDATE roles SET require_2fa = false WHERE slug = 'editor'"))

  it('confines its members to enrolling, until they have', async () => {
    await app.db.engine.query("UPDATE roles SET require_2fa = true WHERE slug = 'editor'")
    const user = await createUser(app, { siteRole: 'editor' })
    const session = await signIn(app, user)
    const blocked = await session.request({ method: 'GET', url: '/api/v1/auth/sessions' })
    expect(blocked.statusCode).toBe(403)
    expect(errorOf(blocked).code).toBe('COLOPHON_AUTH_2FA_ENROLMENT_REQUIRED')
    const me = await session.request({ method: 'GET', url: '/api/v1/auth/me' })
    expect(me.statusCode).toBe(200)
    expect(me.json()).toMatchObject({
      restriction: 'enrol_2fa',
      twoFactor: { enabled: false, required: true },
    })

    const setup = await session.request({ method: 'POST', url: '/api/v1/auth/2fa/setup' })
    expect(setup.statusCode).toBe(200)
    const secret = setup.json().secret as string
    secrets.push(secret)
    const confirm = await session.request({
      method: 'POST',
      url: '/api/v1/auth/2fa/confirm',
      payload: { code: await codeFor(secret) },
    })
    expect(confirm.statusCode).toBe(200)
    secrets.push(...(confirm.json().recoveryCodes as string[]))

    expect((await session.request({ method: 'GET', url: '/api/v1/auth/sessions' })).statusCode).toBe(200)
    expect((await session.request({ method: 'GET', url: '/api/v1/auth/me' })).json().restriction).toBeNull()
    const disable = await session.request({
      method: 'POST',
      url: '/api/v1/auth/2fa/disable',
      payload: { password: user.password, code: await codeFor(secret, 1) },
    })
    expect(disable.statusCode).toBe(409)
    expect(errorOf(disable).code).toBe('COLOPHON_AUTH_2FA_REQUIRED_BY_ROLE')
  })
})

describe('the audit trail', () => {
  it('records 2FA changes without any secret, code or challenge', async () => {
    const rows = await app.db.engine.query<{ action: string }>(
      'SELECT action, actor_label, target_type, target_id, ip, user_agent, summary FROM audit_log',
    )
    const actions = new Set(rows.map((r) => r.action))
    for (const action of [
      'auth.2fa.setup',
      'auth.2fa.enable',
      'auth.2fa.disable',
      'auth.2fa.recovery_codes.regenerate',
      'auth.2fa.reset',
      'auth.login',
      'auth.login.fail',
    ]) {
      expect(actions, action).toContain(action)
    }
    const text = JSON.stringify(rows)
    expect(secrets.length).toBeGreaterThan(50)
    for (const secret of secrets) {
      expect(text).not.toContain(secret)
      expect(text).not.toContain(secret.replace('-', ''))
    }
    // Six digits could occur by chance inside an id; a code would show up as a whole JSON value.
    for (const code of totpCodes) expect(text).not.toMatch(new RegExp(`[":]${code}[",}]`))
  })
})

describe('brute-force protection on the second step', () => {
  let limited: TestApp
  beforeAll(async () => {
    limited = await createTestApp({ config: { authRateLimit: 3 } })
  })
  afterAll(() => limited?.close())

  it('limits attempts per client address, whatever X-Forwarded-For claims', async () => {
    const replies = []
    for (let i = 0; i < 4; i++) {
      replies.push(
        await limited.server.inject({
          method: 'POST',
          url: '/api/v1/auth/2fa',
          payload: { challenge: `guess-${i}`, code: '123456' },
          headers: { 'x-forwarded-for': `198.51.100.${i}` },
        }),
      )
    }
    expect(replies.map((r) => r.statusCode)).toEqual([401, 401, 401, 429])
    expect(errorOf(replies[0] as (typeof replies)[number]).code).toBe('COLOPHON_AUTH_CHALLENGE_INVALID')
    expect(errorOf(replies[3] as (typeof replies)[number]).code).toBe('COLOPHON_HTTP_RATE_LIMITED')
  })
})
