import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, type TestApp } from '../../../test/harness/test-app.ts'
import { createUser, mainSiteId, signIn, signInAdmin, type Session } from '../../../test/harness/identity.ts'

/**
 * A user whose role requires 2FA, or who must change the password they were given, holds nothing until
 * they have done so: not with their session, not with an API key made before the requirement, and not on
 * the public reading routes either, where they read as an anonymous visitor.
 */

let app: TestApp
let site: string
let editor: Session
let keySecret: string
let draftId: string

const entriesUrl = () => `/api/v1/sites/${site}/entries`
const titlesOf = (res: LightMyRequestResponse) =>
  (res.json() as { items: { title: string }[] }).items.map((item) => item.title)

function withKey(url: string): Promise<LightMyRequestResponse> {
  return app.server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${keySecret}` } })
}

beforeAll(async () => {
  app = await createTestApp()
  site = await mainSiteId(app)
  const admin = await signInAdmin(app)
  const created = await admin.request({
    method: 'POST',
    url: entriesUrl(),
    payload: { type: 'post', title: 'Unpublished plans' },
  })
  expect(created.statusCode, created.body).toBe(201)
  draftId = created.json().id as string

  editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
  const key = await editor.request({
    method: 'POST',
    url: '/api/v1/api-keys',
    payload: { name: 'made before 2FA was required', scopes: ['site.content.*'], site },
  })
  expect(key.statusCode, key.body).toBe(201)
  keySecret = key.json().secret as string
  // Both credentials read drafts before the requirement.
  expect(titlesOf(await editor.request({ method: 'GET', url: entriesUrl() }))).toContain('Unpublished plans')
  expect(titlesOf(await withKey(entriesUrl()))).toContain('Unpublished plans')
  await app.db.engine.query("UPDATE roles SET require_2fa = true WHERE slug = 'editor'")
})

afterAll(async () => {
  await app?.close()
})

describe('a member whose role requires 2FA, before enrolling', () => {
  it('lists only what an anonymous reader sees, with a session or an older API key', async () => {
    const anonymous = await app.server.inject({ method: 'GET', url: entriesUrl() })
    for (const res of [
      await editor.request({ method: 'GET', url: entriesUrl() }),
      await withKey(entriesUrl()),
    ]) {
      expect(res.statusCode).toBe(200)
      expect(titlesOf(res)).not.toContain('Unpublished plans')
      expect(titlesOf(res)).toEqual(titlesOf(anonymous))
    }
  })

  it('cannot read the draft by id, nor ask for drafts by status', async () => {
    for (const url of [`${entriesUrl()}/${draftId}`, `${entriesUrl()}?status=draft`]) {
      const bySession = await editor.request({ method: 'GET', url })
      const byKey = await withKey(url)
      for (const res of [bySession, byKey]) {
        if (res.statusCode === 200) expect(titlesOf(res)).toEqual([])
        else expect(errorOf(res).code).toBe('COLOPHON_CONTENT_ENTRY_NOT_FOUND')
      }
    }
  })

  it('is refused with the enrolment code on every other route, API key included', async () => {
    for (const res of [
      await withKey(`${entriesUrl()}/${draftId}/revisions`),
      await withKey(`/api/v1/sites/${site}/members`),
      await editor.request({ method: 'GET', url: `${entriesUrl()}/${draftId}/revisions` }),
    ]) {
      expect(res.statusCode).toBe(403)
      expect(errorOf(res).code).toBe('COLOPHON_AUTH_2FA_ENROLMENT_REQUIRED')
    }
  })
})

describe('a user who must change their password', () => {
  it('reads the public routes as an anonymous visitor until they have', async () => {
    const user = await createUser(app, { siteRole: 'administrator', mustChangePassword: true })
    const session = await signIn(app, user)
    const res = await session.request({ method: 'GET', url: entriesUrl() })
    expect(res.statusCode).toBe(200)
    expect(titlesOf(res)).not.toContain('Unpublished plans')
    const refused = await session.request({ method: 'GET', url: `/api/v1/sites/${site}/settings` })
    expect(errorOf(refused).code).toBe('COLOPHON_AUTH_PASSWORD_CHANGE_REQUIRED')
  })
})
