import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, TEST_ENCRYPTION_KEY, type TestApp } from '../../../test/harness/test-app.ts'
import { createUser, signIn, type TestUser } from '../../../test/harness/identity.ts'
import { totpCodeFor } from '../../../test/harness/totp.ts'
import { MAINTENANCE_QUEUE } from '../../app/build-app.ts'
import { generateKeyText, keyIdOf, parseKey } from '../../platform/security/index.ts'

/**
 * TOTP secrets at rest are sealed by the secret box: the column never holds the base32 secret; a key
 * rotation keeps 2FA sign-in working (old key kept for reading, then everything sealed again under the
 * new key, then the old key dropped); legacy clear rows are sealed.
 */

const OLD_KEY = TEST_ENCRYPTION_KEY
const NEW_KEY = generateKeyText()
const oldKeyId = keyIdOf(parseKey(OLD_KEY))
const newKeyId = keyIdOf(parseKey(NEW_KEY))

let app: TestApp
const rateLimits = { authRateLimit: 10_000, authAccountRateLimit: 10_000 }
beforeAll(async () => {
  app = await createTestApp({ config: rateLimits })
})
afterAll(() => app?.close())

/** Another app on the same database, as after a restart with other keys. */
function restartWith(config: Record<string, unknown>): Promise<TestApp> {
  return createTestApp({ db: app.db, config: { ...rateLimits, ...config } })
}

async function storedSecret(userId: string): Promise<string> {
  const [row] = await app.db.engine.query<{ secret: string }>(
    'SELECT secret FROM user_totp WHERE user_id = $1',
    [userId],
  )
  if (!row) throw new Error('no TOTP row')
  return row.secret
}

/** Enrols a new user in `on` (confirming with the previous step's code); returns the base32 secret. */
async function enrol(on: TestApp): Promise<{ user: TestUser; secret: string }> {
  const user = await createUser(on)
  const session = await signIn(on, user)
  const setup = await session.request({ method: 'POST', url: '/api/v1/auth/2fa/setup' })
  expect(setup.statusCode, setup.body).toBe(200)
  const secret = setup.json().secret as string
  const confirm = await session.request({
    method: 'POST',
    url: '/api/v1/auth/2fa/confirm',
    payload: { code: await totpCodeFor(secret, -1) },
  })
  expect(confirm.statusCode, confirm.body).toBe(200)
  return { user, secret }
}

/** Password, then a TOTP code: the reply status of the second step. */
async function signInWith2fa(on: TestApp, user: TestUser, code: string): Promise<number> {
  const login = await on.server.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: user.email, password: user.password },
  })
  expect(login.json().status).toBe('2fa_required')
  const second = await on.server.inject({
    method: 'POST',
    url: '/api/v1/auth/2fa',
    payload: { challenge: login.json().challenge, code },
  })
  return second.statusCode
}

describe('TOTP secrets at rest', () => {
  it('stores the secret sealed under the current key, never the base32 secret itself', async () => {
    const { user, secret } = await enrol(app)
    const stored = await storedSecret(user.id)
    expect(stored).toMatch(new RegExp(`^v1:${oldKeyId}:`))
    expect(stored).not.toContain(secret)
    expect(stored.toUpperCase()).not.toContain(secret)
    expect(await signInWith2fa(app, user, await totpCodeFor(secret, 0))).toBe(200)
  })

  it('keeps 2FA sign-in working across a key rotation, and works with the new key alone once re-keyed', async () => {
    const signsInFirst = await enrol(app)
    const neverSignsIn = await enrol(app)
    const rotated = await restartWith({ encryptionKey: NEW_KEY, encryptionPreviousKeys: [OLD_KEY] })
    try {
      // The old key still opens the secret; using it seals it again under the new key.
      expect(await signInWith2fa(rotated, signsInFirst.user, await totpCodeFor(signsInFirst.secret, 0))).toBe(
        200,
      )
      expect(await storedSecret(signsInFirst.user.id)).toMatch(new RegExp(`^v1:${newKeyId}:`))
      // `colophon secrets rotate` does the rest.
      expect(await storedSecret(neverSignsIn.user.id)).toMatch(new RegExp(`^v1:${oldKeyId}:`))
      const [totp] = await rotated.resealSecrets()
      expect(totp).toMatchObject({ column: 'user_totp.secret', unreadable: 0, legacy: 0 })
      expect(totp?.resealed).toBeGreaterThanOrEqual(1)
      expect(await storedSecret(neverSignsIn.user.id)).toMatch(new RegExp(`^v1:${newKeyId}:`))
    } finally {
      await rotated.close()
    }
    const newKeyOnly = await restartWith({ encryptionKey: NEW_KEY })
    try {
      expect(
        await signInWith2fa(newKeyOnly, neverSignsIn.user, await totpCodeFor(neverSignsIn.secret, 0)),
      ).toBe(200)
      expect(
        await signInWith2fa(newKeyOnly, signsInFirst.user, await totpCodeFor(signsInFirst.secret, 1)),
      ).toBe(200)
    } finally {
      await newKeyOnly.close()
    }
  })

  it('seals a legacy clear secret on first use, and the rest in the maintenance pass', async () => {
    const usedFirst = await enrol(app)
    const untouched = await enrol(app)
    // As written before encryption: the clear base32 secret.
    for (const { user, secret } of [usedFirst, untouched]) {
      await app.db.engine.query('UPDATE user_totp SET secret = $2 WHERE user_id = $1', [user.id, secret])
    }
    expect(await signInWith2fa(app, usedFirst.user, await totpCodeFor(usedFirst.secret, 0))).toBe(200)
    expect(await storedSecret(usedFirst.user.id)).toMatch(/^v1:/)

    // The hourly maintenance job (queued once by `serve` at start) reseals what nobody used.
    await app.queueMaintenance()
    expect(await app.jobs.drain([MAINTENANCE_QUEUE])).toBe(1)
    const stored = await storedSecret(untouched.user.id)
    expect(stored).toMatch(new RegExp(`^v1:${oldKeyId}:`))
    expect(stored).not.toContain(untouched.secret)
    expect(await signInWith2fa(app, untouched.user, await totpCodeFor(untouched.secret, 0))).toBe(200)
  })

  it('reports secrets no configured key opens, and leaves them as they are', async () => {
    const { user } = await enrol(app)
    const before = await storedSecret(user.id)
    const other = await restartWith({ encryptionKey: generateKeyText() })
    try {
      const [totp] = await other.resealSecrets()
      expect(totp?.unreadable).toBeGreaterThanOrEqual(1)
      expect(totp?.unknownKeyIds).toContain(oldKeyId)
    } finally {
      await other.close()
    }
    expect(await storedSecret(user.id)).toBe(before)
  })
})
