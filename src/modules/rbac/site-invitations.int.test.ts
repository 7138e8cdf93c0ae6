import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../platform/db/index.ts'
import { createTestApp, errorOf, queryCount, type TestApp } from '../../../test/harness/test-app.ts'
import {
  PASSWORD,
  createUser,
  mainSiteId,
  signIn,
  signInAdmin,
  type Session,
} from '../../../test/harness/identity.ts'
import { linkOf, mailTo } from '../../../test/harness/mail.ts'
import { createSite } from '../../../test/harness/factories.ts'

/**
 * Site invitations (ADR 0008): site administrators add people by email, never by user
 * id, and learn nothing about the address; the invitee accepts with the mailed link.
 */

let app: TestApp
let admin: Session
let main: string
let siteAdmin: Session

const address = (label: string) => `${label}-${newId().slice(-8)}@example.com`

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  admin = await signInAdmin(app)
  main = await mainSiteId(app)
  siteAdmin = await signIn(app, await createUser(app, { siteRole: 'administrator' }))
})
afterAll(() => app?.close())

function invite(session: Session, body: Record<string, unknown>, site = main) {
  return session.request({ method: 'POST', url: `/api/v1/sites/${site}/invitations`, payload: body })
}

function accept(body: Record<string, unknown>) {
  return app.server.inject({ method: 'POST', url: '/api/v1/site-invitations/accept', payload: body })
}

/** The token of the newest invitation mailed to `to`. */
async function tokenFor(to: string): Promise<string> {
  const [mail] = await mailTo(app, admin, to)
  if (!mail) throw new Error(`no mail to ${to}`)
  return linkOf(mail).token
}

async function memberRole(userId: string, site = main): Promise<string | null> {
  const [row] = await app.db.engine.query<{ slug: string }>(
    'SELECT r.slug FROM site_members m JOIN roles r ON r.id = m.role_id WHERE m.site_id = $1 AND m.user_id = $2',
    [site, userId],
  )
  return row?.slug ?? null
}

/** A reply as the inviter sees it, with what differs by nature (id, address, times) blanked. */
function shapeOf(res: LightMyRequestResponse, email: string): string {
  return res.body
    .replaceAll(email, '<email>')
    .replace(/"id":"[^"]+"(?=,"email")/, '"id":"<id>"')
    .replace(/"(createdAt|expiresAt)":"[^"]+"/g, '"$1":"<time>"')
}

