import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../platform/errors/index.ts'
import { newId } from '../../platform/db/index.ts'
import { NETWORK_CAPABILITIES, SITE_CAPABILITIES } from '../rbac/index.ts'
import { ADMIN, createTestApp, errorOf, queryCount, type TestApp } from '../../../test/harness/test-app.ts'
import {
  PASSWORD,
  createUser,
  mainSiteId,
  signIn,
  signInAdmin,
  type Session,
} from '../../../test/harness/identity.ts'
import { findUserById, type UserDeletionHook } from './index.ts'

/** What the deletion hook saw, and whether the user still existed (unerased) when it ran. */
const hookCalls: { userId: string; reassignTo: string | null; statusDuringHook: string | undefined }[] = []
/** Users whose deletion the hook refuses, to prove the deletion is one transaction. */
const refuseDeletionOf = new Set<string>()

const recordingHook: UserDeletionHook = async (_ctx, tx, input) => {
  const user = await findUserById(tx, input.userId)
  hookCalls.push({ ...input, statusDuringHook: user?.status })
  if (refuseDeletionOf.has(input.userId)) {
    throw new AppError({
      code: 'COLOPHON_TEST_HOOK_REFUSED',
      status: 409,
      message: 'Refused by a test hook.',
    })
  }
}

let app: TestApp
let admin: Session

async function createCustomNetworkRole(slug: string, capabilities: readonly string[]): Promise<void> {
  const list = capabilities.map((c) => `'${c}'`).join(', ')
  await app.db.engine.query(
    `INSERT INTO roles (id, slug, name, scope, capabilities) VALUES ($1, $2, $3, 'network', ARRAY[${list}]::text[])`,
    [newId(), slug, slug],
  )
}

async function auditActions(
  targetId: string,
): Promise<{ action: string; summary: Record<string, unknown> }[]> {
  return app.db.engine.query('SELECT action, summary FROM audit_log WHERE target_id = $1 ORDER BY id', [
    targetId,
  ])
}

function login(email: string, password: string) {
  return app.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })
}

beforeAll(async () => {
  app = await createTestApp({
    config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 },
    deps: { userDeletionHooks: [recordingHook] },
  })
  admin = await signInAdmin(app)
})
afterAll(() => app?.close())

