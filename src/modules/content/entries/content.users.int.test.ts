import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../../test/harness/test-app.ts'
import { createUser, mainSiteId, signIn, signInAdmin } from '../../../../test/harness/identity.ts'

/** Deleting a user hands their entries over when asked (the users module's deletion hooks). */

let app: TestApp
let site: string

beforeAll(async () => {
  app = await createTestApp()
  site = await mainSiteId(app)
})
afterAll(() => app?.close())

async function entryByAuthor(): Promise<{ user: { id: string }; entryId: string }> {
  const user = await createUser(app, { siteRole: 'author' })
  const session = await signIn(app, user)
  const created = await session.request({
    method: 'POST',
    url: `/api/v1/sites/${site}/entries`,
    payload: { type: 'post', title: `By ${user.id}` },
  })
  expect(created.statusCode, created.body).toBe(201)
  return { user, entryId: created.json().id as string }
}

const authorOf = async (entryId: string) =>
  (
    await app.db.engine.query<{ author_id: string | null }>('SELECT author_id FROM entries WHERE id = $1', [
      entryId,
    ])
  )[0]?.author_id

describe('entries of a deleted user', () => {
  it('pass to the user named in reassignTo', async () => {
    const admin = await signInAdmin(app)
    const { user, entryId } = await entryByAuthor()
    const deleted = await admin.request({
      method: 'DELETE',
      url: `/api/v1/users/${user.id}?reassignTo=${admin.userId}`,
    })
    expect(deleted.statusCode, deleted.body).toBe(200)
    expect(await authorOf(entryId)).toBe(admin.userId)
  })

  it('stay attributed to the anonymised account without reassignTo', async () => {
    const admin = await signInAdmin(app)
    const { user, entryId } = await entryByAuthor()
    const deleted = await admin.request({ method: 'DELETE', url: `/api/v1/users/${user.id}` })
    expect(deleted.statusCode, deleted.body).toBe(200)
    expect(await authorOf(entryId)).toBe(user.id)
  })
})
