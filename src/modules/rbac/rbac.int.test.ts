import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../platform/db/index.ts'
import { createTestApp, errorOf, queryCount, type TestApp } from '../../../test/harness/test-app.ts'
import { createUser, mainSiteId, signIn, signInAdmin, type Session } from '../../../test/harness/identity.ts'
import { createSite } from '../../../test/harness/factories.ts'
import { BUILTIN_ROLE_CAPABILITIES, SITE_CAPABILITIES } from './index.ts'

let app: TestApp
let admin: Session
let main: string

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  admin = await signInAdmin(app)
  main = await mainSiteId(app)
})
afterAll(() => app?.close())

const AUTHOR_CAPS = BUILTIN_ROLE_CAPABILITIES.author as readonly string[]

async function signedInAs(options: Parameters<typeof createUser>[1]): Promise<Session> {
  return signIn(app, await createUser(app, options))
}

async function createRole(session: Session, body: Record<string, unknown>) {
  return session.request({ method: 'POST', url: '/api/v1/roles', payload: body })
}

async function roleIdOf(slug: string): Promise<string> {
  const [row] = await app.db.engine.query<{ id: string }>('SELECT id FROM roles WHERE slug = $1', [slug])
  if (!row) throw new Error(`no role ${slug}`)
  return row.id
}

function putMember(session: Session, userId: string, role: string, site = main) {
  return session.request({
    method: 'PUT',
    url: `/api/v1/sites/${site}/members/${userId}`,
    payload: { role },
  })
}

async function memberRole(userId: string, site = main): Promise<string | null> {
  const [row] = await app.db.engine.query<{ slug: string }>(
    'SELECT r.slug FROM site_members m JOIN roles r ON r.id = m.role_id WHERE m.site_id = $1 AND m.user_id = $2',
    [site, userId],
  )
  return row?.slug ?? null
}

