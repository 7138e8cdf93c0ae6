import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, type TestApp } from '../../../test/harness/test-app.ts'
import {
  createUser,
  signIn,
  signInAdmin,
  type Session,
  type TestUser,
} from '../../../test/harness/identity.ts'
import { linkOf, mailTo } from '../../../test/harness/mail.ts'

const PUBLIC_URL = 'https://cms.example.test'
const CLIENT_LIMIT = 20
const ACCOUNT_LIMIT = 4
const NEW_PASSWORD = 'a brand new passphrase'

let app: TestApp
let admin: Session
const logLines: string[] = []
/** Every token seen in this file: none may ever show up in logs or audit rows. */
const seenTokens: string[] = []

beforeAll(async () => {
  app = await createTestApp({
    // Production-like replies (no Server-Timing), info logs captured to search them for tokens.
    config: {
      publicUrl: PUBLIC_URL,
      queryTiming: false,
      logLevel: 'info',
      authRateLimit: CLIENT_LIMIT,
      authAccountRateLimit: ACCOUNT_LIMIT,
    },
    deps: { logStream: { write: (line: string) => void logLines.push(line) } },
  })
  admin = await signInAdmin(app)
})
afterAll(() => app?.close())

let clients = 0
/** Each test speaks from its own client address, so the per-client limit of one does not hit another. */
function client(): string {
  clients += 1
  return `192.0.2.${clients}`
}

function requestReset(email: string, from: string, headers: Record<string, string> = {}) {
  return app.server.inject({
    method: 'POST',
    url: '/api/v1/auth/password-reset',
    payload: { email },
    remoteAddress: from,
    headers,
  })
}

function confirmReset(token: string, password: string, from: string) {
  return app.server.inject({
    method: 'POST',
    url: '/api/v1/auth/password-reset/confirm',
    payload: { token, password },
    remoteAddress: from,
  })
}

async function resetTokenFor(user: TestUser, from: string): Promise<string> {
  const res = await requestReset(user.email, from)
  expect(res.statusCode).toBe(202)
  const [mail] = await mailTo(app, admin, user.email)
  if (!mail) throw new Error('no reset mail')
  const { token } = linkOf(mail)
  seenTokens.push(token)
  return token
}

function login(email: string, password: string) {
  return app.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })
}

describe('password reset', () => {
  it('mails a link with the token in its fragment, which sets a new password and ends every session', async () => {
    const user = await createUser(app)
    const laptop = await signIn(app, user)
    const phone = await signIn(app, user)
    const from = client()

    const res = await requestReset(user.email, from)
    expect(res.statusCode).toBe(202)
    expect(res.json()).toEqual({ status: 'accepted' })
    const [mail] = await mailTo(app, admin, user.email)
    if (!mail) throw new Error('no reset mail')
    const { link, token } = linkOf(mail)
    seenTokens.push(token)
    expect(link).toBe(`${PUBLIC_URL}/admin/reset-password#token=${token}`)
    expect(mail.html).toContain(`href="${link}"`)

    const done = await confirmReset(token, NEW_PASSWORD, from)
    expect(done.statusCode).toBe(200)
    expect(done.json()).toEqual({ status: 'ok' })
    expect(done.cookies).toEqual([])

    for (const session of [laptop, phone]) {
      const me = await session.request({ method: 'GET', url: '/api/v1/auth/me' })
      expect(me.statusCode).toBe(401)
      expect(errorOf(me).code).toBe('COLOPHON_AUTH_REQUIRED')
    }
    expect((await login(user.email, user.password)).statusCode).toBe(401)
    expect((await login(user.email, NEW_PASSWORD)).statusCode).toBe(200)

    const rows = await app.db.engine.query<{ action: string; actor_id: string | null }>(
      'SELECT action, actor_id FROM audit_log WHERE target_id = $1 AND action LIKE $2 ORDER BY id',
      [user.id, 'auth.password_reset.%'],
    )
    expect(rows).toEqual([
      { action: 'auth.password_reset.request', actor_id: null },
      { action: 'auth.password_reset.complete', actor_id: user.id },
    ])
  })

  it('refuses to use the same link twice', async () => {
    const user = await createUser(app)
    const from = client()
    const token = await resetTokenFor(user, from)
    expect((await confirmReset(token, NEW_PASSWORD, from)).statusCode).toBe(200)
    const again = await confirmReset(token, 'yet another passphrase', from)
    expect(again.statusCode).toBe(400)
    expect(errorOf(again).code).toBe('COLOPHON_AUTH_RESET_TOKEN_INVALID')
    expect((await login(user.email, NEW_PASSWORD)).statusCode).toBe(200)
  })

  it('refuses an expired link', async () => {
    const user = await createUser(app)
    const from = client()
    const token = await resetTokenFor(user, from)
    await app.db.engine.query(
      "UPDATE user_tokens SET expires_at = now() - interval '1 minute' WHERE user_id = $1",
      [user.id],
    )
    const res = await confirmReset(token, NEW_PASSWORD, from)
    expect(res.statusCode).toBe(400)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_RESET_TOKEN_INVALID')
    expect((await login(user.email, user.password)).statusCode).toBe(200)
  })

  it('voids an older link when a newer one is asked for', async () => {
    const user = await createUser(app)
    const from = client()
    const older = await resetTokenFor(user, from)
    const newer = await resetTokenFor(user, from)
    expect(newer).not.toBe(older)
    const stale = await confirmReset(older, NEW_PASSWORD, from)
    expect(stale.statusCode).toBe(400)
    expect(errorOf(stale).code).toBe('COLOPHON_AUTH_RESET_TOKEN_INVALID')
    expect((await confirmReset(newer, NEW_PASSWORD, from)).statusCode).toBe(200)
  })

  it('gives the same refusal for unknown and malformed tokens', async () => {
    const from = client()
    for (const token of ['x', 'not-a-real-token-but-well-formed-0123456789abcdef', 'ünïcödé?&#']) {
      const res = await confirmReset(token, NEW_PASSWORD, from)
      expect(res.statusCode).toBe(400)
      expect(errorOf(res).code).toBe('COLOPHON_AUTH_RESET_TOKEN_INVALID')
    }
  })

  it('keeps the link usable when the new password breaks the policy', async () => {
    const user = await createUser(app)
    const from = client()
    const token = await resetTokenFor(user, from)
    const weak = await confirmReset(token, user.email, from)
    expect(weak.statusCode).toBe(400)
    expect(errorOf(weak).code).toBe('COLOPHON_AUTH_PASSWORD_WEAK')
    expect((await confirmReset(token, NEW_PASSWORD, from)).statusCode).toBe(200)
  })

  it('sends nothing to a suspended user, and their link from before the suspension is refused', async () => {
    const user = await createUser(app)
    const from = client()
    const token = await resetTokenFor(user, from)
    await app.db.engine.query("UPDATE users SET status = 'suspended' WHERE id = $1", [user.id])
    const res = await confirmReset(token, NEW_PASSWORD, from)
    expect(res.statusCode).toBe(400)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_RESET_TOKEN_INVALID')
    expect((await requestReset(user.email, from)).statusCode).toBe(202)
    expect(await mailTo(app, admin, user.email)).toHaveLength(1)
  })

  it('clears a pending "must change password" flag', async () => {
    const user = await createUser(app, { mustChangePassword: true })
    const from = client()
    const token = await resetTokenFor(user, from)
    expect((await confirmReset(token, NEW_PASSWORD, from)).statusCode).toBe(200)
    const session = await signIn(app, { email: user.email, password: NEW_PASSWORD })
    const me = await session.request({ method: 'GET', url: '/api/v1/auth/me' })
    expect(me.json().restriction).toBeNull()
  })
})

