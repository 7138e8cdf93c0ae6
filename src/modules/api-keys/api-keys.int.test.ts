import { createHash } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, queryCount, type TestApp } from '../../../test/harness/test-app.ts'
import { createUser, mainSiteId, signIn, signInAdmin, type Session } from '../../../test/harness/identity.ts'
import { createSite } from '../../../test/harness/factories.ts'
import { newId } from '../../platform/db/index.ts'

let app: TestApp
let admin: Session
let mainSite: string

beforeAll(async () => {
  app = await createTestApp({
    config: { authRateLimit: 10_000, authAccountRateLimit: 10_000, setupRateLimit: 10_000 },
  })
  admin = await signInAdmin(app)
  mainSite = await mainSiteId(app)
})
afterAll(() => app?.close())

interface CreatedKey {
  id: string
  secret: string
  scopes: string[]
  status: string
  site: { id: string } | null
  expiresAt: string | null
}

async function mintKey(session: Session, body: Record<string, unknown>): Promise<CreatedKey> {
  const res = await session.request({
    method: 'POST',
    url: '/api/v1/api-keys',
    payload: { name: 'test key', ...body },
  })
  if (res.statusCode !== 201) throw new Error(`key creation failed: ${res.statusCode} ${res.body}`)
  return res.json() as CreatedKey
}

function withKey(
  secret: string,
  options: { method?: 'GET' | 'POST' | 'DELETE'; url: string; payload?: object },
): Promise<LightMyRequestResponse> {
  return app.server.inject({
    method: options.method ?? 'GET',
    url: options.url,
    ...(options.payload === undefined ? {} : { payload: options.payload }),
    headers: { authorization: `Bearer ${secret}` },
  })
}

function secretPart(secret: string): string {
  return secret.slice('colophon_'.length + 32 + 1)
}

describe('creating and using a key', () => {
  it('returns the full key once and authenticates with it as an API key', async () => {
    const key = await mintKey(admin, { scopes: ['network.users.read'] })
    expect(key.secret).toMatch(/^colophon_[0-9a-f]{32}_[A-Za-z0-9_-]{40,}$/)
    expect(key.secret.slice(9, 41)).toBe(key.id.replace(/-/g, ''))
    expect(key).toMatchObject({ status: 'active', scopes: ['network.users.read'], site: null })

    const me = await withKey(key.secret, { url: '/api/v1/auth/me' })
    expect(me.statusCode).toBe(200)
    expect(me.json().actor).toEqual({ kind: 'api_key', keyId: key.id })
    expect(me.json().capabilities).toEqual(['network.users.read'])
    expect(queryCount(me)).toBeLessThanOrEqual(3)
  })

  it('stores only the hash of the secret and never shows it again', async () => {
    const key = await mintKey(admin, { scopes: ['network.users.read'] })
    const secret = secretPart(key.secret)
    const [row] = await app.db.engine.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE id = $1', [
      key.id,
    ])
    expect(row?.secret_hash).not.toBe(secret)
    expect(row?.secret_hash).toBe(createHash('sha256').update(secret).digest('hex'))
    for (const value of Object.values(row ?? {})) expect(String(value)).not.toContain(secret)

    const list = await admin.request({ method: 'GET', url: '/api/v1/api-keys' })
    expect(list.statusCode).toBe(200)
    expect(list.body).not.toContain(secret)
    const listed = (list.json().items as Record<string, unknown>[]).find((k) => k.id === key.id)
    expect(listed).toBeDefined()
    expect(listed).not.toHaveProperty('secret')
    expect(listed).not.toHaveProperty('secretHash')

    const audit = await app.db.engine.query<{ summary: unknown }>(
      "SELECT summary FROM audit_log WHERE action = 'api_keys.key.create' AND target_id = $1",
      [key.id],
    )
    expect(audit).toHaveLength(1)
    expect(JSON.stringify(audit[0]?.summary)).not.toContain(secret)
    expect(audit[0]?.summary).toMatchObject({ scopes: ['network.users.read'], siteId: null })
  })

  it('expands scope patterns to the capabilities they cover', async () => {
    const key = await mintKey(admin, { scopes: ['site.content.*'], site: mainSite })
    expect(key.scopes).toContain('site.content.edit.any')
    expect(key.scopes.every((s) => s.startsWith('site.content.'))).toBe(true)
  })

  it('lets a key work without a CSRF header, and refuses it minting or listing keys', async () => {
    const key = await mintKey(admin, { scopes: ['network.users.read'] })
    const mint = await withKey(key.secret, {
      method: 'POST',
      url: '/api/v1/api-keys',
      payload: { name: 'child', scopes: ['network.users.read'] },
    })
    expect(mint.statusCode).toBe(403)
    expect(errorOf(mint).code).toBe('COLOPHON_AUTH_SESSION_REQUIRED')
    const list = await withKey(key.secret, { url: '/api/v1/api-keys' })
    expect(list.statusCode).toBe(403)
    expect(errorOf(list).code).toBe('COLOPHON_AUTH_SESSION_REQUIRED')
  })

  it('records when and from where a key was last used', async () => {
    const key = await mintKey(admin, { scopes: ['network.users.read'] })
    const before = (await admin.request({ method: 'GET', url: '/api/v1/api-keys' })).json().items
    expect(before.find((k: { id: string }) => k.id === key.id).lastUsedAt).toBeNull()
    expect((await withKey(key.secret, { url: '/api/v1/auth/me' })).statusCode).toBe(200)
    const after = (await admin.request({ method: 'GET', url: '/api/v1/api-keys' })).json().items
    const used = after.find((k: { id: string }) => k.id === key.id)
    expect(used.lastUsedAt).not.toBeNull()
    expect(used.lastUsedIp).toBe('127.0.0.1')
  })
})