describe('listing and searching users', () => {
  it('lists users without their password hash, newest first', async () => {
    const user = await createUser(app, { name: 'Listed Person' })
    const res = await admin.request({ method: 'GET', url: '/api/v1/users' })
    expect(res.statusCode).toBe(200)
    const items = res.json().items as Record<string, unknown>[]
    expect(items[0]).toMatchObject({
      id: user.id,
      email: user.email,
      name: 'Listed Person',
      status: 'active',
    })
    expect(Object.keys(items[0] ?? {}).sort()).toEqual(
      ['createdAt', 'email', 'id', 'lastLoginAt', 'name', 'networkRole', 'status', 'twoFactorEnabled'].sort(),
    )
    expect(res.body).not.toMatch(/argon2|password/i)
    expect(items.find((u) => u.email === ADMIN.email)).toMatchObject({ networkRole: 'network_admin' })
  })

  it('searches name and email case-insensitively', async () => {
    const byName = await createUser(app, { name: 'Zebulon Quartermain' })
    const byEmail = await createUser(app, { email: 'quartermain.mail@example.org' })
    const res = await admin.request({ method: 'GET', url: '/api/v1/users?q=QUARTERMAIN' })
    expect(res.statusCode).toBe(200)
    const ids = (res.json().items as { id: string }[]).map((u) => u.id).sort()
    expect(ids).toEqual([byName.id, byEmail.id].sort())
  })

  it('treats an injection-looking search as plain text', async () => {
    for (const q of ["%' OR 1=1 --", '%', '_', "'; DROP TABLE users; --", '\\']) {
      const res = await admin.request({ method: 'GET', url: `/api/v1/users?q=${encodeURIComponent(q)}` })
      expect(res.statusCode, q).toBe(200)
      expect(res.json().items, q).toEqual([])
    }
    const odd = await createUser(app, { name: "100% O'Brien_x" })
    const res = await admin.request({ method: 'GET', url: `/api/v1/users?q=${encodeURIComponent("0% O'B")}` })
    expect((res.json().items as { id: string }[]).map((u) => u.id)).toEqual([odd.id])
  })

  it('filters by status and by network role', async () => {
    const suspended = await createUser(app, { status: 'suspended' })
    const res = await admin.request({ method: 'GET', url: '/api/v1/users?status=suspended&limit=100' })
    const items = res.json().items as { id: string; status: string }[]
    expect(items.map((u) => u.id)).toContain(suspended.id)
    expect(items.every((u) => u.status === 'suspended')).toBe(true)
    const admins = await admin.request({ method: 'GET', url: '/api/v1/users?role=network_admin&limit=100' })
    const roles = (admins.json().items as { networkRole: string }[]).map((u) => u.networkRole)
    expect(roles.length).toBeGreaterThan(0)
    expect(new Set(roles)).toEqual(new Set(['network_admin']))
  })

  it('refuses unbounded or malformed pages and any sort field', async () => {
    for (const query of [
      'limit=1000',
      'limit=-1',
      'limit=0',
      'limit=abc',
      'cursor=not-a-uuid',
      'sort=email',
      'orderBy=password_hash',
      'status=everything',
    ]) {
      const res = await admin.request({ method: 'GET', url: `/api/v1/users?${query}` })
      expect(res.statusCode, query).toBe(400)
      expect(errorOf(res).code, query).toBe('COLOPHON_HTTP_VALIDATION_FAILED')
    }
  })

  it('pages with nextCursor until the last page', async () => {
    for (let i = 0; i < 3; i++) await createUser(app, { name: `Pager ${i}` })
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const url: string = `/api/v1/users?q=Pager&limit=2${cursor ? `&cursor=${cursor}` : ''}`
      const res = await admin.request({ method: 'GET', url })
      expect(res.statusCode).toBe(200)
      const body = res.json() as { items: { id: string }[]; nextCursor: string | null }
      seen.push(...body.items.map((u) => u.id))
      cursor = body.nextCursor
      pages += 1
    } while (cursor && pages < 10)
    expect(pages).toBe(2)
    expect(seen).toHaveLength(3)
    expect(new Set(seen).size).toBe(3)
    expect([...seen].sort().reverse()).toEqual(seen)
  })

  it('answers a list in a constant number of queries, whatever the page size', async () => {
    for (let i = 0; i < 5; i++) await createUser(app, { siteRole: 'author' })
    // A first request absorbs the once-a-minute session touch, so both measured ones cost the same.
    await admin.request({ method: 'GET', url: '/api/v1/users?limit=1' })
    const small = await admin.request({ method: 'GET', url: '/api/v1/users?limit=1' })
    const large = await admin.request({ method: 'GET', url: '/api/v1/users?limit=100' })
    expect((large.json().items as unknown[]).length).toBeGreaterThan(5)
    expect(queryCount(large)).toBe(queryCount(small))
    expect(queryCount(large)).toBeLessThanOrEqual(3)
  })

  it('reads one user with their memberships', async () => {
    const user = await createUser(app, { siteRole: 'editor' })
    const res = await admin.request({ method: 'GET', url: `/api/v1/users/${user.id}` })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      id: user.id,
      email: user.email,
      twoFactorEnabled: false,
      mustChangePassword: false,
      memberships: [
        { siteId: await mainSiteId(app), siteSlug: expect.any(String), siteName: 'Main', role: 'editor' },
      ],
    })
    expect(queryCount(res)).toBeLessThanOrEqual(4)
    const missing = await admin.request({ method: 'GET', url: `/api/v1/users/${newId()}` })
    expect(missing.statusCode).toBe(404)
    expect(errorOf(missing).code).toBe('COLOPHON_USERS_NOT_FOUND')
    const malformed = await admin.request({ method: 'GET', url: '/api/v1/users/1%20OR%201=1' })
    expect(malformed.statusCode).toBe(400)
  })

  it('refuses editors (403) and anonymous callers (401)', async () => {
    const editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
    const asEditor = await editor.request({ method: 'GET', url: '/api/v1/users' })
    expect(asEditor.statusCode).toBe(403)
    expect(errorOf(asEditor).code).toBe('COLOPHON_AUTH_FORBIDDEN')
    const create = await editor.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: 'sneaky@example.com', name: 'Sneaky', password: PASSWORD },
    })
    expect(create.statusCode).toBe(403)
    expect(errorOf(create).code).toBe('COLOPHON_AUTH_FORBIDDEN')
    const anonymous = await app.server.inject({ method: 'GET', url: '/api/v1/users' })
    expect(anonymous.statusCode).toBe(401)
    expect(errorOf(anonymous).code).toBe('COLOPHON_AUTH_REQUIRED')
  })
})