describe('no enumeration through the reset request', () => {
  it('answers a known and an unknown address with byte-identical replies (apart from the request id)', async () => {
    const user = await createUser(app)
    // Two fresh clients, so the rate-limit headers are in the same state for both.
    const known = await requestReset(user.email, client())
    const unknown = await requestReset(`nobody-${user.id}@example.com`, client())
    // The request id differs by design; `date` and the rate-limit reset countdown move with the clock (a
    // second may tick between the two requests), not with the account.
    const strip = (headers: Record<string, unknown>) => {
      const { 'x-request-id': id, date: _date, 'x-ratelimit-reset': _reset, ...rest } = headers
      expect(id).toBeTruthy()
      return rest
    }
    expect(unknown.statusCode).toBe(known.statusCode)
    expect(unknown.rawPayload.equals(known.rawPayload)).toBe(true)
    expect(strip(unknown.headers)).toEqual(strip(known.headers))
    expect(await mailTo(app, admin, `nobody-${user.id}@example.com`)).toEqual([])
  })
})

describe('reset request limits', () => {
  it('limits requests per address, whichever client address they come from or claim', async () => {
    const email = 'limited-victim@example.com'
    const codes: number[] = []
    for (let i = 0; i <= ACCOUNT_LIMIT; i++) {
      const res = await requestReset(email, client(), { 'x-forwarded-for': `198.51.100.${i}` })
      codes.push(res.statusCode)
    }
    expect(codes).toEqual([...Array<number>(ACCOUNT_LIMIT).fill(202), 429])
    const res = await requestReset(email.toUpperCase(), client(), { 'x-forwarded-for': '203.0.113.9' })
    expect(res.statusCode).toBe(429)
    expect(errorOf(res).code).toBe('COLOPHON_HTTP_RATE_LIMITED')
  })

  it('limits requests per client, and a spoofed X-Forwarded-For does not reset the count', async () => {
    const from = '198.18.0.1'
    for (let i = 0; i < CLIENT_LIMIT; i++) {
      const res = await requestReset(`spread-${i}@example.com`, from, {
        'x-forwarded-for': `198.51.100.${i}`,
      })
      expect(res.statusCode).toBe(202)
    }
    for (const spoof of ['192.0.2.200', '10.0.0.1', '127.0.0.2']) {
      const res = await requestReset(`fresh-${spoof}@example.com`, from, { 'x-forwarded-for': spoof })
      expect(res.statusCode).toBe(429)
      expect(errorOf(res).code).toBe('COLOPHON_HTTP_RATE_LIMITED')
    }
  })
})

describe('secrets stay secret', () => {
  it('stores only the hash of a token, and no token reaches the audit log or the logs', async () => {
    const user = await createUser(app)
    const from = client()
    const token = await resetTokenFor(user, from)
    await confirmReset(token, NEW_PASSWORD, from)
    await confirmReset(token, NEW_PASSWORD, from)

    const stored = await app.db.engine.query<{ token_hash: string }>(
      'SELECT token_hash FROM user_tokens WHERE user_id = $1',
      [user.id],
    )
    expect(stored.length).toBeGreaterThan(0)
    expect(JSON.stringify(stored)).not.toContain(token)

    const audit = JSON.stringify(await app.db.engine.query('SELECT * FROM audit_log'))
    const logs = logLines.join('')
    expect(logs).toContain('/api/v1/auth/password-reset/confirm')
    expect(seenTokens.length).toBeGreaterThan(5)
    for (const seen of seenTokens) {
      expect(audit).not.toContain(seen)
      expect(logs).not.toContain(seen)
    }
    expect(audit).not.toContain(NEW_PASSWORD)
    expect(logs).not.toContain(NEW_PASSWORD)
  })
})
