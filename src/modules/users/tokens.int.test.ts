import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../platform/db/index.ts'
import { createTestApp, errorOf, type TestApp } from '../../../test/harness/test-app.ts'
import {
  PASSWORD,
  createUser,
  mainSiteId,
  signIn,
  signInAdmin,
  type Session,
} from '../../../test/harness/identity.ts'
import { linkOf, mailTo } from '../../../test/harness/mail.ts'

const PUBLIC_URL = 'https://cms.example.test'
const CHOSEN_PASSWORD = 'my own chosen passphrase'

let app: TestApp
let admin: Session
let siteId: string
const seenTokens: string[] = []

beforeAll(async () => {
  app = await createTestApp({ config: { publicUrl: PUBLIC_URL, authRateLimit: 200 } })
  admin = await signInAdmin(app)
  siteId = await mainSiteId(app)
})
afterAll(() => app?.close())

let counter = 0
function freshEmail(label: string): string {
  counter += 1
  return `${label}-${counter}-${newId().slice(-6)}@example.com`
}

function invite(session: Session, payload: Record<string, unknown>) {
  return session.request({ method: 'POST', url: '/api/v1/users/invitations', payload })
}

function accept(payload: Record<string, unknown>) {
  return app.server.inject({ method: 'POST', url: '/api/v1/users/invitations/accept', payload })
}

function login(email: string, password: string) {
  return app.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })
}

async function latestToken(to: string): Promise<{ link: string; token: string }> {
  const [mail] = await mailTo(app, admin, to)
  if (!mail) throw new Error(`no mail to ${to}`)
  const found = linkOf(mail)
  seenTokens.push(found.token)
  return found
}

