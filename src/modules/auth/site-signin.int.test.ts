import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDomain, createEntries, createSite } from '../../../test/harness/factories.ts'
import { cookiesOf, createUser, signIn, type Session, type TestUser } from '../../../test/harness/identity.ts'
import { createTestApp, type TestApp } from '../../../test/harness/test-app.ts'
import { totpCodeFor } from '../../../test/harness/totp.ts'
import { SIGNIN_STATE_COOKIE, landingPath } from './site-signin.routes.ts'

/**
 * Members' private entries on a site's own host, through the one-time sign-in handoff from the root host
 * (ADR 0020): the code works once, for one site and one browser; the site's session is good on its host
 * alone and ends with the network session; pages shown to members are never cached, and drafts never
 * appear on pages, whoever reads.
 */

let app: TestApp
let site: string
let member: TestUser
let memberSession: Session
const HOST = 'members.localhost'
const OTHER_HOST = 'members-other.localhost'
const ROOT = 'localhost'
const PRIVATE_PATH = '/2026/03/members-only'
const DRAFT_PATH = '/2026/03/not-yet'

type Reply = LightMyRequestResponse

const get = (host: string, url: string, cookie?: string): Promise<Reply> =>
  app.server.inject({ method: 'GET', url, headers: { host, ...(cookie ? { cookie } : {}) } })