describe('capability vocabulary and roles', () => {
  it('shows the vocabulary to any signed-in user and to nobody else', async () => {
    const author = await signedInAs({ siteRole: 'author' })
    const res = await author.request({ method: 'GET', url: '/api/v1/capabilities' })
    expect(res.statusCode).toBe(200)
    expect(res.json().items).toContainEqual(
      expect.objectContaining({ name: 'network.roles.manage', scope: 'network' }),
    )
    const anonymous = await app.server.inject({ method: 'GET', url: '/api/v1/capabilities' })
    expect(anonymous.statusCode).toBe(401)
    expect(errorOf(anonymous).code).toBe('COLOPHON_AUTH_REQUIRED')
  })

  it('lists roles with resolved capabilities in a constant number of queries', async () => {
    const first = await admin.request({ method: 'GET', url: '/api/v1/roles' })
    expect(first.statusCode).toBe(200)
    const items = first.json().items as {
      slug: string
      capabilities: string[]
      builtin: boolean
      holders: number
    }[]
    const administrator = items.find((r) => r.slug === 'administrator')
    expect(administrator).toMatchObject({ builtin: true, capabilities: [...SITE_CAPABILITIES] })
    const subscriber = items.find((r) => r.slug === 'subscriber')
    expect(subscriber?.builtin).toBe(false)
    expect(subscriber?.capabilities.toSorted()).toEqual(['site.comments.create', 'site.content.read.private'])
    expect(items.find((r) => r.slug === 'network_admin')?.holders).toBeGreaterThanOrEqual(1)
    await createRole(admin, { slug: 'list-a', name: 'A', scope: 'site', capabilities: ['site.seo.manage'] })
    await createRole(admin, { slug: 'list-b', name: 'B', scope: 'site', capabilities: ['site.menus.manage'] })
    const second = await admin.request({ method: 'GET', url: '/api/v1/roles' })
    expect(second.json().items).toHaveLength(items.length + 2)
    expect(queryCount(first)).toBeLessThanOrEqual(3)
    expect(queryCount(second)).toBe(queryCount(first))
  })

  it('hides holder counts from callers who do not manage roles', async () => {
    const author = await signedInAs({ siteRole: 'author' })
    const res = await author.request({ method: 'GET', url: '/api/v1/roles' })
    expect(res.statusCode).toBe(200)
    expect((res.json().items as { holders: unknown }[]).every((r) => r.holders === null)).toBe(true)
  })

  it('lets a network admin create, edit and delete a custom role, audited with before and after', async () => {
    const created = await createRole(admin, {
      slug: 'reviewer',
      name: 'Reviewer',
      scope: 'site',
      capabilities: ['site.content.publish.*', 'site.comments.moderate'],
    })
    expect(created.statusCode).toBe(201)
    const role = created.json()
    expect(role.capabilities).toEqual([
      'site.comments.moderate',
      'site.content.publish.any',
      'site.content.publish.own',
    ])
    const edited = await admin.request({
      method: 'PATCH',
      url: `/api/v1/roles/${role.id}`,
      payload: { name: 'Copy reviewer', capabilities: ['site.content.read'] },
    })
    expect(edited.statusCode).toBe(200)
    // The retired name is an alias of the two capabilities that replaced it (ADR 0009).
    const readBoth = ['site.content.read.drafts', 'site.content.read.private']
    expect(edited.json()).toMatchObject({ name: 'Copy reviewer', capabilities: readBoth })
    const read = await admin.request({ method: 'GET', url: `/api/v1/roles/${role.id}` })
    expect(read.json()).toMatchObject({ slug: 'reviewer', name: 'Copy reviewer', holders: 0 })
    expect(queryCount(read)).toBeLessThanOrEqual(3)

    const removed = await admin.request({ method: 'DELETE', url: `/api/v1/roles/${role.id}` })
    expect(removed.statusCode).toBe(200)
    const gone = await admin.request({ method: 'GET', url: `/api/v1/roles/${role.id}` })
    expect(gone.statusCode).toBe(404)
    expect(errorOf(gone).code).toBe('COLOPHON_RBAC_ROLE_NOT_FOUND')

    const audit = await app.db.engine.query<{ action: string; summary: Record<string, unknown> }>(
      "SELECT action, summary FROM audit_log WHERE target_type = 'role' AND target_id = $1 ORDER BY id",
      [role.id],
    )
    expect(audit.map((a) => a.action)).toEqual(['rbac.role.create', 'rbac.role.update', 'rbac.role.delete'])
    expect(audit[1]?.summary).toMatchObject({
      before: { capabilities: role.capabilities },
      after: { capabilities: readBoth },
    })
  })

  it('refuses unknown capabilities and a site role holding a network capability', async () => {
    const unknown = await createRole(admin, {
      slug: 'odd',
      name: 'Odd',
      scope: 'site',
      capabilities: ['site.content.read', 'site.teleport', 'site.nothing.*'],
    })
    expect(unknown.statusCode).toBe(400)
    expect(errorOf(unknown)).toMatchObject({
      code: 'COLOPHON_RBAC_CAPABILITY_UNKNOWN',
      details: { unknown: ['site.teleport', 'site.nothing.*'] },
    })
    const mixed = await createRole(admin, {
      slug: 'mixed',
      name: 'Mixed',
      scope: 'site',
      capabilities: ['site.content.read', 'network.users.read'],
    })
    expect(mixed.statusCode).toBe(400)
    expect(errorOf(mixed)).toMatchObject({
      code: 'COLOPHON_RBAC_SCOPE_MISMATCH',
      details: { capabilities: ['network.users.read'] },
    })
    const [row] = await app.db.engine.query("SELECT 1 FROM roles WHERE slug IN ('odd', 'mixed')")
    expect(row).toBeUndefined()
  })

  it('refuses a slug already taken and a malformed body', async () => {
    const taken = await createRole(admin, {
      slug: 'editor',
      name: 'Editor 2',
      scope: 'site',
      capabilities: [],
    })
    expect(taken.statusCode).toBe(409)
    expect(errorOf(taken).code).toBe('COLOPHON_RBAC_ROLE_SLUG_TAKEN')
    const typed = await createRole(admin, { slug: 'typed', name: 'T', scope: 'site', capabilities: 'site.*' })
    expect(typed.statusCode).toBe(400)
    expect(errorOf(typed).code).toBe('COLOPHON_HTTP_VALIDATION_FAILED')
    const extra = await createRole(admin, {
      slug: 'extra',
      name: 'X',
      scope: 'site',
      capabilities: [],
      isBuiltin: true,
    })
    expect(extra.statusCode).toBe(400)
  })

  it('refuses an author creating a role with network capabilities', async () => {
    const author = await signedInAs({ siteRole: 'author' })
    const res = await createRole(author, {
      slug: 'takeover',
      name: 'T',
      scope: 'network',
      capabilities: ['network.*'],
    })
    expect(res.statusCode).toBe(403)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_FORBIDDEN')
  })

  it('refuses a site administrator creating roles (roles are a network matter)', async () => {
    const siteAdmin = await signedInAs({ siteRole: 'administrator' })
    const res = await createRole(siteAdmin, { slug: 'mine', name: 'Mine', scope: 'site', capabilities: [] })
    expect(res.statusCode).toBe(403)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_FORBIDDEN')
  })

  it('refuses a role manager defining or changing a role beyond their own capabilities', async () => {
    const clerkRole = await createRole(admin, {
      slug: 'role-clerk',
      name: 'Role clerk',
      scope: 'network',
      capabilities: ['network.roles.manage', 'site.content.read'],
    })
    expect(clerkRole.statusCode).toBe(201)
    const clerk = await signedInAs({ networkRole: 'role-clerk' })

    const wide = await createRole(clerk, {
      slug: 'wide',
      name: 'Wide',
      scope: 'network',
      capabilities: ['network.*'],
    })
    expect(wide.statusCode).toBe(403)
    const error = errorOf(wide)
    expect(error.code).toBe('COLOPHON_RBAC_ESCALATION')
    expect((error.details as { missing: string[] }).missing).toContain('network.users.manage')
    expect((error.details as { missing: string[] }).missing).not.toContain('network.roles.manage')

    const narrow = await createRole(clerk, {
      slug: 'reader',
      name: 'Reader',
      scope: 'site',
      capabilities: ['site.content.read'],
    })
    expect(narrow.statusCode).toBe(201)
    const widen = await clerk.request({
      method: 'PATCH',
      url: `/api/v1/roles/${narrow.json().id}`,
      payload: { capabilities: ['site.content.read', 'site.members.manage'] },
    })
    expect(widen.statusCode).toBe(403)
    expect(errorOf(widen).code).toBe('COLOPHON_RBAC_ESCALATION')

    // The subscriber role holds site.comments.create, which the clerk lacks: no narrowing it either.
    const subscriber = await roleIdOf('subscriber')
    const narrowAbove = await clerk.request({
      method: 'PATCH',
      url: `/api/v1/roles/${subscriber}`,
      payload: { capabilities: ['site.content.read'] },
    })
    expect(narrowAbove.statusCode).toBe(403)
    expect(errorOf(narrowAbove).code).toBe('COLOPHON_RBAC_ESCALATION')
    const deleteAbove = await clerk.request({ method: 'DELETE', url: `/api/v1/roles/${subscriber}` })
    expect(errorOf(deleteAbove).code).toBe('COLOPHON_RBAC_ESCALATION')

    // Requiring 2FA only tightens, so a role manager may turn it on; turning it off needs the role's reach.
    const author = await roleIdOf('author')
    const tighten = await clerk.request({
      method: 'PATCH',
      url: `/api/v1/roles/${author}`,
      payload: { require2fa: true },
    })
    expect(tighten.statusCode).toBe(200)
    expect(tighten.json()).toMatchObject({ slug: 'author', builtin: true, require2fa: true })
    const loosen = await clerk.request({
      method: 'PATCH',
      url: `/api/v1/roles/${author}`,
      payload: { require2fa: false },
    })
    expect(loosen.statusCode).toBe(403)
    expect(errorOf(loosen).code).toBe('COLOPHON_RBAC_ESCALATION')
    const reset = await admin.request({
      method: 'PATCH',
      url: `/api/v1/roles/${author}`,
      payload: { require2fa: false },
    })
    expect(reset.statusCode).toBe(200)
    expect(reset.json().require2fa).toBe(false)
  })

  it('keeps built-in roles as shipped: no redefining, no deleting', async () => {
    const editor = await roleIdOf('editor')
    for (const payload of [{ name: 'Chief' }, { capabilities: ['site.content.read'] }]) {
      const res = await admin.request({ method: 'PATCH', url: `/api/v1/roles/${editor}`, payload })
      expect(res.statusCode).toBe(409)
      expect(errorOf(res).code).toBe('COLOPHON_RBAC_ROLE_BUILTIN')
    }
    const deleted = await admin.request({ method: 'DELETE', url: `/api/v1/roles/${editor}` })
    expect(deleted.statusCode).toBe(409)
    expect(errorOf(deleted).code).toBe('COLOPHON_RBAC_ROLE_BUILTIN')
    const empty = await admin.request({ method: 'PATCH', url: `/api/v1/roles/${editor}`, payload: {} })
    expect(empty.statusCode).toBe(400)
  })

  it('refuses to delete a role someone holds', async () => {
    const role = (
      await createRole(admin, {
        slug: 'proofreader',
        name: 'Proofreader',
        scope: 'site',
        capabilities: ['site.content.read'],
      })
    ).json()
    const member = await createUser(app)
    expect((await putMember(admin, member.id, 'proofreader')).statusCode).toBe(201)
    const inUse = await admin.request({ method: 'DELETE', url: `/api/v1/roles/${role.id}` })
    expect(inUse.statusCode).toBe(409)
    expect(errorOf(inUse)).toMatchObject({ code: 'COLOPHON_RBAC_ROLE_IN_USE', details: { holders: 1 } })
    await admin.request({ method: 'DELETE', url: `/api/v1/sites/${main}/members/${member.id}` })
    expect((await admin.request({ method: 'DELETE', url: `/api/v1/roles/${role.id}` })).statusCode).toBe(200)

    // A network role counts its holders through users' network role.
    const clerkRole = await admin.request({
      method: 'DELETE',
      url: `/api/v1/roles/${await roleIdOf('role-clerk')}`,
    })
    expect(clerkRole.statusCode).toBe(409)
    expect(errorOf(clerkRole)).toMatchObject({ code: 'COLOPHON_RBAC_ROLE_IN_USE', details: { holders: 1 } })
  })

  it('answers 404 for an unknown role and 400 for a malformed id', async () => {
    const unknown = await admin.request({
      method: 'PATCH',
      url: `/api/v1/roles/${newId()}`,
      payload: { name: 'X' },
    })
    expect(unknown.statusCode).toBe(404)
    expect(errorOf(unknown).code).toBe('COLOPHON_RBAC_ROLE_NOT_FOUND')
    const malformed = await admin.request({ method: 'GET', url: '/api/v1/roles/not-a-uuid' })
    expect(malformed.statusCode).toBe(400)
  })
})