describe('scopes', () => {
  it('refuses a read-scoped key on a write route and lets a key with the capability through', async () => {
    const reader = await mintKey(admin, { scopes: ['network.users.read', 'network.settings.read'] })
    const refused = await withKey(reader.secret, {
      method: 'POST',
      url: '/api/v1/setup/migrations',
      payload: { dryRun: true },
    })
    expect(refused.statusCode).toBe(403)
    expect(errorOf(refused).code).toBe('COLOPHON_AUTH_FORBIDDEN')

    const manager = await mintKey(admin, { scopes: ['network.settings.manage'] })
    const allowed = await withKey(manager.secret, {
      method: 'POST',
      url: '/api/v1/setup/migrations',
      payload: { dryRun: true },
    })
    expect(allowed.statusCode).toBe(200)
    expect(allowed.json().dryRun).toBe(true)
  })

  it('refuses unknown scopes', async () => {
    const res = await admin.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      payload: { name: 'k', scopes: ['network.users.read', 'network.everything', 'nope.*'] },
    })
    expect(res.statusCode).toBe(400)
    expect(errorOf(res).code).toBe('COLOPHON_API_KEYS_SCOPE_UNKNOWN')
    expect(errorOf(res).details).toEqual({ scopes: ['network.everything', 'nope.*'] })
  })

  it('refuses scopes the caller does not hold, naming them', async () => {
    const editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
    const network = await editor.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      payload: { name: 'k', scopes: ['network.users.read'] },
    })
    expect(network.statusCode).toBe(403)
    expect(errorOf(network).code).toBe('COLOPHON_API_KEYS_SCOPE_NOT_HELD')
    expect(errorOf(network).details).toEqual({ capabilities: ['network.users.read'] })

    // An editor's site capabilities hold on their site only, so a network-wide key cannot carry them.
    const siteWide = await editor.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      payload: { name: 'k', scopes: ['site.content.read'] },
    })
    expect(siteWide.statusCode).toBe(403)
    expect(errorOf(siteWide).code).toBe('COLOPHON_API_KEYS_SCOPE_NOT_HELD')

    const tooMuch = await editor.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      payload: { name: 'k', scopes: ['site.content.read', 'site.settings.manage'], site: mainSite },
    })
    expect(tooMuch.statusCode).toBe(403)
    expect(errorOf(tooMuch).details).toEqual({ capabilities: ['site.settings.manage'] })

    const fits = await editor.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      payload: { name: 'k', scopes: ['site.content.*'], site: mainSite },
    })
    expect(fits.statusCode).toBe(201)
  })

  it('takes away what the owner loses at once, whatever the key says', async () => {
    const user = await createUser(app, { networkRole: 'network_admin' })
    const session = await signIn(app, user)
    const key = await mintKey(session, { scopes: ['network.audit.read'] })
    expect((await withKey(key.secret, { url: '/api/v1/audit?limit=1' })).statusCode).toBe(200)

    await app.db.engine.query('UPDATE users SET network_role_id = NULL WHERE id = $1', [user.id])
    const demoted = await withKey(key.secret, { url: '/api/v1/audit?limit=1' })
    expect(demoted.statusCode).toBe(403)
    expect(errorOf(demoted).code).toBe('COLOPHON_AUTH_FORBIDDEN')
    const me = await withKey(key.secret, { url: '/api/v1/auth/me' })
    expect(me.json().capabilities).toEqual([])
  })
})

