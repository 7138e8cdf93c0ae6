import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEntry } from '../../../../test/harness/factories.ts'
import { mainSiteId } from '../../../../test/harness/identity.ts'
import { createTestApp, type TestApp } from '../../../../test/harness/test-app.ts'
import { hashPassword } from '../../../platform/security/index.ts'
import { entryAccessCookieName } from './entry-access.ts'

/**
 * Password-protected entries on a site: the form instead of the content, the password posted as a plain
 * form, a cookie scoped to the entry that proves it, throttled guesses, and nothing of it cached.
 */

let app: TestApp
let locked: string
const PATH = '/2026/03/locked-notes'
const PASSWORD = 'open sesame'

const get = (url: string, cookie?: string) =>
  app.server.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} })
const post = (url: string, password: string, ip = '203.0.113.7') =>
  app.server.inject({
    method: 'POST',
    url,
    remoteAddress: ip,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ password }).toString(),
  })

beforeAll(async () => {
  app = await createTestApp({ config: { entryPasswordRateLimit: 20, entryPasswordFailLimit: 4 } })
  const site = await mainSiteId(app)
  locked = await createEntry(app, {
    siteId: site,
    status: 'published',
    slug: 'locked-notes',
    title: 'Locked notes',
    visibility: 'password',
    password: PASSWORD,
    publishedAt: '2026-03-09T12:00:00Z',
  })
  await app.db.engine.query(`UPDATE entries SET body_html = '<p>The hidden words.</p>' WHERE id = $1`, [
    locked,
  ])
})
afterAll(() => app?.close())

/** The cookie a reply sets for the entry, as a request header value. */
function accessCookie(res: Awaited<ReturnType<typeof post>>): string {
  const cookie = res.cookies.find((c) => c.name === entryAccessCookieName(locked))
  if (!cookie) throw new Error('no entry cookie was set')
  return `${cookie.name}=${cookie.value}`
}

describe('password-protected entries', () => {
  it('show their title and a password form, never their content, and are not cached or indexed', async () => {
    const res = await get(PATH)
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('Locked notes')
    expect(res.body).not.toContain('The hidden words.')
    expect(res.body).toMatch(/<form class="password-form" method="post">/)
    expect(res.body).toMatch(/<meta name="robots" content="noindex[^"]*">/)
    expect(res.headers['cache-control']).toMatch(/no-store/)
    expect(res.body).not.toContain('Locked notes</a></h2>') // in no listing either
    expect((await get('/')).body).not.toContain('Locked notes')
  })

  it('refuse a wrong password with the form again (403), and open with the right one', async () => {
    const wrong = await post(PATH, 'not it')
    expect(wrong.statusCode).toBe(403)
    expect(wrong.body).toContain('role="alert"')
    expect(wrong.body).not.toContain('The hidden words.')
    expect(wrong.cookies).toHaveLength(0)

    const right = await post(PATH, PASSWORD)
    expect(right.statusCode).toBe(303)
    expect(right.headers.location).toBe(PATH)
    expect(right.headers['cache-control']).toBe('private, no-store')
    const cookie = right.cookies.find((c) => c.name === entryAccessCookieName(locked))
    expect(cookie).toMatchObject({ path: PATH, httpOnly: true, sameSite: 'Lax' })
    expect(cookie?.value).not.toContain(PASSWORD)

    const opened = await get(PATH, accessCookie(right))
    expect(opened.statusCode).toBe(200)
    expect(opened.body).toContain('<p>The hidden words.</p>')
    expect(opened.headers['cache-control']).toMatch(/no-store/)
    expect(opened.body).toMatch(/<meta name="robots" content="noindex[^"]*">/)
  })

  it('forget the proof when the password changes, and never take a forged or foreign one', async () => {
    const right = await post(PATH, PASSWORD)
    const cookie = accessCookie(right)
    for (const forged of [
      `${entryAccessCookieName(locked)}=v1:0000000000000000:AAAA`,
      `${entryAccessCookieName(locked)}=x`,
    ])
      expect((await get(PATH, forged)).body).not.toContain('The hidden words.')
    // A proof for this entry presented as another entry's cookie opens nothing there.
    const other = await createEntry(app, {
      siteId: await mainSiteId(app),
      status: 'published',
      slug: 'other-locked',
      title: 'Other locked',
      visibility: 'password',
      password: PASSWORD,
      publishedAt: '2026-03-09T12:00:00Z',
    })
    await app.db.engine.query(`UPDATE entries SET body_html = '<p>Other words.</p>' WHERE id = $1`, [other])
    const swapped = `${entryAccessCookieName(other)}=${cookie.split('=').slice(1).join('=')}`
    expect((await get('/2026/03/other-locked', swapped)).body).not.toContain('Other words.')

    await app.db.engine.query(`UPDATE entries SET password_hash = $2 WHERE id = $1`, [
      locked,
      await hashPassword('a new secret'),
    ])
    try {
      expect((await get(PATH, cookie)).body).not.toContain('The hidden words.')
    } finally {
      await app.db.engine.query(`UPDATE entries SET password_hash = $2 WHERE id = $1`, [
        locked,
        await hashPassword(PASSWORD),
      ])
    }
  })

  it('throttle guesses per entry, whatever the address, with 429 and Retry-After', async () => {
    const entry = await createEntry(app, {
      siteId: await mainSiteId(app),
      status: 'published',
      slug: 'guarded',
      title: 'Guarded',
      visibility: 'password',
      password: PASSWORD,
      publishedAt: '2026-03-09T12:00:00Z',
    })
    expect(entry).toBeTruthy()
    const path = '/2026/03/guarded'
    for (let i = 0; i < 4; i += 1)
      expect((await post(path, `guess ${i}`, `198.51.100.${i}`)).statusCode).toBe(403)
    const throttled = await post(path, PASSWORD, '198.51.100.99')
    expect(throttled.statusCode).toBe(429)
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0)
    expect(throttled.cookies).toHaveLength(0)
    // The API's X-Entry-Password counts against the same entry.
    const api = await app.server.inject({
      method: 'GET',
      url: `/api/v1/sites/${await mainSiteId(app)}/entries/${entry}`,
      headers: { 'x-entry-password': PASSWORD },
      remoteAddress: '198.51.100.100',
    })
    expect(api.statusCode).toBe(429)
  })

  it('answer 404 to a password posted where no protected entry is, and keep the API JSON-only', async () => {
    expect((await post('/no/such/entry', 'x')).statusCode).toBe(404)
    expect((await post('/', 'x')).statusCode).toBe(404)
    const api = await app.server.inject({
      method: 'POST',
      url: `/api/v1/sites/${await mainSiteId(app)}/redirects`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'fromPath=%2Fa&toPath=%2Fb',
    })
    expect(api.statusCode).not.toBe(200)
    expect(api.statusCode).not.toBe(201)
    expect(api.headers['content-type']).toMatch(/application\/json/)
  })
})