describe('inviting', () => {
  it('answers the same whether or not the address has an account, and mails a link to join', async () => {
    const known = await createUser(app, { email: address('known'), name: 'Known Person' })
    const unknown = address('unknown')
    const first = await invite(siteAdmin, { email: known.email, role: 'author' })
    const second = await invite(siteAdmin, { email: unknown, role: 'author' })
    expect(first.statusCode).toBe(201)
    expect(second.statusCode).toBe(201)
    expect(shapeOf(first, known.email)).toBe(shapeOf(second, unknown))
    expect(first.body).not.toContain(known.id)
    expect(first.body).not.toContain('Known Person')
    expect(first.json()).toMatchObject({ email: known.email, role: { slug: 'author' }, name: null })
    for (const to of [known.email, unknown]) {
      const [mail] = await mailTo(app, admin, to)
      expect(mail?.subject).toContain('invited')
      expect(linkOf(mail!).link).toContain('/admin/join-site#token=')
      expect(JSON.stringify(first.json())).not.toContain(linkOf(mail!).token)
    }
  })

  it('lets an existing user join with the link alone, in the role they were invited to', async () => {
    const user = await createUser(app, { email: address('joiner') })
    expect((await invite(siteAdmin, { email: user.email.toUpperCase(), role: 'editor' })).statusCode).toBe(
      201,
    )
    const token = await tokenFor(user.email)
    const page = await app.server.inject({ method: 'GET', url: '/admin/join-site' })
    expect(page.statusCode).toBe(200)
    const res = await accept({ token })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ role: { slug: 'editor' }, accountCreated: false, site: { id: main } })
    expect(await memberRole(user.id)).toBe('editor')
    const audit = await app.db.engine.query<{ action: string; actor_id: string | null; site_id: string }>(
      "SELECT action, actor_id, site_id FROM audit_log WHERE action LIKE 'rbac.invitation.%' AND (target_id = $1 OR summary->>'email' = $2) ORDER BY id",
      [user.id, user.email],
    )
    expect(audit.map((a) => a.action)).toEqual(['rbac.invitation.create', 'rbac.invitation.accept'])
    expect(audit[1]).toMatchObject({ actor_id: user.id, site_id: main })
  })

  it('lets an address without an account choose a name and password, then sign in as a member', async () => {
    const email = address('newcomer')
    expect((await invite(siteAdmin, { email, role: 'author', name: 'Suggested' })).statusCode).toBe(201)
    const token = await tokenFor(email)
    const missing = await accept({ token })
    expect(missing.statusCode).toBe(400)
    expect(errorOf(missing).code).toBe('COLOPHON_RBAC_INVITATION_PASSWORD_REQUIRED')
    const weak = await accept({ token, password: 'password123' })
    expect(weak.statusCode).toBe(400)
    expect(errorOf(weak).code).toBe('COLOPHON_AUTH_PASSWORD_WEAK')
    const res = await accept({ token, name: 'New Comer', password: PASSWORD })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ accountCreated: true, role: { slug: 'author' } })
    const session = await signIn(app, { email, password: PASSWORD })
    const me = await session.request({ method: 'GET', url: '/api/v1/auth/me' })
    expect(me.json().user).toMatchObject({ email, name: 'New Comer', status: 'active', networkRole: null })
    expect(await memberRole(session.userId)).toBe('author')
  })

  it('works once, and not after it expired', async () => {
    const email = address('once')
    await invite(siteAdmin, { email, role: 'author' })
    const token = await tokenFor(email)
    expect((await accept({ token, password: PASSWORD })).statusCode).toBe(200)
    const again = await accept({ token, password: PASSWORD })
    expect(again.statusCode).toBe(400)
    expect(errorOf(again).code).toBe('COLOPHON_RBAC_INVITATION_INVALID')

    const late = address('late')
    await invite(siteAdmin, { email: late, role: 'author' })
    const lateToken = await tokenFor(late)
    await app.db.engine.query(
      "UPDATE site_invitations SET expires_at = now() - interval '1 minute' WHERE email = $1",
      [late],
    )
    const expired = await accept({ token: lateToken, password: PASSWORD })
    expect(errorOf(expired).code).toBe('COLOPHON_RBAC_INVITATION_INVALID')
    const list = await siteAdmin.request({ method: 'GET', url: `/api/v1/sites/${main}/invitations` })
    expect((list.json().items as { email: string }[]).map((i) => i.email)).not.toContain(late)
    const [row] = await app.db.engine.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM users WHERE email = $1',
      [late],
    )
    expect(row?.n).toBe(0)
  })

  it('replaces an earlier link when the same address is invited again', async () => {
    const email = address('twice')
    await invite(siteAdmin, { email, role: 'author' })
    const old = await tokenFor(email)
    await invite(siteAdmin, { email, role: 'editor' })
    const fresh = await tokenFor(email)
    expect(fresh).not.toBe(old)
    expect(errorOf(await accept({ token: old, password: PASSWORD })).code).toBe(
      'COLOPHON_RBAC_INVITATION_INVALID',
    )
    const res = await accept({ token: fresh, password: PASSWORD })
    expect(res.json()).toMatchObject({ role: { slug: 'editor' } })
  })

  it('refuses suspended and deleted accounts with a coded error, adding nobody', async () => {
    const suspended = await createUser(app, { email: address('suspended'), status: 'suspended' })
    await invite(siteAdmin, { email: suspended.email, role: 'author' })
    const refused = await accept({ token: await tokenFor(suspended.email), password: PASSWORD })
    expect(refused.statusCode).toBe(409)
    expect(errorOf(refused).code).toBe('COLOPHON_RBAC_INVITATION_ACCOUNT_INACTIVE')
    expect(await memberRole(suspended.id)).toBeNull()

    // Deleting frees the address; the invitation made for that account must not create a new one.
    const doomed = await createUser(app, { email: address('doomed') })
    await invite(siteAdmin, { email: doomed.email, role: 'author' })
    const token = await tokenFor(doomed.email)
    expect((await admin.request({ method: 'DELETE', url: `/api/v1/users/${doomed.id}` })).statusCode).toBe(
      200,
    )
    const gone = await accept({ token, password: PASSWORD })
    expect(gone.statusCode).toBe(409)
    expect(errorOf(gone).code).toBe('COLOPHON_RBAC_INVITATION_ACCOUNT_INACTIVE')
    const [row] = await app.db.engine.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM users WHERE email = $1',
      [doomed.email],
    )
    expect(row?.n).toBe(0)
  })

  it('refuses roles beyond the inviter, network roles, members’ addresses, and callers who cannot manage members', async () => {
    const manager = await signIn(app, await createUser(app, { siteRole: 'editor', email: address('editor') }))
    const notAllowed = await invite(manager, { email: address('x'), role: 'author' })
    expect(notAllowed.statusCode).toBe(403)
    expect(errorOf(notAllowed).code).toBe('COLOPHON_AUTH_FORBIDDEN')

    const networkRole = await invite(siteAdmin, { email: address('x'), role: 'network_admin' })
    expect(errorOf(networkRole).code).toBe('COLOPHON_RBAC_SITE_ROLE_REQUIRED')

    const doorkeeper = await admin.request({
      method: 'POST',
      url: '/api/v1/roles',
      payload: { slug: 'gatekeeper', name: 'Gatekeeper', scope: 'site', capabilities: ['site.members.*'] },
    })
    expect(doorkeeper.statusCode).toBe(201)
    const gatekeeper = await signIn(app, await createUser(app, { siteRole: 'gatekeeper' }))
    const beyond = await invite(gatekeeper, { email: address('x'), role: 'editor' })
    expect(beyond.statusCode).toBe(403)
    expect(errorOf(beyond).code).toBe('COLOPHON_RBAC_ESCALATION')

    const member = await createUser(app, { siteRole: 'author' })
    const already = await invite(siteAdmin, { email: member.email, role: 'editor' })
    expect(already.statusCode).toBe(409)
    expect(errorOf(already).code).toBe('COLOPHON_RBAC_ALREADY_MEMBER')
    expect(await memberRole(member.id)).toBe('author')
  })
})