const postForm = (
  host: string,
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = { origin: `http://${host}` },
): Promise<Reply> =>
  app.server.inject({
    method: 'POST',
    url,
    headers: { host, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(fields).toString(),
  })

/** A URL's path and query, for a request to the host it names. */
const pathOf = (location: unknown): string => {
  const url = new URL(String(location))
  return url.pathname + url.search
}

/** Starts a sign-in on the site's host: the redirect to the root host, and the browser's state cookie. */
async function start(host = HOST, next = PRIVATE_PATH): Promise<{ handoff: string; state: string }> {
  const res = await get(host, `/_signin?next=${encodeURIComponent(next)}`)
  expect(res.statusCode, res.body).toBe(303)
  const state = res.cookies.find((c) => c.name === SIGNIN_STATE_COOKIE)
  expect(state).toMatchObject({ path: '/_signin', httpOnly: true, sameSite: 'Lax' })
  const to = new URL(String(res.headers.location))
  expect(to.host).toBe(`${ROOT}:3000`)
  expect(to.pathname).toBe('/_signin/handoff')
  return { handoff: to.pathname + to.search, state: state?.value ?? '' }
}

/** The root host's answer to a signed-in browser: the callback URL on the site's host, with its code. */
async function codeFor(session: Session, handoff: string): Promise<string> {
  const res = await get(ROOT, handoff, session.cookie)
  expect(res.statusCode, res.body).toBe(303)
  expect(res.headers['cache-control']).toBe('no-store')
  return String(res.headers.location)
}

/** The whole handoff for a signed-in user: the site host's session cookie. */
async function handOff(session: Session, host = HOST): Promise<string> {
  const { handoff, state } = await start(host)
  const callback = await codeFor(session, handoff)
  expect(new URL(callback).host).toBe(`${host}:3000`)
  const res = await get(host, pathOf(callback), `${SIGNIN_STATE_COOKIE}=${state}`)
  expect(res.statusCode, res.body).toBe(303)
  expect(res.headers.location).toBe(PRIVATE_PATH)
  const cookies = cookiesOf(res)
  expect(cookies.colophon_session).toBeTruthy()
  // Host-only: no Domain attribute, so no other host ever receives it.
  expect(res.cookies.find((c) => c.name === 'colophon_session')?.domain).toBeUndefined()
  return `colophon_session=${cookies.colophon_session}`
}

beforeAll(async () => {
  app = await createTestApp({ config: { pageCacheSeconds: 300 } })
  site = await createSite(app, { slug: 'members', name: 'Members' })
  await addDomain(app, { siteId: site, host: HOST, primary: true })
  const other = await createSite(app, { slug: 'members-other', name: 'Other' })
  await addDomain(app, { siteId: other, host: OTHER_HOST, primary: true })
  await createEntries(app, [
    {
      siteId: site,
      status: 'published',
      slug: 'members-only',
      title: 'Members only',
      visibility: 'private',
      publishedAt: '2026-03-09T12:00:00Z',
    },
    { siteId: site, status: 'draft', slug: 'not-yet', title: 'Not yet', publishedAt: '2026-03-10T12:00:00Z' },
    {
      siteId: site,
      status: 'published',
      slug: 'for-all',
      title: 'For all',
      publishedAt: '2026-03-08T12:00:00Z',
    },
  ])
  member = await createUser(app, { siteRole: 'subscriber', site, name: 'Mia Member' })
  memberSession = await signIn(app, member)
})
afterAll(() => app?.close())

describe('private entries on a site host', () => {
  it('are a 404 for anonymous readers, in no listing, feed or sitemap', async () => {
    expect((await get(HOST, PRIVATE_PATH)).statusCode).toBe(404)
    const home = await get(HOST, '/')
    expect(home.body).toContain('For all')
    expect(home.body).not.toContain('Members only')
    expect((await get(HOST, '/feed')).body).not.toContain('Members only')
    expect((await get(HOST, '/sitemap-post-1.xml')).body).not.toContain('members-only')
    // The anonymous page offers the way in, back to where the reader was.
    expect(home.body).toContain(`href="http://${HOST}:3000/_signin?next=%2F"`)
  })

  it('are shown to a member after the handoff, as their own page: never cached, never indexed', async () => {
    const cookie = await handOff(memberSession)
    const page = await get(HOST, PRIVATE_PATH, cookie)
    expect(page.statusCode, page.body).toBe(200)
    expect(page.body).toContain('Members only')
    expect(page.body).toContain('class="private-label"')
    expect(page.body).toMatch(/<meta name="robots" content="noindex[^"]*">/)
    expect(page.body).toContain('Signed in as Mia Member')
    expect(page.body).toContain(`action="http://${HOST}:3000/_signout"`)
    expect(page.headers['cache-control']).toBe('private, no-store')
    expect(page.headers['x-colophon-cache']).toBeUndefined()
    // Listings show members what they may read; feeds stay public documents.
    expect((await get(HOST, '/', cookie)).body).toContain('Members only')
    expect((await get(HOST, '/feed', cookie)).body).not.toContain('Members only')
    // Nothing the member saw reached the cache: anonymous readers still get the public pages.
    expect((await get(HOST, PRIVATE_PATH)).statusCode).toBe(404)
    expect((await get(HOST, '/')).body).not.toContain('Members only')
  })

  it('never show drafts, even to an editor of the site', async () => {
    const editor = await createUser(app, { siteRole: 'editor', site })
    const cookie = await handOff(await signIn(app, editor))
    expect((await get(HOST, DRAFT_PATH, cookie)).statusCode).toBe(404)
    const home = await get(HOST, '/', cookie)
    expect(home.body).not.toContain('Not yet')
    expect(home.body).toContain('Members only')
  })

  it('stay hidden from signed-in users who may not read them', async () => {
    const stranger = await createUser(app, { name: 'Sam Stranger' })
    const cookie = await handOff(await signIn(app, stranger))
    const page = await get(HOST, PRIVATE_PATH, cookie)
    expect(page.statusCode).toBe(404)
    expect(page.headers['cache-control']).toBe('private, no-store')
    expect((await get(HOST, '/', cookie)).body).not.toContain('Members only')
  })
})

describe('the one-time code', () => {
  it('works once', async () => {
    const { handoff, state } = await start()
    const callback = pathOf(await codeFor(memberSession, handoff))
    const cookie = `${SIGNIN_STATE_COOKIE}=${state}`
    expect((await get(HOST, callback, cookie)).statusCode).toBe(303)
    const again = await get(HOST, callback, cookie)
    expect(again.statusCode).toBe(400)
    expect(again.body).toContain('This sign-in has expired')
    expect(again.cookies.find((c) => c.name === 'colophon_session')).toBeUndefined()
  })

  it('is refused in another browser (without the state), and is spent by the attempt', async () => {
    const { handoff, state } = await start()
    const callback = pathOf(await codeFor(memberSession, handoff))
    expect((await get(HOST, callback)).statusCode).toBe(400)
    expect((await get(HOST, callback, `${SIGNIN_STATE_COOKIE}=${'x'.repeat(43)}`)).statusCode).toBe(400)
    expect((await get(HOST, callback, `${SIGNIN_STATE_COOKIE}=${state}`)).statusCode).toBe(400)
  })

  it("is refused on another site's host", async () => {
    const { handoff, state } = await start()
    const callback = pathOf(await codeFor(memberSession, handoff))
    const res = await get(OTHER_HOST, callback, `${SIGNIN_STATE_COOKIE}=${state}`)
    expect(res.statusCode).toBe(400)
    expect(res.cookies.find((c) => c.name === 'colophon_session')).toBeUndefined()
  })

  it('expires after a minute', async () => {
    const { handoff, state } = await start()
    const callback = pathOf(await codeFor(memberSession, handoff))
    await app.db.engine.query(
      `UPDATE user_tokens SET expires_at = now() - interval '1 second' WHERE purpose = 'site_signin' AND user_id = $1`,
      [member.id],
    )
    expect((await get(HOST, callback, `${SIGNIN_STATE_COOKIE}=${state}`)).statusCode).toBe(400)
  })

  it('is stored hashed, and names the site and the network session it came from', async () => {
    const { handoff } = await start()
    const code = new URL(await codeFor(memberSession, handoff)).searchParams.get('code') ?? ''
    const [row] = await app.db.engine.query<{ token_hash: string; payload: Record<string, string> }>(
      `SELECT token_hash, payload FROM user_tokens WHERE purpose = 'site_signin' AND user_id = $1`,
      [member.id],
    )
    expect(row?.token_hash).not.toContain(code)
    expect(row?.payload.siteId).toBe(site)
    expect(JSON.stringify(row?.payload)).not.toContain(code)
  })
})

describe("a site host's session", () => {
  it('is good on its own host only: not on the root host, nor on another site', async () => {
    const cookie = await handOff(memberSession)
    const me = await get(ROOT, '/api/v1/auth/me', cookie)
    expect(me.statusCode).toBe(401)
    const elsewhere = await get(OTHER_HOST, '/', cookie)
    expect(elsewhere.body).not.toContain('Signed in as')
  })

  it('is listed with its site, and ends with the network session it came from', async () => {
    const network = await signIn(app, member)
    const cookie = await handOff(network)
    const listed = await network.request({ method: 'GET', url: '/api/v1/auth/sessions' })
    const sessions = listed.json<{ items: { siteId: string | null; current: boolean }[] }>().items
    expect(sessions.some((s) => s.siteId === site)).toBe(true)
    expect(sessions.find((s) => s.current)?.siteId).toBeNull()
    expect((await get(HOST, PRIVATE_PATH, cookie)).statusCode).toBe(200)
    const out = await network.request({ method: 'POST', url: '/api/v1/auth/logout' })
    expect(out.statusCode).toBe(200)
    expect((await get(HOST, PRIVATE_PATH, cookie)).statusCode).toBe(404)
  })

  it('signs out by a form posted from its own host only', async () => {
    const cookie = await handOff(await signIn(app, member))
    const foreign = await postForm(HOST, '/_signout', {}, { cookie, origin: 'http://evil.example' })
    expect(foreign.statusCode).toBe(403)
    expect((await get(HOST, PRIVATE_PATH, cookie)).statusCode).toBe(200)
    const out = await postForm(HOST, '/_signout', {}, { cookie, origin: `http://${HOST}` })
    expect(out.statusCode).toBe(303)
    expect(out.headers.location).toBe('/')
    expect((await get(HOST, PRIVATE_PATH, cookie)).statusCode).toBe(404)
  })
})

describe('signing in on the root host', () => {
  it('shows the sign-in form to a browser without a session, then hands off after the password', async () => {
    const { handoff, state } = await start()
    const form = await get(ROOT, handoff)
    expect(form.statusCode).toBe(200)
    expect(form.headers['cache-control']).toBe('no-store')
    expect(form.body).toContain('autocomplete="current-password"')
    // Browsers apply form-action to the redirect the form ends in: the site's origin is allowed too.
    expect(form.headers['content-security-policy']).toContain(`form-action 'self' http://${HOST}:3000`)

    const wrong = await postForm(ROOT, handoff, { email: member.email, password: 'not it' })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.body).toContain('role="alert"')
    expect(wrong.cookies).toHaveLength(0)

    const right = await postForm(ROOT, handoff, { email: member.email, password: member.password })
    expect(right.statusCode).toBe(303)
    expect(cookiesOf(right).colophon_session).toBeTruthy()
    const landed = await get(HOST, pathOf(right.headers.location), `${SIGNIN_STATE_COOKIE}=${state}`)
    expect(landed.statusCode).toBe(303)
    const cookie = `colophon_session=${cookiesOf(landed).colophon_session}`
    expect((await get(HOST, PRIVATE_PATH, cookie)).statusCode).toBe(200)
  })

  it('asks for the second factor of a user with 2FA', async () => {
    const user = await createUser(app, { siteRole: 'subscriber', site })
    const session = await signIn(app, user)
    const setup = await session.request({ method: 'POST', url: '/api/v1/auth/2fa/setup' })
    const { secret } = setup.json<{ secret: string }>()
    const confirmed = await session.request({
      method: 'POST',
      url: '/api/v1/auth/2fa/confirm',
      payload: { code: await totpCodeFor(secret) },
    })
    expect(confirmed.statusCode, confirmed.body).toBe(200)

    const { handoff, state } = await start()
    const step = await postForm(ROOT, handoff, { email: user.email, password: user.password })
    expect(step.statusCode).toBe(200)
    expect(step.cookies).toHaveLength(0)
    const challenge = /name="challenge" value="([^"]+)"/.exec(step.body)?.[1] ?? ''
    expect(challenge).not.toBe('')
    const wrong = await postForm(ROOT, handoff, { challenge, code: '000000' })
    expect(wrong.statusCode).toBe(401)
    const right = await postForm(ROOT, handoff, { challenge, code: await totpCodeFor(secret, 1) })
    expect(right.statusCode, right.body).toBe(303)
    const landed = await get(HOST, pathOf(right.headers.location), `${SIGNIN_STATE_COOKIE}=${state}`)
    expect(landed.statusCode).toBe(303)
  })

  it('refuses forms posted from another origin, and counts guesses', async () => {
    const { handoff } = await start()
    const foreign = await postForm(
      ROOT,
      handoff,
      { email: member.email, password: member.password },
      { origin: 'http://evil.example' },
    )
    expect(foreign.statusCode).toBe(403)
    expect(foreign.cookies).toHaveLength(0)
    // What the browser says of the page that posted counts first: no page can set Sec-Fetch-Site.
    const fields = { email: member.email, password: member.password }
    const crossSite = { origin: `http://${ROOT}`, 'sec-fetch-site': 'cross-site' }
    expect((await postForm(ROOT, handoff, fields, crossSite)).statusCode).toBe(403)
    expect((await postForm(ROOT, handoff, fields, { origin: 'null' })).statusCode).toBe(403)
    expect((await postForm(ROOT, handoff, fields, {})).statusCode).toBe(403)
    const victim = await createUser(app)
    let last: Reply | undefined
    for (let i = 0; i < 12; i++)
      last = await postForm(ROOT, handoff, { email: victim.email, password: 'guess' })
    expect(last?.statusCode).toBe(429)
    expect(last?.body).toContain('Too many attempts')
  })

  it('signs the main site in directly, and refuses handoffs to nowhere', async () => {
    const direct = await postForm(ROOT, '/_signin?next=%2Fabout', {
      email: member.email,
      password: member.password,
    })
    expect(direct.statusCode).toBe(303)
    expect(direct.headers.location).toBe('/about')
    const bad = await get(ROOT, '/_signin/handoff?site=nope&state=x')
    expect(bad.statusCode).toBe(400)
    const gone = await get(
      ROOT,
      `/_signin/handoff?site=00000000-0000-4000-8000-000000000000&state=${'a'.repeat(43)}`,
    )
    expect(gone.statusCode).toBe(404)
    // The handoff belongs to the root host; the callback to site hosts.
    expect((await get(HOST, `/_signin/handoff?site=${site}&state=${'a'.repeat(43)}`)).statusCode).toBe(404)
    expect((await get(ROOT, '/_signin/callback?code=abc')).statusCode).toBe(404)
  })
})

describe('landing paths', () => {
  it('stay on the host', () => {
    expect(landingPath('/2026/03/x?y=1')).toBe('/2026/03/x?y=1')
    for (const bad of [
      '//evil.example/',
      '/\\evil.example',
      'https://evil.example/',
      'x',
      '',
      '/_signin',
      '/a\nb',
    ])
      expect(landingPath(bad)).toBe('/')
    expect(landingPath(undefined)).toBe('/')
  })
})