describe('site members', () => {
  let manager: Session
  let doorkeeper: Session

  beforeAll(async () => {
    // A manager holds the members capabilities and everything an author has, but not an editor's reach.
    const managerRole = await createRole(admin, {
      slug: 'manager',
      name: 'Manager',
      scope: 'site',
      capabilities: ['site.members.manage', 'site.members.read', ...AUTHOR_CAPS],
    })
    expect(managerRole.statusCode).toBe(201)
    const doorkeeperRole = await createRole(admin, {
      slug: 'doorkeeper',
      name: 'Doorkeeper',
      scope: 'site',
      capabilities: ['site.members.*'],
    })
    expect(doorkeeperRole.statusCode).toBe(201)
    manager = await signedInAs({ siteRole: 'manager' })
    doorkeeper = await signedInAs({ siteRole: 'doorkeeper' })
  })

  it('lists members with user, email and role in a constant number of queries', async () => {
    const editor = await signedInAs({ siteRole: 'editor' })
    const first = await editor.request({ method: 'GET', url: `/api/v1/sites/${main}/members` })
    expect(first.statusCode).toBe(200)
    const mine = (first.json().items as { userId: string }[]).find((m) => m.userId === editor.userId)
    expect(mine).toMatchObject({ role: { slug: 'editor' }, status: 'active' })
    expect(mine).toHaveProperty('email')
    await createUser(app, { siteRole: 'author' })
    await createUser(app, { siteRole: 'subscriber' })
    const second = await editor.request({ method: 'GET', url: `/api/v1/sites/${main}/members` })
    expect(second.json().items).toHaveLength(first.json().items.length + 2)
    expect(queryCount(first)).toBeLessThanOrEqual(4)
    expect(queryCount(second)).toBe(queryCount(first))
  })

  it('pages the members list with a cursor', async () => {
    const page1 = await admin.request({ method: 'GET', url: `/api/v1/sites/${main}/members?limit=2` })
    expect(page1.json().items).toHaveLength(2)
    const cursor = page1.json().nextCursor as string
    expect(cursor).toBe(page1.json().items[1].userId)
    const page2 = await admin.request({
      method: 'GET',
      url: `/api/v1/sites/${main}/members?limit=2&cursor=${cursor}`,
    })
    expect(page2.json().items[0].userId < cursor).toBe(true)
    const tooMany = await admin.request({ method: 'GET', url: `/api/v1/sites/${main}/members?limit=1000` })
    expect(tooMany.statusCode).toBe(400)
  })

  it('refuses an editor granting administrator (editors cannot manage members)', async () => {
    const editor = await signedInAs({ siteRole: 'editor' })
    const target = await createUser(app, { siteRole: 'author' })
    const res = await putMember(editor, target.id, 'administrator')
    expect(res.statusCode).toBe(403)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_FORBIDDEN')
    expect(await memberRole(target.id)).toBe('author')
  })

  it('refuses a manager granting a role beyond their own capabilities', async () => {
    const target = await createUser(app)
    const res = await putMember(manager, target.id, 'administrator')
    expect(res.statusCode).toBe(403)
    const error = errorOf(res)
    expect(error.code).toBe('COLOPHON_RBAC_ESCALATION')
    expect((error.details as { missing: string[] }).missing).toContain('site.settings.manage')
    expect((await putMember(manager, target.id, 'editor')).statusCode).toBe(403)
    expect(await memberRole(target.id)).toBeNull()
  })

  it('lets a manager who holds every author capability make a member an author; one who does not is refused', async () => {
    const target = await createUser(app, { siteRole: 'subscriber' })
    const refused = await putMember(doorkeeper, target.id, 'author')
    expect(refused.statusCode).toBe(403)
    expect(errorOf(refused).code).toBe('COLOPHON_RBAC_ESCALATION')
    const changed = await putMember(manager, target.id, 'author')
    expect(changed.statusCode).toBe(200)
    expect(changed.json()).toMatchObject({ userId: target.id, role: { slug: 'author' } })
    expect(await memberRole(target.id)).toBe('author')
    const again = await putMember(manager, target.id, 'author')
    expect(again.statusCode).toBe(200)
  })

  it('refuses a manager demoting or removing an administrator, who outranks them', async () => {
    const siteAdmin = await createUser(app, { siteRole: 'administrator' })
    const demote = await putMember(manager, siteAdmin.id, 'author')
    expect(demote.statusCode).toBe(403)
    expect(errorOf(demote).code).toBe('COLOPHON_USERS_TARGET_OUTRANKS')
    const remove = await manager.request({
      method: 'DELETE',
      url: `/api/v1/sites/${main}/members/${siteAdmin.id}`,
    })
    expect(remove.statusCode).toBe(403)
    expect(errorOf(remove).code).toBe('COLOPHON_USERS_TARGET_OUTRANKS')
    expect(await memberRole(siteAdmin.id)).toBe('administrator')
  })

  it('refuses anyone changing their own membership, a network admin included', async () => {
    const adminRoleBefore = await memberRole(admin.userId)
    const own = await putMember(admin, admin.userId, 'author')
    expect(own.statusCode).toBe(403)
    expect(errorOf(own).code).toBe('COLOPHON_RBAC_OWN_ROLE')
    const promote = await putMember(manager, manager.userId, 'author')
    expect(errorOf(promote).code).toBe('COLOPHON_RBAC_OWN_ROLE')
    const leave = await manager.request({
      method: 'DELETE',
      url: `/api/v1/sites/${main}/members/${manager.userId}`,
    })
    expect(errorOf(leave).code).toBe('COLOPHON_RBAC_OWN_ROLE')
    expect(await memberRole(manager.userId)).toBe('manager')
    expect(await memberRole(admin.userId)).toBe(adminRoleBefore)
  })

  it('ends the member’s sessions when their role changes or they are removed, not when they are added', async () => {
    const user = await createUser(app)
    const before = await signIn(app, user)
    expect((await putMember(admin, user.id, 'author')).statusCode).toBe(201)
    expect((await before.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(200)

    expect((await putMember(admin, user.id, 'editor')).statusCode).toBe(200)
    const afterChange = await before.request({ method: 'GET', url: '/api/v1/auth/me' })
    expect(afterChange.statusCode).toBe(401)
    expect(errorOf(afterChange).code).toBe('COLOPHON_AUTH_REQUIRED')

    const next = await signIn(app, user)
    const removed = await admin.request({ method: 'DELETE', url: `/api/v1/sites/${main}/members/${user.id}` })
    expect(removed.statusCode).toBe(200)
    expect((await next.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401)
    expect(await memberRole(user.id)).toBeNull()

    const audit = await app.db.engine.query<{
      action: string
      site_id: string
      summary: Record<string, unknown>
    }>(
      "SELECT action, site_id, summary FROM audit_log WHERE target_type = 'user' AND target_id = $1 AND action LIKE 'rbac.%' ORDER BY id",
      [user.id],
    )
    expect(audit.map((a) => a.action)).toEqual([
      'rbac.member.add',
      'rbac.member.update',
      'rbac.member.remove',
    ])
    expect(audit.every((a) => a.site_id === main)).toBe(true)
    expect(audit[1]?.summary).toMatchObject({ siteId: main, before: 'author', after: 'editor' })
  })

  it('grants site roles only, to users who exist', async () => {
    const user = await createUser(app)
    for (const role of ['network_admin', 'role-clerk', 'no-such-role']) {
      const res = await putMember(admin, user.id, role)
      expect(res.statusCode).toBe(400)
      expect(errorOf(res).code).toBe('COLOPHON_RBAC_SITE_ROLE_REQUIRED')
    }
    const missing = await putMember(admin, newId(), 'author')
    expect(missing.statusCode).toBe(404)
    expect(errorOf(missing)).toMatchObject({ code: 'COLOPHON_USERS_NOT_FOUND', message: 'No such user.' })
    await app.db.engine.query("UPDATE users SET status = 'deleted' WHERE id = $1", [user.id])
    const deleted = await putMember(admin, user.id, 'author')
    expect(errorOf(deleted).code).toBe('COLOPHON_USERS_NOT_FOUND')
    const stranger = await createUser(app)
    const notMember = await admin.request({
      method: 'DELETE',
      url: `/api/v1/sites/${main}/members/${stranger.id}`,
    })
    expect(notMember.statusCode).toBe(404)
    expect(errorOf(notMember).code).toBe('COLOPHON_RBAC_MEMBER_NOT_FOUND')
  })

  it('keeps each site’s members to that site', async () => {
    const other = await createSite(app, { slug: `other-${newId().slice(-6)}` })
    const onMain = await createUser(app, { siteRole: 'author' })
    const otherAdmin = await signedInAs({ siteRole: 'administrator', site: other })
    const onOther = await createUser(app, { siteRole: 'author', site: other })
    expect((await putMember(otherAdmin, onOther.id, 'editor', other)).statusCode).toBe(200)
    // A member of the main site is nobody on the other one: no adding them by id.
    const pull = await putMember(otherAdmin, onMain.id, 'editor', other)
    expect(pull.statusCode).toBe(404)
    expect(errorOf(pull).code).toBe('COLOPHON_RBAC_MEMBER_NOT_FOUND')

    const otherList = await otherAdmin.request({ method: 'GET', url: `/api/v1/sites/${other}/members` })
    expect(otherList.statusCode).toBe(200)
    const otherIds = (otherList.json().items as { userId: string }[]).map((m) => m.userId)
    expect(otherIds.sort()).toEqual([otherAdmin.userId, onOther.id].sort())
    const mainList = await admin.request({ method: 'GET', url: `/api/v1/sites/${main}/members?limit=100` })
    const mainIds = (mainList.json().items as { userId: string }[]).map((m) => m.userId)
    expect(mainIds).toContain(onMain.id)
    expect(mainIds).not.toContain(onOther.id)

    // An administrator of one site has no say on another, whatever id they pass.
    const peek = await otherAdmin.request({ method: 'GET', url: `/api/v1/sites/${main}/members` })
    expect(peek.statusCode).toBe(403)
    expect(errorOf(peek).code).toBe('COLOPHON_AUTH_FORBIDDEN')
    const grab = await putMember(otherAdmin, onMain.id, 'administrator', main)
    expect(grab.statusCode).toBe(403)
    expect(errorOf(grab).code).toBe('COLOPHON_AUTH_FORBIDDEN')
    expect(await memberRole(onMain.id)).toBe('author')
  })
})

describe('adding members by id', () => {
  it('answers a site administrator the same for an unknown id, a non-member and a deleted user, without their email', async () => {
    const siteAdmin = await signedInAs({ siteRole: 'administrator' })
    const stranger = await createUser(app, { email: `stranger-${newId().slice(-6)}@example.com` })
    const gone = await createUser(app)
    await app.db.engine.query("UPDATE users SET status = 'deleted' WHERE id = $1", [gone.id])
    const elsewhere = await createUser(app, {
      siteRole: 'editor',
      site: await createSite(app, { slug: `x-${newId().slice(-6)}` }),
    })
    for (const method of ['PUT', 'DELETE'] as const) {
      const answers = []
      for (const id of [newId(), stranger.id, gone.id, elsewhere.id]) {
        const res = await siteAdmin.request({
          method,
          url: `/api/v1/sites/${main}/members/${id}`,
          ...(method === 'PUT' ? { payload: { role: 'author' } } : {}),
        })
        expect(res.statusCode, res.body).toBe(404)
        expect(res.body).not.toContain(stranger.email)
        const { code, message, details } = errorOf(res)
        expect(details).toEqual({ userId: id })
        answers.push({ code, message })
      }
      expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1)
      expect(answers[0]?.code).toBe('COLOPHON_RBAC_MEMBER_NOT_FOUND')
    }
    expect(await memberRole(stranger.id)).toBeNull()
  })

  it('still lets a network admin add an existing user directly', async () => {
    const user = await createUser(app)
    const res = await putMember(admin, user.id, 'editor')
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ userId: user.id, email: user.email, role: { slug: 'editor' } })
    expect(await memberRole(user.id)).toBe('editor')
  })
})