describe('invitations', () => {
  it('invites by email; the invitee sets a password with the link, then signs in', async () => {
    const email = freshEmail('invitee')
    const res = await invite(admin, { email, name: 'Ivy Invited', site: { id: siteId, role: 'author' } })
    expect(res.statusCode).toBe(201)
    const { user } = res.json()
    expect(user).toMatchObject({ email, name: 'Ivy Invited', status: 'invited', networkRole: null })

    const { link, token } = await latestToken(email)
    expect(link).toBe(`${PUBLIC_URL}/admin/accept-invite#token=${token}`)
    expect(res.body).not.toContain(token)
    expect((await login(email, CHOSEN_PASSWORD)).statusCode).toBe(401)

    const accepted = await accept({ token, password: CHOSEN_PASSWORD, name: 'Ivy' })
    expect(accepted.statusCode).toBe(200)
    expect(accepted.json().user).toMatchObject({ id: user.id, status: 'active', name: 'Ivy' })

    const session = await signIn(app, { email, password: CHOSEN_PASSWORD })
    const me = await session.request({ method: 'GET', url: '/api/v1/auth/me' })
    expect(me.json().memberships).toEqual([expect.objectContaining({ siteId, role: 'author' })])

    const rows = await app.db.engine.query<{ action: string; actor_id: string | null }>(
      'SELECT action, actor_id FROM audit_log WHERE target_id = $1 ORDER BY id',
      [user.id],
    )
    expect(rows.slice(0, 2)).toEqual([
      { action: 'users.user.invite', actor_id: admin.userId },
      { action: 'users.invitation.accept', actor_id: user.id },
    ])
  })

  it('refuses to accept the same invitation twice', async () => {
    const email = freshEmail('twice')
    expect((await invite(admin, { email })).statusCode).toBe(201)
    const { token } = await latestToken(email)
    expect((await accept({ token, password: CHOSEN_PASSWORD })).statusCode).toBe(200)
    const again = await accept({ token, password: 'someone else entirely' })
    expect(again.statusCode).toBe(400)
    expect(errorOf(again).code).toBe('COLOPHON_USERS_INVITATION_INVALID')
    expect((await login(email, CHOSEN_PASSWORD)).statusCode).toBe(200)
  })

  it('refuses an expired invitation, and a weak password without using the link up', async () => {
    const email = freshEmail('late')
    const { user } = (await invite(admin, { email })).json()
    const { token } = await latestToken(email)
    const weak = await accept({ token, password: email })
    expect(weak.statusCode).toBe(400)
    expect(errorOf(weak).code).toBe('COLOPHON_AUTH_PASSWORD_WEAK')
    await app.db.engine.query(
      "UPDATE user_tokens SET expires_at = now() - interval '1 minute' WHERE user_id = $1",
      [user.id],
    )
    const late = await accept({ token, password: CHOSEN_PASSWORD })
    expect(late.statusCode).toBe(400)
    expect(errorOf(late).code).toBe('COLOPHON_USERS_INVITATION_INVALID')
  })

  it('re-inviting a pending address sends a new link and voids the old one', async () => {
    const email = freshEmail('again')
    const first = (await invite(admin, { email })).json().user
    const { token: older } = await latestToken(email)
    const second = await invite(admin, { email: email.toUpperCase() })
    expect(second.statusCode).toBe(201)
    expect(second.json().user.id).toBe(first.id)
    const { token: newer } = await latestToken(email)
    expect(newer).not.toBe(older)
    const stale = await accept({ token: older, password: CHOSEN_PASSWORD })
    expect(errorOf(stale).code).toBe('COLOPHON_USERS_INVITATION_INVALID')
    expect((await accept({ token: newer, password: CHOSEN_PASSWORD })).statusCode).toBe(200)
  })

  it('refuses to invite an address held by an active or suspended user', async () => {
    for (const status of ['active', 'suspended'] as const) {
      const existing = await createUser(app, { status })
      const res = await invite(admin, { email: existing.email.toUpperCase() })
      expect(res.statusCode).toBe(409)
      expect(errorOf(res).code).toBe('COLOPHON_USERS_EMAIL_TAKEN')
    }
  })

  it('refuses unknown roles, roles of the wrong scope and unknown sites', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ networkRole: 'no_such_role' }, 400, 'COLOPHON_USERS_ROLE_INVALID'],
      [{ networkRole: 'editor' }, 400, 'COLOPHON_USERS_ROLE_INVALID'],
      [{ site: { id: siteId, role: 'network_admin' } }, 400, 'COLOPHON_USERS_ROLE_INVALID'],
      [{ site: { id: newId(), role: 'author' } }, 404, 'COLOPHON_SITES_NOT_FOUND'],
    ]
    for (const [extra, status, code] of cases) {
      const email = freshEmail('bad-role')
      const res = await invite(admin, { email, ...extra })
      expect(res.statusCode).toBe(status)
      expect(errorOf(res).code).toBe(code)
      const rows = await app.db.engine.query('SELECT id FROM users WHERE email = $1', [email])
      expect(rows).toEqual([])
    }
  })

  it('refuses a user manager granting roles with capabilities they lack', async () => {
    await app.db.engine.query(
      `INSERT INTO roles (id, slug, name, scope, capabilities) VALUES ($1, 'user_manager', 'User manager', 'network', $2)`,
      [newId(), ['network.users.read', 'network.users.manage']],
    )
    const manager = await signIn(app, await createUser(app, { networkRole: 'user_manager' }))
    for (const extra of [{ networkRole: 'network_admin' }, { site: { id: siteId, role: 'administrator' } }]) {
      const email = freshEmail('escalate')
      const res = await invite(manager, { email, ...extra })
      expect(res.statusCode).toBe(403)
      expect(errorOf(res).code).toBe('COLOPHON_RBAC_ESCALATION')
      expect(await app.db.engine.query('SELECT id FROM users WHERE email = $1', [email])).toEqual([])
      expect(await mailTo(app, admin, email)).toEqual([])
    }
    const plain = await invite(manager, { email: freshEmail('plain') })
    expect(plain.statusCode).toBe(201)
  })

  it('refuses invitations from editors (403) and anonymous callers (401)', async () => {
    const editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
    const byEditor = await invite(editor, { email: freshEmail('nope') })
    expect(byEditor.statusCode).toBe(403)
    expect(errorOf(byEditor).code).toBe('COLOPHON_AUTH_FORBIDDEN')
    const anonymous = await app.server.inject({
      method: 'POST',
      url: '/api/v1/users/invitations',
      payload: { email: freshEmail('nope') },
    })
    expect(anonymous.statusCode).toBe(401)
    expect(errorOf(anonymous).code).toBe('COLOPHON_AUTH_REQUIRED')
  })

  it('escapes names in the HTML of the invitation and keeps them on one line in its text', async () => {
    const sneaky = await createUser(app, {
      networkRole: 'network_admin',
      name: '<b>Eve</b>\nClick http://evil.test',
    })
    const session = await signIn(app, sneaky)
    const email = freshEmail('escaped')
    expect((await invite(session, { email })).statusCode).toBe(201)
    const [mail] = await mailTo(app, admin, email)
    expect(mail?.html).toContain('&#60;b&#62;Eve&#60;/b&#62;')
    expect(mail?.html).not.toContain('<b>Eve')
    expect(mail?.text).toContain('<b>Eve</b> Click http://evil.test invited you')
    expect(linkOf(mail!).link.startsWith(`${PUBLIC_URL}/admin/accept-invite#token=`)).toBe(true)
  })
})

