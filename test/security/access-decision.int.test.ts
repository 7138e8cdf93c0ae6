import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../harness/test-app.ts'
import { createUser, signIn, signInAdmin, type Session } from '../harness/identity.ts'

/**
 * The request gate and the services decide access with one function (`grants` in platform/access): a
 * role holding only the `.any` variant of a capability passes every route declared with its `.own`
 * variant. Before, the gate matched names exactly and refused what the service would allow.
 */

let app: TestApp
let owner: Session
let anyOnly: Session

const url = (rest = '') => `/api/v1/sites/main/entries${rest}`

function json<T = Record<string, unknown>>(res: LightMyRequestResponse, status: number): T {
  expect(res.statusCode, res.body).toBe(status)
  return res.json() as T
}

async function entryOf(as: Session, title: string): Promise<{ id: string }> {
  return json(await as.request({ method: 'POST', url: url(), payload: { type: 'post', title } }), 201)
}

beforeAll(async () => {
  app = await createTestApp()
  const admin = await signInAdmin(app)
  const role = await admin.request({
    method: 'POST',
    url: '/api/v1/roles',
    payload: {
      slug: 'any-only-editor',
      name: 'Editor of everyone’s entries',
      scope: 'site',
      capabilities: [
        'site.content.read.drafts',
        'site.content.create',
        'site.content.edit.any',
        'site.content.publish.any',
        'site.content.delete.any',
      ],
    },
  })
  json(role, 201)
  owner = await signIn(app, await createUser(app, { siteRole: 'editor' }))
  anyOnly = await signIn(app, await createUser(app, { siteRole: 'any-only-editor' }))
})

afterAll(() => app?.close())

describe('one access decision for the gate and the services', () => {
  it('lets a role with only site.content.edit.any edit someone else’s entry', async () => {
    const entry = await entryOf(owner, 'Written by the owner')
    const edited = await anyOnly.request({
      method: 'PATCH',
      url: url(`/${entry.id}`),
      payload: { title: 'Edited by the any-only role' },
    })
    expect(json(edited, 200)).toMatchObject({ title: 'Edited by the any-only role' })
  })

  it('lets it publish and trash someone else’s entry (routes declared with .own)', async () => {
    const entry = await entryOf(owner, 'To publish and trash')
    const published = await anyOnly.request({
      method: 'POST',
      url: url(`/${entry.id}/status`),
      payload: { status: 'published' },
    })
    expect(json(published, 200)).toMatchObject({ status: 'published' })
    const trashed = await anyOnly.request({ method: 'DELETE', url: url(`/${entry.id}`) })
    expect(json(trashed, 200)).toMatchObject({ id: entry.id })
  })

  it('still refuses a role holding neither variant', async () => {
    const entry = await entryOf(owner, 'Not for subscribers')
    const reader = await signIn(app, await createUser(app, { siteRole: 'subscriber' }))
    const refused = await reader.request({
      method: 'PATCH',
      url: url(`/${entry.id}`),
      payload: { title: 'nope' },
    })
    expect(refused.statusCode).toBe(403)
    expect(refused.json()).toMatchObject({ error: { code: 'COLOPHON_AUTH_FORBIDDEN' } })
  })
})