describe('creating users', () => {
  it('creates an active user who can sign in at once, and audits it without the password', async () => {
    const password = 'a sturdy first passphrase'
    const res = await admin.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: 'New.Person@Example.com', name: '  New Person ', password },
    })
    expect(res.statusCode).toBe(201)
    const user = res.json()
    expect(user).toMatchObject({
      email: 'new.person@example.com',
      name: 'New Person',
      status: 'active',
      networkRole: null,
    })
    expect((await login('new.person@example.com', password)).statusCode).toBe(200)
    const audit = await auditActions(user.id)
    expect(audit.map((a) => a.action)).toContain('users.user.create')
    expect(JSON.stringify(audit)).not.toContain(password)
  })

  it('refuses a weak or common password with the policy code', async () => {
    for (const [password, reason] of [
      ['short', 'too_short'],
      ['password123', 'too_common'],
      ['weakling@example.com', 'matches_email'],
    ] as const) {
      const res = await admin.request({
        method: 'POST',
        url: '/api/v1/users',
        payload: { email: 'weakling@example.com', name: 'Weak', password },
      })
      expect(res.statusCode, password).toBe(400)
      expect(errorOf(res)).toMatchObject({ code: 'COLOPHON_AUTH_PASSWORD_WEAK', details: { reason } })
    }
    const [row] = await app.db.engine.query(
      "SELECT count(*)::int AS n FROM users WHERE email = 'weakling@example.com'",
    )
    expect(row).toEqual({ n: 0 })
  })

  it('refuses an address already taken, whatever its case', async () => {
    const existing = await createUser(app)
    const res = await admin.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: existing.email.toUpperCase(), name: 'Twin', password: PASSWORD },
    })
    expect(res.statusCode).toBe(409)
    expect(errorOf(res).code).toBe('COLOPHON_USERS_EMAIL_TAKEN')
  })

  it('can require a new password at first sign-in', async () => {
    const res = await admin.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: 'rotate@example.com', name: 'Rotate', password: PASSWORD, mustChangePassword: true },
    })
    expect(res.json().mustChangePassword).toBe(true)
    const session = await signIn(app, { email: 'rotate@example.com', password: PASSWORD })
    const me = await session.request({ method: 'GET', url: '/api/v1/auth/me' })
    expect(me.json().restriction).toBe('change_password')
  })

  it('refuses an unknown role or a site role as the network role', async () => {
    for (const networkRole of ['no_such_role', 'editor']) {
      const res = await admin.request({
        method: 'POST',
        url: '/api/v1/users',
        payload: { email: `${networkRole}@example.com`, name: 'Role', password: PASSWORD, networkRole },
      })
      expect(res.statusCode, networkRole).toBe(400)
      expect(errorOf(res).code).toBe('COLOPHON_USERS_ROLE_INVALID')
    }
  })
})