describe('site-bound keys', () => {
  it('works on its own site, is refused on another site, and carries no network capability', async () => {
    const other = await createSite(app, { slug: `other-${newId().slice(-8)}` })
    const key = await mintKey(admin, { scopes: ['site.audit.read'], site: mainSite })
    expect(key.site?.id).toBe(mainSite)

    const own = await withKey(key.secret, { url: `/api/v1/sites/${mainSite}/audit?limit=1` })
    expect(own.statusCode).toBe(200)
    const elsewhere = await withKey(key.secret, { url: `/api/v1/sites/${other}/audit?limit=1` })
    expect(elsewhere.statusCode).toBe(403)
    expect(errorOf(elsewhere).code).toBe('COLOPHON_AUTH_KEY_SITE_MISMATCH')

    const me = await withKey(key.secret, { url: '/api/v1/auth/me' })
    expect(me.statusCode).toBe(200)
    expect(me.json().capabilities).toEqual([])
    const network = await withKey(key.secret, { url: '/api/v1/audit?limit=1' })
    expect(network.statusCode).toBe(403)
    expect(errorOf(network).code).toBe('COLOPHON_AUTH_FORBIDDEN')
  })

  it('may carry site capabilities only', async () => {
    const res = await admin.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      payload: { name: 'k', scopes: ['site.content.read', 'network.users.read'], site: mainSite },
    })
    expect(res.statusCode).toBe(400)
    expect(errorOf(res).code).toBe('COLOPHON_API_KEYS_SCOPE_NOT_SITE')
    expect(errorOf(res).details).toEqual({ capabilities: ['network.users.read'] })
  })

  it('needs an existing site the caller belongs to', async () => {
    const missing = await admin.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      payload: { name: 'k', scopes: ['site.content.read'], site: newId() },
    })
    expect(missing.statusCode).toBe(404)
    expect(errorOf(missing).code).toBe('COLOPHON_SITES_NOT_FOUND')

    const other = await createSite(app, { slug: `away-${newId().slice(-8)}` })
    const editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
    const stranger = await editor.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      payload: { name: 'k', scopes: ['site.content.read'], site: other },
    })
    expect(stranger.statusCode).toBe(403)
    expect(errorOf(stranger).code).toBe('COLOPHON_API_KEYS_SITE_NOT_MEMBER')

    // A network admin acts on every site, member or not.
    const networkAdmin = await admin.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      payload: { name: 'k', scopes: ['site.content.read'], site: other },
    })
    expect(networkAdmin.statusCode).toBe(201)
  })
})

