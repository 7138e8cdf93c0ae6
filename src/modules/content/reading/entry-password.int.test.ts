import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestApp, errorOf, type TestApp } from '../../../../test/harness/test-app.ts'
import { mainSiteId } from '../../../../test/harness/identity.ts'
import { createEntry } from '../../../../test/harness/factories.ts'
import { hashPassword } from '../../../platform/security/index.ts'

/**
 * Password-protected entries ration guesses: per client address (every attempt) and per entry (wrong
 * ones, from anywhere). A throttled attempt is answered 429 with Retry-After whether the password is
 * right or not, and costs no password hashing.
 */

const checks = vi.hoisted(() => ({ count: 0 }))
vi.mock('../../../platform/security/index.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../platform/security/index.ts')>()
  return {
    ...real,
    verifyPassword: (...args: Parameters<typeof real.verifyPassword>) => {
      checks.count += 1
      return real.verifyPassword(...args)
    },
  }
})

const PASSWORD = 'open sesame'
const PER_CLIENT = 5
const PER_ENTRY = 3
let app: TestApp
let site: string
let hash: string
let addresses = 0

function protectedEntry(): Promise<string> {
  return createEntry(app, {
    siteId: site,
    status: 'published',
    title: 'Locked',
    visibility: 'password',
    passwordHash: hash,
  })
}

/** A client address of its own for each caller that needs one. */
const newAddress = () => `198.51.100.${++addresses}`

function read(id: string, from: string, password?: string): Promise<LightMyRequestResponse> {
  return app.server.inject({
    method: 'GET',
    url: `/api/v1/sites/${site}/entries/${id}`,
    remoteAddress: from,
    headers: password === undefined ? {} : { 'x-entry-password': password },
  })
}

function expectThrottled(res: LightMyRequestResponse): void {
  expect(res.statusCode, res.body).toBe(429)
  expect(errorOf(res).code).toBe('COLOPHON_CONTENT_ENTRY_PASSWORD_THROTTLED')
  const wait = Number(res.headers['retry-after'])
  expect(wait).toBeGreaterThan(0)
  expect(wait).toBeLessThanOrEqual(15 * 60)
}

beforeAll(async () => {
  app = await createTestApp({
    config: { entryPasswordRateLimit: PER_CLIENT, entryPasswordFailLimit: PER_ENTRY },
  })
  site = await mainSiteId(app)
  hash = await hashPassword(PASSWORD)
})
afterAll(() => app?.close())

describe('entry password attempts', () => {
  it('are limited per client: past the allowance even the right password gets 429, unchecked', async () => {
    const entry = await protectedEntry()
    const client = newAddress()
    for (const password of ['wrong 1', 'wrong 2'])
      expect((await read(entry, client, password)).statusCode).toBe(403)
    for (let i = 2; i < PER_CLIENT; i++) expect((await read(entry, client, PASSWORD)).statusCode).toBe(200)

    const before = checks.count
    expectThrottled(await read(entry, client, PASSWORD))
    expectThrottled(await read(entry, client, 'wrong 3'))
    expect(checks.count).toBe(before)
    // Another client still reads the entry: it was this client that ran out, not the entry.
    expect((await read(entry, newAddress(), PASSWORD)).statusCode).toBe(200)
  })

  it('are limited per entry for wrong passwords from any address; right ones do not count', async () => {
    const entry = await protectedEntry()
    const other = await protectedEntry()
    for (let i = 0; i <= PER_ENTRY; i++)
      expect((await read(entry, newAddress(), PASSWORD)).statusCode).toBe(200)
    for (let i = 0; i < PER_ENTRY; i++) {
      const res = await read(entry, newAddress(), `guess ${i}`)
      expect(res.statusCode).toBe(403)
      expect(errorOf(res).code).toBe('COLOPHON_CONTENT_ENTRY_PROTECTED')
    }

    const before = checks.count
    const reader = newAddress()
    expectThrottled(await read(entry, reader, PASSWORD))
    expectThrottled(await read(entry, newAddress(), 'guess again'))
    expect(checks.count).toBe(before)
    expect((await read(other, reader, PASSWORD)).statusCode).toBe(200)
  })

  it('do not include requests without a password: those are refused at once and spend nothing', async () => {
    const entry = await protectedEntry()
    const client = newAddress()
    const before = checks.count
    for (let i = 0; i < PER_CLIENT + 2; i++) {
      const res = await read(entry, client)
      expect(res.statusCode).toBe(403)
      expect(errorOf(res).code).toBe('COLOPHON_CONTENT_ENTRY_PROTECTED')
    }
    expect(checks.count).toBe(before)
    expect((await read(entry, client, PASSWORD)).statusCode).toBe(200)
  })
})