describe('suspending and reactivating', () => {
  it('suspends: sessions end, sign-in says suspended; reactivation lets the user back in', async () => {
    const user = await createUser(app)
    const session = await signIn(app, user)
    const res = await admin.request({ method: 'POST', url: `/api/v1/users/${user.id}/suspend` })
    expect(res.statusCode).toBe(200)
    expect(res.json().status).toBe('suspended')
    const me = await session.request({ method: 'GET', url: '/api/v1/auth/me' })
    expect(me.statusCode).toBe(401)
    const refused = await login(user.email, user.password)
    expect(refused.statusCode).toBe(403)
    expect(errorOf(refused).code).toBe('COLOPHON_AUTH_ACCOUNT_SUSPENDED')

    const back = await admin.request({ method: 'POST', url: `/api/v1/users/${user.id}/reactivate` })
    expect(back.statusCode).toBe(200)
    expect(back.json().status).toBe('active')
    expect((await login(user.email, user.password)).statusCode).toBe(200)
    // Revoked, not merely blocked while suspended: the old cookie stays dead after reactivation.
    expect((await session.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401)
    const actions = (await auditActions(user.id)).map((a) => a.action)
    expect(actions).toEqual(expect.arrayContaining(['users.user.suspend', 'users.user.reactivate']))
  })

  it('refuses to suspend yourself', async () => {
    const res = await admin.request({ method: 'POST', url: `/api/v1/users/${admin.userId}/suspend` })
    expect(res.statusCode).toBe(409)
    expect(errorOf(res).code).toBe('COLOPHON_USERS_SELF')
  })

  it('refuses to suspend an invited user or reactivate one', async () => {
    const invited = await createUser(app, { status: 'invited' })
    for (const action of ['suspend', 'reactivate']) {
      const res = await admin.request({ method: 'POST', url: `/api/v1/users/${invited.id}/${action}` })
      expect(res.statusCode, action).toBe(409)
      expect(errorOf(res).code).toBe('COLOPHON_USERS_STATUS_CONFLICT')
    }
  })

  it('refuses a cookie POST without the CSRF token', async () => {
    const user = await createUser(app)
    const res = await admin.request({ method: 'POST', url: `/api/v1/users/${user.id}/suspend`, csrf: false })
    expect(res.statusCode).toBe(403)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_CSRF_INVALID')
  })
})

describe('changing a user', () => {
  it('renames a user', async () => {
    const user = await createUser(app)
    const res = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}`,
      payload: { name: 'Renamed' },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json().name).toBe('Renamed')
  })

  it('grants and removes a network role, signing the user out each time', async () => {
    const user = await createUser(app)
    const session = await signIn(app, user)
    const granted = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}`,
      payload: { networkRole: 'network_admin' },
    })
    expect(granted.statusCode).toBe(200)
    expect(granted.json().networkRole).toBe('network_admin')
    expect((await session.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401)
    const again = await signIn(app, user)
    const removed = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}`,
      payload: { networkRole: null },
    })
    expect(removed.json().networkRole).toBeNull()
    expect((await again.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401)
    const audit = await auditActions(user.id)
    expect(audit.filter((a) => a.action === 'users.user.update').map((a) => a.summary.networkRole)).toEqual([
      { from: null, to: 'network_admin' },
      { from: 'network_admin', to: null },
    ])
  })

  it('refuses a change of your own role', async () => {
    const res = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${admin.userId}`,
      payload: { networkRole: null },
    })
    expect(res.statusCode).toBe(403)
    expect(errorOf(res).code).toBe('COLOPHON_RBAC_OWN_ROLE')
  })

  it('refuses an empty or unknown-field body', async () => {
    const user = await createUser(app)
    for (const payload of [{}, { status: 'active' }, { name: '   ' }, { networkRole: ['network_admin'] }]) {
      const res = await admin.request({ method: 'PATCH', url: `/api/v1/users/${user.id}`, payload })
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
      expect(errorOf(res).code).toBe('COLOPHON_HTTP_VALIDATION_FAILED')
    }
  })
})

describe('role escalation', () => {
  let manager: Session

  beforeAll(async () => {
    await createCustomNetworkRole('user_manager', ['network.users.read', 'network.users.manage'])
    manager = await signIn(app, await createUser(app, { networkRole: 'user_manager' }))
  })

  it('a user manager without network.roles.manage cannot grant network_admin', async () => {
    const create = await manager.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        email: 'promoted@example.com',
        name: 'Promoted',
        password: PASSWORD,
        networkRole: 'network_admin',
      },
    })
    expect(create.statusCode).toBe(403)
    expect(errorOf(create).code).toBe('COLOPHON_RBAC_ESCALATION')
    const [row] = await app.db.engine.query(
      "SELECT count(*)::int AS n FROM users WHERE email = 'promoted@example.com'",
    )
    expect(row).toEqual({ n: 0 })

    const target = await createUser(app)
    const patch = await manager.request({
      method: 'PATCH',
      url: `/api/v1/users/${target.id}`,
      payload: { networkRole: 'network_admin' },
    })
    expect(patch.statusCode).toBe(403)
    expect(errorOf(patch).code).toBe('COLOPHON_RBAC_ESCALATION')
    const detail = await admin.request({ method: 'GET', url: `/api/v1/users/${target.id}` })
    expect(detail.json().networkRole).toBeNull()
  })

  it('a user manager can grant a role within their own capabilities', async () => {
    const target = await createUser(app)
    const res = await manager.request({
      method: 'PATCH',
      url: `/api/v1/users/${target.id}`,
      payload: { networkRole: 'user_manager' },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json().networkRole).toBe('user_manager')
  })

  it('a user manager cannot suspend, demote or delete someone holding more than they do', async () => {
    const other = await createUser(app, { networkRole: 'network_admin' })
    const attempts = [
      { method: 'POST' as const, url: `/api/v1/users/${other.id}/suspend` },
      { method: 'PATCH' as const, url: `/api/v1/users/${other.id}`, payload: { networkRole: null } },
      { method: 'DELETE' as const, url: `/api/v1/users/${other.id}` },
    ]
    for (const attempt of attempts) {
      const res = await manager.request(attempt)
      expect(res.statusCode, attempt.url).toBe(403)
      expect(errorOf(res).code).toBe('COLOPHON_USERS_TARGET_OUTRANKS')
    }
    expect((await login(other.email, other.password)).statusCode).toBe(200)
  })
})