describe('memberships of those above', () => {
  let site: string
  let owner: Awaited<ReturnType<typeof createUser>>
  let siteAdmin: Session

  beforeAll(async () => {
    site = await createSite(app, { slug: `owned-${newId().slice(-6)}` })
    owner = await createUser(app, { siteRole: 'administrator', site })
    await app.db.engine.query('UPDATE sites SET owner_id = $1 WHERE id = $2', [owner.id, site])
    siteAdmin = await signedInAs({ siteRole: 'administrator', site })
  })

  async function attempts(userId: string) {
    const demote = await putMember(siteAdmin, userId, 'author', site)
    const remove = await siteAdmin.request({
      method: 'DELETE',
      url: `/api/v1/sites/${site}/members/${userId}`,
    })
    return [demote, remove]
  }

  it('refuses a site administrator demoting or removing a network admin, who stays signed in', async () => {
    const networkAdmin = await createUser(app, { networkRole: 'network_admin', siteRole: 'editor', site })
    const session = await signIn(app, networkAdmin)
    for (const res of await attempts(networkAdmin.id)) {
      expect(res.statusCode).toBe(403)
      expect(errorOf(res).code).toBe('COLOPHON_USERS_TARGET_OUTRANKS')
      expect((errorOf(res).details as { missing: string[] }).missing).toContain('network.users.manage')
    }
    expect(await memberRole(networkAdmin.id, site)).toBe('editor')
    expect((await session.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(200)
  })

  it('refuses a fellow administrator demoting or removing the site owner; a network admin may', async () => {
    const session = await signIn(app, owner)
    for (const res of await attempts(owner.id)) {
      expect(res.statusCode).toBe(403)
      expect(errorOf(res)).toMatchObject({
        code: 'COLOPHON_USERS_TARGET_OUTRANKS',
        details: { missing: ['network.sites.manage'], siteOwner: true },
      })
    }
    expect(await memberRole(owner.id, site)).toBe('administrator')
    expect((await session.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(200)
    expect((await putMember(admin, owner.id, 'editor', site)).statusCode).toBe(200)
    expect(await memberRole(owner.id, site)).toBe('editor')
  })

  it('still lets a site administrator change and remove members below them', async () => {
    const author = await createUser(app, { siteRole: 'author', site })
    const [demote, remove] = await attempts(author.id)
    expect(demote?.statusCode).toBe(200)
    expect(remove?.statusCode).toBe(200)
    expect(await memberRole(author.id, site)).toBeNull()
  })
})