describe('refused keys', () => {
  it('refuses a key whose owner is suspended', async () => {
    const user = await createUser(app, { networkRole: 'network_admin' })
    const key = await mintKey(await signIn(app, user), { scopes: ['network.users.read'] })
    await app.db.engine.query("UPDATE users SET status = 'suspended' WHERE id = $1", [user.id])
    const res = await withKey(key.secret, { url: '/api/v1/auth/me' })
    expect(res.statusCode).toBe(401)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_KEY_INVALID')
  })

  it('refuses a revoked key, and records the revocation', async () => {
    const key = await mintKey(admin, { scopes: ['network.users.read'] })
    const revoked = await admin.request({ method: 'DELETE', url: `/api/v1/api-keys/${key.id}` })
    expect(revoked.statusCode).toBe(200)
    expect(revoked.json()).toMatchObject({ id: key.id, status: 'revoked' })
    expect(revoked.json().revokedAt).not.toBeNull()
    const res = await withKey(key.secret, { url: '/api/v1/auth/me' })
    expect(res.statusCode).toBe(401)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_KEY_INVALID')
    const again = await admin.request({ method: 'DELETE', url: `/api/v1/api-keys/${key.id}` })
    expect(again.statusCode).toBe(200)
    const audit = await app.db.engine.query(
      "SELECT 1 FROM audit_log WHERE action = 'api_keys.key.revoke' AND target_id = $1",
      [key.id],
    )
    expect(audit).toHaveLength(1)
  })

  it('lets a key revoke itself', async () => {
    const key = await mintKey(admin, { scopes: ['network.users.read'] })
    const res = await withKey(key.secret, { method: 'DELETE', url: `/api/v1/api-keys/${key.id}` })
    expect(res.statusCode).toBe(200)
    expect((await withKey(key.secret, { url: '/api/v1/auth/me' })).statusCode).toBe(401)
  })

  it('refuses an expired key and lists it as expired', async () => {
    const key = await mintKey(admin, { scopes: ['network.users.read'], expiresInDays: 1 })
    expect((await withKey(key.secret, { url: '/api/v1/auth/me' })).statusCode).toBe(200)
    await app.db.engine.query("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", [
      key.id,
    ])
    const res = await withKey(key.secret, { url: '/api/v1/auth/me' })
    expect(res.statusCode).toBe(401)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_KEY_INVALID')
    const list = (await admin.request({ method: 'GET', url: '/api/v1/api-keys' })).json().items
    expect(list.find((k: { id: string }) => k.id === key.id).status).toBe('expired')
  })

  it('refuses malformed, unknown and wrong-secret bearers', async () => {
    const key = await mintKey(admin, { scopes: ['network.users.read'] })
    const hex = key.id.replace(/-/g, '')
    const bearers = [
      'colophon_not-a-key',
      'something-else-entirely',
      `colophon_${hex}_${'x'.repeat(43)}`,
      `colophon_${newId().replace(/-/g, '')}_${secretPart(key.secret)}`,
      `colophon_${hex.toUpperCase()}_${secretPart(key.secret)}`,
    ]
    for (const bearer of bearers) {
      const res = await withKey(bearer, { url: '/api/v1/auth/me' })
      expect(res.statusCode, bearer).toBe(401)
      expect(errorOf(res).code).toBe('COLOPHON_AUTH_KEY_INVALID')
    }
  })
})