describe('the last network admin', () => {
  let superuser: Session

  beforeAll(async () => {
    // Someone holding every capability through a custom role: allowed to act on network admins, so only
    // the last-admin rule stands between them and an adminless network.
    await createCustomNetworkRole('everything', [...NETWORK_CAPABILITIES, ...SITE_CAPABILITIES])
    superuser = await signIn(app, await createUser(app, { networkRole: 'everything' }))
  })

  it('cannot be suspended, demoted or deleted while they are the only one', async () => {
    await app.db.engine.query(
      "UPDATE users SET network_role_id = NULL WHERE email <> $1 AND network_role_id = (SELECT id FROM roles WHERE slug = 'network_admin')",
      [ADMIN.email],
    )
    const attempts = [
      { method: 'POST' as const, url: `/api/v1/users/${admin.userId}/suspend` },
      {
        method: 'PATCH' as const,
        url: `/api/v1/users/${admin.userId}`,
        payload: { networkRole: 'everything' },
      },
      { method: 'DELETE' as const, url: `/api/v1/users/${admin.userId}` },
    ]
    for (const attempt of attempts) {
      const res = await superuser.request(attempt)
      expect(res.statusCode, `${attempt.method} ${attempt.url}`).toBe(409)
      expect(errorOf(res).code).toBe('COLOPHON_USERS_LAST_ADMIN')
    }
    expect((await admin.request({ method: 'GET', url: '/api/v1/auth/me' })).json().user.networkRole).toBe(
      'network_admin',
    )
  })

  it('only active network admins count: with a second active one, either may be demoted', async () => {
    const second = await createUser(app, { networkRole: 'network_admin', status: 'suspended' })
    const blocked = await superuser.request({
      method: 'PATCH',
      url: `/api/v1/users/${admin.userId}`,
      payload: { networkRole: 'everything' },
    })
    expect(errorOf(blocked).code).toBe('COLOPHON_USERS_LAST_ADMIN')
    await app.db.engine.query("UPDATE users SET status = 'active' WHERE id = $1", [second.id])
    const demoteSecond = await admin.request({
      method: 'PATCH',
      url: `/api/v1/users/${second.id}`,
      payload: { networkRole: null },
    })
    expect(demoteSecond.statusCode).toBe(200)
  })
})

