import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, type TestApp } from '../../../test/harness/test-app.ts'
import { createUser, signIn, signInAdmin, type Session } from '../../../test/harness/identity.ts'
import { DEFAULT_SEO_SETTINGS } from './index.ts'

let app: TestApp
let admin: Session

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  admin = await signInAdmin(app)
})
afterAll(() => app?.close())

let counter = 0

/** A new site and a session of one of its administrators. */
async function siteWithAdministrator(): Promise<{ id: string; slug: string; session: Session }> {
  counter += 1
  const res = await admin.request({
    method: 'POST',
    url: '/api/v1/sites',
    payload: { name: `Seo Site ${counter} ${Date.now().toString(36)}` },
  })
  expect(res.statusCode, res.body).toBe(201)
  const { id, slug } = res.json() as { id: string; slug: string }
  const user = await createUser(app, { siteRole: 'administrator', site: id })
  return { id, slug, session: await signIn(app, user) }
}

function patchSeo(session: Session, site: string, seo: unknown) {
  return session.request({
    method: 'PATCH',
    url: `/api/v1/sites/${site}/settings`,
    payload: { settings: { seo } },
  })
}

describe('SEO settings', () => {
  it('reads the defaults, saves changes key by key and keeps the other keys', async () => {
    const site = await siteWithAdministrator()
    const read = await site.session.request({ method: 'GET', url: `/api/v1/sites/${site.slug}/settings` })
    expect(read.json().settings.seo).toEqual(DEFAULT_SEO_SETTINGS)

    const first = await patchSeo(site.session, site.id, {
      titleTemplate: '{title} | {site}',
      twitterSite: '@colophon',
      typeTitleTemplates: { post: '{title} – Blog' },
    })
    expect(first.statusCode, first.body).toBe(200)
    const second = await patchSeo(site.session, site.id, { image: 'https://cdn.example.org/share.png' })
    expect(second.statusCode, second.body).toBe(200)
    const expected = {
      ...DEFAULT_SEO_SETTINGS,
      titleTemplate: '{title} | {site}',
      twitterSite: '@colophon',
      typeTitleTemplates: { post: '{title} – Blog' },
      image: 'https://cdn.example.org/share.png',
    }
    expect(second.json().settings.seo).toEqual(expected)
    const again = await site.session.request({ method: 'GET', url: `/api/v1/sites/${site.id}/settings` })
    expect(again.json().settings.seo).toEqual(expected)
    // Other settings keep their values too.
    expect(again.json().settings.authorsMayPublish).toBe(false)
  })

  it('refuses an unknown token, a stray brace, a bad handle and a non-https image with a coded 400', async () => {
    const site = await siteWithAdministrator()
    const cases: [unknown, Record<string, unknown>][] = [
      [
        { titleTemplate: '{title} – {sitename}' },
        { field: 'seo.titleTemplate', reason: 'unknown-token', token: '{sitename}' },
      ],
      [{ frontTitleTemplate: '{site' }, { field: 'seo.frontTitleTemplate', reason: 'stray-brace' }],
      [
        { typeTitleTemplates: { post: '{site}' } },
        { field: 'seo.typeTitleTemplates.post', reason: 'missing-title' },
      ],
      [{ twitterSite: 'colophon' }, { field: 'seo.twitterSite', reason: 'bad-handle' }],
      [{ image: 'http://example.org/a.png' }, { field: 'seo.image', reason: 'not-https-url' }],
    ]
    for (const [seo, details] of cases) {
      const res = await patchSeo(site.session, site.id, seo)
      expect(res.statusCode, res.body).toBe(400)
      expect(errorOf(res)).toMatchObject({ code: 'COLOPHON_SITES_SEO_INVALID', details })
    }
    const read = await site.session.request({ method: 'GET', url: `/api/v1/sites/${site.id}/settings` })
    expect(read.json().settings.seo).toEqual(DEFAULT_SEO_SETTINGS)
  })

  it('refuses too long values, unknown keys and bad type keys by the schema', async () => {
    const site = await siteWithAdministrator()
    for (const seo of [
      { titleTemplate: `{title}${'x'.repeat(200)}` },
      { defaultDescription: 'x'.repeat(301) },
      { twitterSite: '@'.padEnd(17, 'a') },
      { ogImage: 'https://example.org/a.png' },
      { typeTitleTemplates: { 'Not A Key': '{title}' } },
    ]) {
      const res = await patchSeo(site.session, site.id, seo)
      expect(res.statusCode, res.body).toBe(400)
      expect(errorOf(res).code).toBe('COLOPHON_HTTP_VALIDATION_FAILED')
    }
  })

  it('is changed only by holders of site.settings.manage on their own site', async () => {
    const site = await siteWithAdministrator()
    const other = await siteWithAdministrator()
    const editor = await signIn(app, await createUser(app, { siteRole: 'editor', site: site.id }))
    expect((await patchSeo(editor, site.id, { twitterSite: '@x' })).statusCode).toBe(403)
    expect((await patchSeo(other.session, site.id, { twitterSite: '@x' })).statusCode).toBe(403)
    const read = await site.session.request({ method: 'GET', url: `/api/v1/sites/${site.id}/settings` })
    expect(read.json().settings.seo.twitterSite).toBe('')
  })
})