describe('expiry', () => {
  it('accepts a future expiry and refuses a past one or both forms at once', async () => {
    const at = new Date(Date.now() + 3_600_000).toISOString()
    const key = await mintKey(admin, { scopes: ['network.users.read'], expiresAt: at })
    expect(key.expiresAt).toBe(at)
    const inDays = await mintKey(admin, { scopes: ['network.users.read'], expiresInDays: 30 })
    const days = (Date.parse(inDays.expiresAt ?? '') - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(29.9)
    expect(days).toBeLessThanOrEqual(30)

    for (const payload of [
      { expiresAt: new Date(Date.now() - 1000).toISOString() },
      { expiresAt: at, expiresInDays: 1 },
    ]) {
      const res = await admin.request({
        method: 'POST',
        url: '/api/v1/api-keys',
        payload: { name: 'k', scopes: ['network.users.read'], ...payload },
      })
      expect(res.statusCode).toBe(400)
      expect(errorOf(res).code).toBe('COLOPHON_API_KEYS_EXPIRY_INVALID')
    }
  })
})

describe('listing and revoking other users’ keys', () => {
  it('pages through my keys with a cursor, in a fixed number of queries', async () => {
    const user = await createUser(app, { networkRole: 'network_admin' })
    const session = await signIn(app, user)
    const ids: string[] = []
    for (let i = 0; i < 3; i += 1) ids.push((await mintKey(session, { scopes: ['network.users.read'] })).id)
    const first = await session.request({ method: 'GET', url: '/api/v1/api-keys?limit=2' })
    expect(first.statusCode).toBe(200)
    expect(first.json().items.map((k: { id: string }) => k.id)).toEqual([ids[2], ids[1]])
    expect(first.json().nextCursor).toBe(ids[1])
    expect(queryCount(first)).toBeLessThanOrEqual(2)
    const second = await session.request({
      method: 'GET',
      url: `/api/v1/api-keys?limit=2&cursor=${first.json().nextCursor}`,
    })
    expect(second.json().items.map((k: { id: string }) => k.id)).toEqual([ids[0]])
    expect(second.json().nextCursor).toBeNull()
  })

  it('hides other users’ keys from a user without network.users.manage', async () => {
    const owner = await createUser(app, { networkRole: 'network_admin' })
    const key = await mintKey(await signIn(app, owner), { scopes: ['network.users.read'] })
    const stranger = await signIn(app, await createUser(app, { siteRole: 'administrator' }))

    const list = await stranger.request({ method: 'GET', url: `/api/v1/api-keys?userId=${owner.id}` })
    expect(list.statusCode).toBe(403)
    expect(errorOf(list).code).toBe('COLOPHON_AUTH_FORBIDDEN')
    const revoke = await stranger.request({ method: 'DELETE', url: `/api/v1/api-keys/${key.id}` })
    expect(revoke.statusCode).toBe(404)
    expect(errorOf(revoke).code).toBe('COLOPHON_API_KEYS_NOT_FOUND')
    const unknown = await stranger.request({ method: 'DELETE', url: `/api/v1/api-keys/${newId()}` })
    expect(errorOf(unknown)).toMatchObject({
      code: 'COLOPHON_API_KEYS_NOT_FOUND',
      message: errorOf(revoke).message,
    })
    expect((await withKey(key.secret, { url: '/api/v1/auth/me' })).statusCode).toBe(200)
  })

  it('lets a network admin list and revoke anyone’s keys', async () => {
    const owner = await createUser(app, { networkRole: 'network_admin' })
    const key = await mintKey(await signIn(app, owner), { scopes: ['network.users.read'] })
    const list = await admin.request({ method: 'GET', url: `/api/v1/api-keys?userId=${owner.id}` })
    expect(list.statusCode).toBe(200)
    expect(list.json().items.map((k: { id: string }) => k.id)).toEqual([key.id])
    expect(list.json().items[0].ownerId).toBe(owner.id)
    const revoke = await admin.request({ method: 'DELETE', url: `/api/v1/api-keys/${key.id}` })
    expect(revoke.statusCode).toBe(200)
    expect((await withKey(key.secret, { url: '/api/v1/auth/me' })).statusCode).toBe(401)
  })
})

describe('per-key rate limit', () => {
  let limited: TestApp
  beforeAll(async () => {
    limited = await createTestApp({ config: { apiKeyRateLimit: 3 } })
  })
  afterAll(() => limited?.close())

  it('answers 429 once a key exceeds its requests per minute, without affecting other keys', async () => {
    const session = await signInAdmin(limited)
    const mint = async () => {
      const res = await session.request({
        method: 'POST',
        url: '/api/v1/api-keys',
        payload: { name: 'k', scopes: ['network.users.read'] },
      })
      expect(res.statusCode).toBe(201)
      return res.json().secret as string
    }
    const busy = await mint()
    const calm = await mint()
    const call = (secret: string) =>
      limited.server.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: { authorization: `Bearer ${secret}` },
      })
    for (let i = 0; i < 3; i += 1) expect((await call(busy)).statusCode).toBe(200)
    const fourth = await call(busy)
    expect(fourth.statusCode).toBe(429)
    expect(errorOf(fourth).code).toBe('COLOPHON_HTTP_RATE_LIMITED')
    expect(fourth.headers['retry-after']).toBeDefined()
    expect((await call(calm)).statusCode).toBe(200)
  })
})