describe('deleting users', () => {
  it('deletes in one go: access removed, address freed, content handed over through the hooks', async () => {
    const heir = await createUser(app)
    const user = await createUser(app, { siteRole: 'author' })
    const session = await signIn(app, user)
    await app.db.engine.query(
      "INSERT INTO api_keys (id, user_id, name, secret_hash, scopes) VALUES ($1, $2, 'k', 'x', ARRAY['site.content.read'])",
      [newId(), user.id],
    )
    await app.db.engine.query(
      "INSERT INTO user_totp (user_id, secret, confirmed_at) VALUES ($1, 'S', now())",
      [user.id],
    )

    const res = await admin.request({
      method: 'DELETE',
      url: `/api/v1/users/${user.id}?reassignTo=${heir.id}`,
    })
    expect(res.statusCode).toBe(200)
    expect(hookCalls.at(-1)).toEqual({ userId: user.id, reassignTo: heir.id, statusDuringHook: 'active' })

    expect((await session.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401)
    expect((await login(user.email, user.password)).statusCode).toBe(401)
    const detail = (await admin.request({ method: 'GET', url: `/api/v1/users/${user.id}` })).json()
    expect(detail).toMatchObject({
      status: 'deleted',
      email: `deleted-${user.id}@invalid`,
      networkRole: null,
      twoFactorEnabled: false,
      memberships: [],
    })
    for (const table of ['api_keys', 'user_totp', 'user_sessions', 'site_members']) {
      const [row] = await app.db.engine.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} WHERE user_id = $1`,
        [user.id],
      )
      expect(row?.n, table).toBe(0)
    }
    const [hash] = await app.db.engine.query('SELECT password_hash FROM users WHERE id = $1', [user.id])
    expect(hash).toEqual({ password_hash: null })
    const audit = (await auditActions(user.id)).find((a) => a.action === 'users.user.delete')
    expect(audit?.summary).toMatchObject({ reassignTo: heir.id })

    const list = await admin.request({ method: 'GET', url: '/api/v1/users?limit=100' })
    expect((list.json().items as { id: string }[]).map((u) => u.id)).not.toContain(user.id)
    const reused = await admin.request({
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: user.email, name: 'Same address', password: PASSWORD },
    })
    expect(reused.statusCode).toBe(201)
  })

  it('keeps everything when a deletion hook fails', async () => {
    const user = await createUser(app, { siteRole: 'author' })
    const session = await signIn(app, user)
    refuseDeletionOf.add(user.id)
    const res = await admin.request({ method: 'DELETE', url: `/api/v1/users/${user.id}` })
    expect(res.statusCode).toBe(409)
    expect(errorOf(res).code).toBe('COLOPHON_TEST_HOOK_REFUSED')
    expect((await session.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(200)
    const detail = (await admin.request({ method: 'GET', url: `/api/v1/users/${user.id}` })).json()
    expect(detail).toMatchObject({ status: 'active', email: user.email, memberships: [{ role: 'author' }] })
    expect((await auditActions(user.id)).map((a) => a.action)).not.toContain('users.user.delete')
  })

  it('deletes without reassignment: the hooks are told nobody takes over', async () => {
    const user = await createUser(app)
    const res = await admin.request({ method: 'DELETE', url: `/api/v1/users/${user.id}` })
    expect(res.statusCode).toBe(200)
    expect(hookCalls.at(-1)).toMatchObject({ userId: user.id, reassignTo: null })
    const again = await admin.request({ method: 'DELETE', url: `/api/v1/users/${user.id}` })
    expect(again.statusCode).toBe(409)
    expect(errorOf(again).code).toBe('COLOPHON_USERS_STATUS_CONFLICT')
  })

  it('refuses a reassignment to the same, an unknown or an inactive user', async () => {
    const user = await createUser(app)
    const suspended = await createUser(app, { status: 'suspended' })
    const cases = [
      { reassignTo: user.id, status: 400, code: 'COLOPHON_USERS_REASSIGN_INVALID' },
      { reassignTo: newId(), status: 404, code: 'COLOPHON_USERS_NOT_FOUND' },
      { reassignTo: suspended.id, status: 400, code: 'COLOPHON_USERS_REASSIGN_INVALID' },
      { reassignTo: 'nobody', status: 400, code: 'COLOPHON_HTTP_VALIDATION_FAILED' },
    ]
    const calls = hookCalls.length
    for (const c of cases) {
      const res = await admin.request({
        method: 'DELETE',
        url: `/api/v1/users/${user.id}?reassignTo=${c.reassignTo}`,
      })
      expect(res.statusCode, c.reassignTo).toBe(c.status)
      expect(errorOf(res).code).toBe(c.code)
    }
    expect(hookCalls.length).toBe(calls)
    expect((await login(user.email, user.password)).statusCode).toBe(200)
  })

  it('refuses to delete yourself', async () => {
    const res = await admin.request({ method: 'DELETE', url: `/api/v1/users/${admin.userId}` })
    expect(res.statusCode).toBe(409)
    expect(errorOf(res).code).toBe('COLOPHON_USERS_SELF')
  })
})
