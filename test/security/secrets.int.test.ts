import { generate } from 'otplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../harness/test-app.ts'
import {
  createUser,
  mainSiteId,
  sessionFrom,
  signIn,
  signInAdmin,
  type Session,
} from '../harness/identity.ts'
import { linkOf, mailTo } from '../harness/mail.ts'

/**
 * Secrets never leave through a side door (security checklist P2). Every credential-bearing flow runs once
 * with logging at its most verbose level; then every secret and token the flows handled is searched for in
 * the captured log lines, in every audit row, and in every error reply.
 */

let app: TestApp
let admin: Session
const logLines: string[] = []
const secrets = new Set<string>()
const errorBodies: string[] = []

function keep(value: unknown): void {
  if (typeof value === 'string' && value.length >= 8) secrets.add(value)
}

beforeAll(async () => {
  app = await createTestApp({
    config: { logLevel: 'trace' },
    deps: { logStream: { write: (line: string) => void logLines.push(line) } },
  })
  admin = await signInAdmin(app)
  keep(admin.csrf)
  keep(admin.cookie.split(';')[0]?.split('=')[1])
})
afterAll(() => app?.close())

async function call(
  session: Session | null,
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  payload?: unknown,
) {
  const res = session
    ? await session.request({ method, url, payload })
    : await app.server.inject({
        method,
        url,
        ...(payload === undefined ? {} : { payload: payload as object }),
      })
  if (res.statusCode >= 400) errorBodies.push(res.body)
  return res
}