describe('email change', () => {
  function requestChange(session: Session, newEmail: string, password = PASSWORD) {
    return session.request({ method: 'POST', url: '/api/v1/auth/email', payload: { newEmail, password } })
  }
  function confirm(token: string) {
    return app.server.inject({ method: 'POST', url: '/api/v1/auth/email/confirm', payload: { token } })
  }

  it('mails a link to the new address; following it changes the email and notifies the old one', async () => {
    const user = await createUser(app)
    const session = await signIn(app, user)
    const newEmail = freshEmail('moved')
    const res = await requestChange(session, newEmail)
    expect(res.statusCode).toBe(202)
    expect(res.json()).toEqual({ status: 'accepted' })

    const { link, token } = await latestToken(newEmail)
    expect(link).toBe(`${PUBLIC_URL}/admin/confirm-email#token=${token}`)
    const before = await session.request({ method: 'GET', url: '/api/v1/auth/me' })
    expect(before.json().user.email).toBe(user.email)

    const done = await confirm(token)
    expect(done.statusCode).toBe(200)
    const after = await session.request({ method: 'GET', url: '/api/v1/auth/me' })
    expect(after.json().user.email).toBe(newEmail)
    const [notice] = await mailTo(app, admin, user.email)
    expect(notice?.subject).toContain('was changed')
    expect(notice?.text).toContain(newEmail)
    expect((await login(newEmail, PASSWORD)).statusCode).toBe(200)
    expect((await login(user.email, PASSWORD)).statusCode).toBe(401)

    const [row] = await app.db.engine.query<{ summary: unknown; actor_id: string }>(
      "SELECT summary, actor_id FROM audit_log WHERE target_id = $1 AND action = 'users.user.email_change'",
      [user.id],
    )
    expect(row).toEqual({ summary: { from: user.email, to: newEmail }, actor_id: user.id })
  })

  it('refuses a wrong current password and sends nothing', async () => {
    const user = await createUser(app)
    const session = await signIn(app, user)
    const newEmail = freshEmail('wrong-password')
    const res = await requestChange(session, newEmail, 'not my password at all')
    expect(res.statusCode).toBe(401)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_INVALID_CREDENTIALS')
    expect(await mailTo(app, admin, newEmail)).toEqual([])
  })

  it('answers a taken address exactly like a free one, and mails nothing', async () => {
    const user = await createUser(app)
    const other = await createUser(app)
    const session = await signIn(app, user)
    const taken = await requestChange(session, other.email.toUpperCase())
    const free = await requestChange(session, freshEmail('free'))
    expect(taken.statusCode).toBe(202)
    expect(taken.body).toBe(free.body)
    expect(await mailTo(app, admin, other.email)).toEqual([])
  })

  it('refuses a link used twice, and a change to an address taken in the meantime', async () => {
    const user = await createUser(app)
    const session = await signIn(app, user)
    const first = freshEmail('first')
    await requestChange(session, first)
    const { token } = await latestToken(first)
    expect((await confirm(token)).statusCode).toBe(200)
    const again = await confirm(token)
    expect(again.statusCode).toBe(400)
    expect(errorOf(again).code).toBe('COLOPHON_USERS_EMAIL_TOKEN_INVALID')

    const contested = freshEmail('contested')
    await requestChange(session, contested)
    const { token: second } = await latestToken(contested)
    await createUser(app, { email: contested })
    const lost = await confirm(second)
    expect(lost.statusCode).toBe(409)
    expect(errorOf(lost).code).toBe('COLOPHON_USERS_EMAIL_TAKEN')
    const bogus = await confirm('not-a-token')
    expect(errorOf(bogus).code).toBe('COLOPHON_USERS_EMAIL_TOKEN_INVALID')
  })

  it('needs a signed-in session', async () => {
    const res = await app.server.inject({
      method: 'POST',
      url: '/api/v1/auth/email',
      payload: { newEmail: freshEmail('anon'), password: PASSWORD },
    })
    expect(res.statusCode).toBe(401)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_REQUIRED')
  })
})

describe('own profile', () => {
  it('lets me change my display name, and records it', async () => {
    const user = await createUser(app)
    const session = await signIn(app, user)
    const res = await session.request({
      method: 'PATCH',
      url: '/api/v1/auth/me',
      payload: { name: '  Grace  ' },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json().user).toMatchObject({ id: user.id, name: 'Grace', email: user.email })
    const me = await session.request({ method: 'GET', url: '/api/v1/auth/me' })
    expect(me.json().user.name).toBe('Grace')
    const rows = await app.db.engine.query(
      "SELECT id FROM audit_log WHERE target_id = $1 AND action = 'users.user.update'",
      [user.id],
    )
    expect(rows).toHaveLength(1)
  })

  it('refuses a blank name, and fields other than the name', async () => {
    const session = await signIn(app, await createUser(app))
    for (const payload of [{ name: '   ' }, { name: 'Ok', email: 'x@example.com' }]) {
      const res = await session.request({ method: 'PATCH', url: '/api/v1/auth/me', payload })
      expect(res.statusCode).toBe(400)
      expect(errorOf(res).code).toBe('COLOPHON_HTTP_VALIDATION_FAILED')
    }
  })
})

describe('secrets stay secret', () => {
  it('no emailed token appears in the audit log', async () => {
    const audit = JSON.stringify(await app.db.engine.query('SELECT * FROM audit_log'))
    expect(seenTokens.length).toBeGreaterThan(5)
    for (const token of seenTokens) expect(audit).not.toContain(token)
    expect(audit).not.toContain(CHOSEN_PASSWORD)
  })
})
