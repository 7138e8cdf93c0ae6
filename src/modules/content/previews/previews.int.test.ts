import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDomain, createSite } from '../../../../test/harness/factories.ts'
import {
  createUser,
  mainSiteId,
  signIn,
  signInAdmin,
  type Session,
} from '../../../../test/harness/identity.ts'
import { createTestApp, errorOf, type TestApp } from '../../../../test/harness/test-app.ts'

/**
 * Preview links: made by whoever may edit the entry, they show its latest saved content on the site to
 * anyone holding them, never cached nor indexed, until they expire or are revoked.
 */

let app: TestApp
let admin: Session
let author: Session
let otherAuthor: Session
let site: string
let draft: string
const OTHER_HOST = 'previews-other.localhost'

const previewsUrl = (entry: string, rest = '') => `/api/v1/sites/${site}/entries/${entry}/previews${rest}`
const page = (url: string, host?: string) =>
  app.server.inject({ method: 'GET', url, headers: host ? { host } : {} })

beforeAll(async () => {
  app = await createTestApp({ config: { pageCacheSeconds: 300 } })
  site = await mainSiteId(app)
  admin = await signInAdmin(app)
  const writer = await createUser(app, { siteRole: 'author', name: 'Ann Author' })
  author = await signIn(app, writer)
  otherAuthor = await signIn(app, await createUser(app, { siteRole: 'author' }))
  const other = await createSite(app, { slug: 'previews-other', name: 'Other' })
  await addDomain(app, { siteId: other, host: OTHER_HOST, kind: 'subdomain', primary: true })
  const created = await author.request({
    method: 'POST',
    url: `/api/v1/sites/${site}/entries`,
    payload: { type: 'post', title: 'Secret plans' },
  })
  expect(created.statusCode, created.body).toBe(201)
  draft = created.json<{ id: string }>().id
  const saved = await author.request({
    method: 'PATCH',
    url: `/api/v1/sites/${site}/entries/${draft}`,
    payload: { excerpt: 'Not yet for everyone.' },
  })
  expect(saved.statusCode, saved.body).toBe(200)
})
afterAll(() => app?.close())

describe('preview links', () => {
  it('show the latest saved draft to whoever holds the link, never cached nor indexed', async () => {
    const made = await author.request({ method: 'POST', url: previewsUrl(draft), payload: {} })
    expect(made.statusCode, made.body).toBe(201)
    const link = made.json<{ id: string; token: string; path: string; url: string; expiresAt: string }>()
    expect(link.path).toBe(`/_preview/${link.token}`)
    expect(new URL(link.url).pathname).toBe(link.path)
    expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(71 * 3_600_000)

    for (let i = 0; i < 2; i += 1) {
      const res = await page(link.path)
      expect(res.statusCode).toBe(200)
      expect(res.body).toContain('Secret plans')
      expect(res.body).toContain('class="preview-note"')
      expect(res.body).toMatch(/<meta name="robots" content="noindex[^"]*">/)
      expect(res.headers['cache-control']).toMatch(/no-store/)
      // Rendered every time: never kept, so never a hit.
      expect(res.headers['x-colophon-cache']).not.toBe('hit')
    }
    // The draft itself stays out of readers' sight.
    expect((await page('/')).body).not.toContain('Secret plans')
    // A link works on its own site's host only.
    expect((await page(link.path, OTHER_HOST)).statusCode).toBe(404)
    // Nothing about the link is listed with its secret.
    const listed = await author.request({ method: 'GET', url: previewsUrl(draft) })
    expect(listed.statusCode).toBe(200)
    expect(listed.body).not.toContain(link.token)
    expect(listed.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toContain(link.id)
  })

  it('stop working once revoked or expired, and a made-up token is a 404', async () => {
    const made = await author.request({
      method: 'POST',
      url: previewsUrl(draft),
      payload: { expiresInHours: 1 },
    })
    const link = made.json<{ id: string; path: string }>()
    expect((await page(link.path)).statusCode).toBe(200)
    const revoked = await author.request({ method: 'DELETE', url: previewsUrl(draft, `/${link.id}`) })
    expect(revoked.statusCode).toBe(204)
    expect((await page(link.path)).statusCode).toBe(404)
    const again = await author.request({ method: 'DELETE', url: previewsUrl(draft, `/${link.id}`) })
    expect(errorOf(again).code).toBe('COLOPHON_CONTENT_PREVIEW_NOT_FOUND')

    const expiring = (await author.request({ method: 'POST', url: previewsUrl(draft), payload: {} })).json<{
      id: string
      path: string
    }>()
    await app.db.engine.query(
      `UPDATE entry_previews SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [expiring.id],
    )
    expect((await page(expiring.path)).statusCode).toBe(404)
    expect((await page('/_preview/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).statusCode).toBe(404)
    expect((await page('/_preview/x')).statusCode).toBe(404)
  })

  it('are made only by whoever may edit the entry, within the allowed lifetime', async () => {
    const foreign = await otherAuthor.request({ method: 'POST', url: previewsUrl(draft), payload: {} })
    expect(foreign.statusCode).toBe(403)
    expect((await otherAuthor.request({ method: 'GET', url: previewsUrl(draft) })).statusCode).toBe(403)
    expect((await admin.request({ method: 'POST', url: previewsUrl(draft), payload: {} })).statusCode).toBe(
      201,
    )
    const tooLong = await author.request({
      method: 'POST',
      url: previewsUrl(draft),
      payload: { expiresInHours: 721 },
    })
    expect(tooLong.statusCode).toBe(400)
  })
})