describe('pending invitations', () => {
  it('lists them with the typed address in a constant number of queries, and revokes them', async () => {
    const site = await createSite(app, { slug: `listed-${newId().slice(-6)}`, name: 'Listed' })
    const owner = await signIn(app, await createUser(app, { siteRole: 'administrator', site }))
    const emails = [address('a'), address('b'), address('c')]
    await invite(owner, { email: emails[0], role: 'author' }, site)
    const first = await owner.request({ method: 'GET', url: `/api/v1/sites/${site}/invitations` })
    expect(first.statusCode).toBe(200)
    await invite(owner, { email: emails[1], role: 'author' }, site)
    await invite(owner, { email: emails[2], role: 'editor' }, site)
    const all = await owner.request({ method: 'GET', url: `/api/v1/sites/${site}/invitations?limit=2` })
    const items = all.json().items as { id: string; email: string; invitedBy: { id: string } }[]
    expect(items.map((i) => i.email)).toEqual([emails[2], emails[1]])
    expect(items[0]?.invitedBy.id).toBe(owner.userId)
    expect(all.json().nextCursor).toBe(items[1]?.id)
    expect(queryCount(all)).toBe(queryCount(first))

    const token = await tokenFor(emails[2] as string)
    const revoked = await owner.request({
      method: 'DELETE',
      url: `/api/v1/sites/${site}/invitations/${items[0]?.id}`,
    })
    expect(revoked.statusCode).toBe(200)
    expect(errorOf(await accept({ token, password: PASSWORD })).code).toBe('COLOPHON_RBAC_INVITATION_INVALID')
    const again = await owner.request({
      method: 'DELETE',
      url: `/api/v1/sites/${site}/invitations/${items[0]?.id}`,
    })
    expect(again.statusCode).toBe(404)
    expect(errorOf(again).code).toBe('COLOPHON_RBAC_INVITATION_NOT_FOUND')
    const audit = await app.db.engine.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE target_type = 'site_invitation' AND target_id = $1 ORDER BY id",
      [items[0]?.id],
    )
    expect(audit.map((a) => a.action)).toEqual(['rbac.invitation.create', 'rbac.invitation.revoke'])
  })

  it('keeps each site’s invitations to that site', async () => {
    const email = address('main-only')
    const created = await invite(siteAdmin, { email, role: 'author' })
    const id = created.json().id as string
    const site = await createSite(app, { slug: `other-${newId().slice(-6)}`, name: 'Other' })
    const otherAdmin = await signIn(app, await createUser(app, { siteRole: 'administrator', site }))
    const peek = await otherAdmin.request({ method: 'GET', url: `/api/v1/sites/${main}/invitations` })
    expect(peek.statusCode).toBe(403)
    const list = await otherAdmin.request({ method: 'GET', url: `/api/v1/sites/${site}/invitations` })
    expect(list.body).not.toContain(email)
    const revoke = await otherAdmin.request({
      method: 'DELETE',
      url: `/api/v1/sites/${site}/invitations/${id}`,
    })
    expect(revoke.statusCode).toBe(404)
    expect(errorOf(revoke).code).toBe('COLOPHON_RBAC_INVITATION_NOT_FOUND')
    const [row] = await app.db.engine.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM site_invitations WHERE id = $1',
      [id],
    )
    expect(row?.n).toBe(1)
  })
})

describe('throttling', () => {
  let limited: TestApp

  beforeAll(async () => {
    limited = await createTestApp({ config: { authRateLimit: 3, authAccountRateLimit: 10_000 } })
  })
  afterAll(() => limited?.close())

  it('limits acceptance attempts per client, like the other emailed-token endpoints', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const res = await limited.server.inject({
        method: 'POST',
        url: '/api/v1/site-invitations/accept',
        payload: { token: `guess-${i}` },
      })
      statuses.push(res.statusCode)
      if (res.statusCode === 429) expect(errorOf(res).code).toBe('COLOPHON_HTTP_RATE_LIMITED')
    }
    expect(statuses).toEqual([400, 400, 400, 429])
  })
})