describe('secrets stay secret', () => {
  it('runs every credential flow, including failed attempts', async () => {
    const user = await createUser(app, { siteRole: 'editor' })
    keep(user.password)
    await call(null, 'POST', '/api/v1/auth/login', { email: user.email, password: 'wrong ' + user.password })
    const session = await signIn(app, user)
    keep(session.csrf)

    // 2FA enrolment and a second-step sign-in.
    const setup = (await call(session, 'POST', '/api/v1/auth/2fa/setup')).json() as {
      secret: string
      otpauthUri: string
    }
    keep(setup.secret)
    keep(setup.otpauthUri)
    const confirm = await call(session, 'POST', '/api/v1/auth/2fa/confirm', {
      code: await generate({ secret: setup.secret }),
    })
    for (const code of confirm.json().recoveryCodes as string[]) keep(code)
    const login = (
      await call(null, 'POST', '/api/v1/auth/login', { email: user.email, password: user.password })
    ).json()
    keep(login.challenge)
    await call(null, 'POST', '/api/v1/auth/2fa', { challenge: login.challenge, code: '000000' })

    // API key: created, used, misused.
    const key = (
      await call(admin, 'POST', '/api/v1/api-keys', { name: 'ci', scopes: ['network.users.read'] })
    ).json()
    keep(key.secret)
    await app.server.inject({
      method: 'GET',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${key.secret}` },
    })
    const forged = `${key.secret as string}x`
    keep(forged)
    errorBodies.push(
      (
        await app.server.inject({
          method: 'GET',
          url: '/api/v1/auth/me',
          headers: { authorization: `Bearer ${forged}` },
        })
      ).body,
    )

    // Password reset: requested, confirmed, replayed.
    const other = await createUser(app)
    keep(other.password)
    await call(null, 'POST', '/api/v1/auth/password-reset', { email: other.email })
    const [resetMail] = await mailTo(app, admin, other.email)
    const { token: resetToken } = linkOf(resetMail as Parameters<typeof linkOf>[0])
    keep(resetToken)
    const newPassword = 'another fine passphrase 42'
    keep(newPassword)
    await call(null, 'POST', '/api/v1/auth/password-reset/confirm', {
      token: resetToken,
      password: newPassword,
    })
    await call(null, 'POST', '/api/v1/auth/password-reset/confirm', {
      token: resetToken,
      password: newPassword,
    })

    // Invitation and email change.
    const invited = `invitee-${Date.now()}@example.com`
    await call(admin, 'POST', '/api/v1/users/invitations', {
      email: invited,
      site: { id: await mainSiteId(app), role: 'author' },
    })
    const [invite] = await mailTo(app, admin, invited)
    const { token: inviteToken } = linkOf(invite as Parameters<typeof linkOf>[0])
    keep(inviteToken)
    await call(null, 'POST', '/api/v1/users/invitations/accept', {
      token: inviteToken,
      password: 'invited passphrase 77',
    })
    keep('invited passphrase 77')
    const mover = await createUser(app)
    const moverSession = await signIn(app, mover)
    const target = `moved-${Date.now()}@example.com`
    await call(moverSession, 'POST', '/api/v1/auth/email', { newEmail: target, password: mover.password })
    const [change] = await mailTo(app, admin, target)
    const { token: emailToken } = linkOf(change as Parameters<typeof linkOf>[0])
    keep(emailToken)
    await call(null, 'POST', '/api/v1/auth/email/confirm', { token: emailToken })
    await call(null, 'POST', '/api/v1/auth/email/confirm', { token: emailToken })

    // A password change made with the session, which hands out fresh cookies.
    const changed = await call(moverSession, 'POST', '/api/v1/auth/password', {
      currentPassword: mover.password,
      newPassword: 'changed passphrase 31',
    })
    keep('changed passphrase 31')
    keep(sessionFrom(app, changed, mover.id).csrf)

    expect(secrets.size).toBeGreaterThan(20)
    expect(logLines.length).toBeGreaterThan(20)
    expect(errorBodies.length).toBeGreaterThan(3)
  })

  it("logs a failed statement without its parameters (a new user's password hash among them)", async () => {
    // A constraint the API does not check makes the INSERT itself fail, with the hash among its values
    // and, on the server side, in the failing row the error describes.
    await app.db.engine.query(
      `ALTER TABLE users ADD CONSTRAINT test_forced_failure CHECK (name <> 'Statement Fails Here')`,
    )
    const password = 'a passphrase inside a failing insert'
    keep(password)
    const before = logLines.length
    try {
      const res = await call(admin, 'POST', '/api/v1/users', {
        email: `failing-${Date.now()}@example.com`,
        name: 'Statement Fails Here',
        password,
      })
      expect(res.statusCode).toBe(500)
      expect(res.json().error.code).toBe('COLOPHON_INTERNAL_ERROR')
    } finally {
      await app.db.engine.query('ALTER TABLE users DROP CONSTRAINT test_forced_failure')
    }
    const lines = logLines.slice(before).join('')
    expect(lines).toContain('"sqlState":"23514"')
    expect(lines).toContain('"statement":"INSERT users"')
    expect(lines).not.toContain('$argon2id$')
    expect(lines).not.toContain('Statement Fails Here')
  })

  it('finds none of them in the log', () => {
    const log = logLines.join('')
    expect([...secrets].filter((s) => log.includes(s))).toEqual([])
    // Password hashes never reach the log either, whoever's they are.
    expect(log).not.toContain('$argon2id$')
  })

  it('finds none of them in the audit log', async () => {
    const rows = JSON.stringify(await app.db.engine.query('SELECT * FROM audit_log'))
    expect(rows.length).toBeGreaterThan(1000)
    expect([...secrets].filter((s) => rows.includes(s))).toEqual([])
  })

  it('finds none of them in error replies', () => {
    const replies = errorBodies.join('\n')
    expect([...secrets].filter((s) => replies.includes(s))).toEqual([])
  })

  it('stores tokens and key secrets only as hashes', async () => {
    const stored = JSON.stringify([
      await app.db.engine.query('SELECT * FROM user_sessions'),
      await app.db.engine.query('SELECT * FROM user_tokens'),
      await app.db.engine.query('SELECT * FROM api_keys'),
      await app.db.engine.query('SELECT * FROM auth_challenges'),
      await app.db.engine.query('SELECT * FROM user_recovery_codes'),
      await app.db.engine.query('SELECT id, email, password_hash FROM users'),
    ])
    const found = [...secrets].filter((s) => stored.includes(s))
    expect(found).toEqual([])
  })
})
