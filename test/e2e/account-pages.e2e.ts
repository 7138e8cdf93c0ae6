import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../harness/test-app.ts'
import { createUser, mainSiteId, signIn, signInAdmin, type Session } from '../harness/identity.ts'
import { linkOf, mailTo } from '../harness/mail.ts'
import { launchBrowser } from './browser.ts'

/**
 * The pages emailed links open, in a real browser: the token is read from the fragment, removed from the
 * address bar, and sent to the API; the strict CSP holds (no violations reported).
 */

let app: TestApp
let browser: Browser
let origin: string
let admin: Session
const problems: string[] = []

beforeAll(async () => {
  app = await createTestApp()
  origin = await app.server.listen({ host: '127.0.0.1', port: 0 })
  admin = await signInAdmin(app)
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await app?.close()
})

/** Opens the emailed link on the test server (mails carry the configured public URL). */
async function open(link: string): Promise<Page> {
  const url = new URL(link)
  const page = await browser.newPage()
  page.on('console', (m) => {
    // The refusals this file provokes on purpose (weak password, used link) are 400s; anything else counts.
    if (m.type() === 'error' && !/status of 400/.test(m.text())) problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(e.message))
  await page.goto(`${origin}${url.pathname}${url.hash}`)
  return page
}

describe('account pages', () => {
  it('resets a password from the emailed link', async () => {
    const user = await createUser(app)
    await app.server.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset',
      payload: { email: user.email },
    })
    const [mail] = await mailTo(app, admin, user.email)
    const page = await open(linkOf(mail as Parameters<typeof linkOf>[0]).link)
    // The token left the address bar as soon as the script read it.
    await page.waitForFunction('location.hash === ""')
    await page.fill('input[name=password]', 'password123')
    await page.click('button[type=submit]')
    await expect.poll(() => page.textContent('[role=alert]')).toMatch(/commonly used/)
    await page.fill('input[name=password]', 'a passphrase chosen in a browser')
    await page.click('button[type=submit]')
    await expect.poll(() => page.textContent('[role=status]')).toMatch(/password has been changed/)
    await page.close()
    const session = await signIn(app, { email: user.email, password: 'a passphrase chosen in a browser' })
    expect((await session.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(200)
  })

  it('accepts an invitation and the new member can sign in', async () => {
    const email = `browser-invite-${Date.now()}@example.com`
    const invite = await admin.request({
      method: 'POST',
      url: '/api/v1/users/invitations',
      payload: { email, site: { id: await mainSiteId(app), role: 'author' } },
    })
    expect(invite.statusCode).toBe(201)
    const [mail] = await mailTo(app, admin, email)
    const page = await open(linkOf(mail as Parameters<typeof linkOf>[0]).link)
    await page.fill('input[name=name]', 'Ines Invited')
    await page.fill('input[name=password]', 'my first passphrase here')
    await page.click('button[type=submit]')
    await expect.poll(() => page.textContent('[role=status]')).toMatch(/account is ready/)
    await page.close()
    const session = await signIn(app, { email, password: 'my first passphrase here' })
    const me = (await session.request({ method: 'GET', url: '/api/v1/auth/me' })).json()
    expect(me.user.name).toBe('Ines Invited')
    expect(me.memberships[0].role).toBe('author')
  })

  it('joins a site from a site invitation, with a new account or an existing one', async () => {
    const site = await mainSiteId(app)
    const invite = async (email: string) => {
      const res = await admin.request({
        method: 'POST',
        url: `/api/v1/sites/${site}/invitations`,
        payload: { email, role: 'author' },
      })
      expect(res.statusCode, res.body).toBe(201)
      const [mail] = await mailTo(app, admin, email)
      return open(linkOf(mail as Parameters<typeof linkOf>[0]).link)
    }
    const newcomer = `browser-join-${Date.now()}@example.com`
    const page = await invite(newcomer)
    await page.fill('input[name=name]', 'Jo Joined')
    await page.fill('input[name=password]', 'a passphrase for joining')
    await page.click('button[type=submit]')
    await expect.poll(() => page.textContent('[role=status]')).toMatch(/now a member of the site/)
    await page.close()
    const session = await signIn(app, { email: newcomer, password: 'a passphrase for joining' })
    const me = (await session.request({ method: 'GET', url: '/api/v1/auth/me' })).json()
    expect(me.memberships.map((m: { role: string }) => m.role)).toEqual(['author'])

    // Someone who already has an account only confirms: the empty fields are not sent.
    const existing = await createUser(app)
    const again = await invite(existing.email)
    await again.click('button[type=submit]')
    await expect.poll(() => again.textContent('[role=status]')).toMatch(/now a member of the site/)
    await again.close()
    const theirs = await signIn(app, existing)
    const their = (await theirs.request({ method: 'GET', url: '/api/v1/auth/me' })).json()
    expect(their.memberships.map((m: { role: string }) => m.role)).toEqual(['author'])
  })

  it('confirms an email change', async () => {
    const user = await createUser(app)
    const session = await signIn(app, user)
    const target = `browser-new-${Date.now()}@example.com`
    await session.request({
      method: 'POST',
      url: '/api/v1/auth/email',
      payload: { newEmail: target, password: user.password },
    })
    const [mail] = await mailTo(app, admin, target)
    const page = await open(linkOf(mail as Parameters<typeof linkOf>[0]).link)
    await page.click('button[type=submit]')
    await expect.poll(() => page.textContent('[role=status]')).toMatch(/email address has been changed/)
    await page.close()
    const me = (await session.request({ method: 'GET', url: '/api/v1/auth/me' })).json()
    expect(me.user.email).toBe(target)
  })

  it('explains a link without its token, and reports a used one', async () => {
    const bare = await open(`${origin}/admin/reset-password`)
    await expect.poll(() => bare.textContent('[role=alert]')).toMatch(/link is incomplete/)
    expect(await bare.isHidden('#account-form')).toBe(true)
    await bare.close()
    const used = await open(`${origin}/admin/reset-password#token=not-a-real-token`)
    await used.fill('input[name=password]', 'whatever passphrase 99')
    await used.click('button[type=submit]')
    await expect.poll(() => used.textContent('[role=alert]')).toMatch(/unknown, already used or expired/)
    await used.close()
  })

  it('ran without script errors or content-security-policy violations', () => {
    expect(problems).toEqual([])
  })
})
