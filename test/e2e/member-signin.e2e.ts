import { createServer } from 'node:net'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDomain, createEntries, createSite } from '../harness/factories.ts'
import { createUser, type TestUser } from '../harness/identity.ts'
import { createTestApp, type TestApp } from '../harness/test-app.ts'
import { signinPage } from '../../src/modules/auth/signin-page.ts'
import { launchBrowser } from './browser.ts'
import { axeViolations, vnuMessages } from './validators.ts'

/**
 * A member reads a private entry on a site with a host of its own, in Chromium, without script: the
 * site's Sign in link, the root host's sign-in form, the one-time handoff back, the entry, the sign-out
 * button. The pages on the way are valid for the Nu HTML Checker and have no axe violations.
 * `*.localhost` resolves to the loopback address in Chromium, so the two hosts are real origins.
 */

let app: TestApp
let browser: Browser
let member: TestUser
let port: number
const HOST = 'members-e2e.localhost'
const PRIVATE_PATH = '/2026/03/members-only'
const site = (path: string) => `http://${HOST}:${port}${path}`

/** A port nothing listens on, for the app's public URL to name before it listens. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()))
    })
  })
}

beforeAll(async () => {
  port = await freePort()
  app = await createTestApp({ config: { publicUrl: `http://localhost:${port}` } })
  const id = await createSite(app, { slug: 'members-e2e', name: 'Members' })
  await addDomain(app, { siteId: id, host: HOST, primary: true })
  await createEntries(app, [
    {
      siteId: id,
      status: 'published',
      slug: 'members-only',
      title: 'Members only',
      visibility: 'private',
      publishedAt: '2026-03-09T12:00:00Z',
    },
  ])
  member = await createUser(app, { siteRole: 'subscriber', site: id, name: 'Mia Member' })
  await app.server.listen({ host: '127.0.0.1', port })
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await app?.close()
})

async function expectAccessible(page: Page): Promise<void> {
  expect(await axeViolations(page)).toEqual([])
}

describe('a member on a site host', () => {
  it('signs in through the root host, reads the private entry, and signs out', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 800 } })
    const page = await context.newPage()
    try {
      const missing = await page.goto(site(PRIVATE_PATH))
      expect(missing?.status()).toBe(404)
      await page.getByRole('link', { name: 'Sign in' }).click()
      await page.waitForURL(/^http:\/\/localhost:\d+\/_signin\/handoff\?/)
      await expectAccessible(page)
      const handoff = page.url()
      // The served bytes, for the Nu HTML Checker: the form, and the form again after a wrong password.
      const form = await (await fetch(handoff)).text()
      const refused = await (
        await fetch(handoff, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(handoff).origin },
          body: new URLSearchParams({ email: member.email, password: 'wrong' }).toString(),
        })
      ).text()

      await page.getByLabel('Email').fill(member.email)
      await page.getByLabel('Password').fill('not the password')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('not right')
      await expectAccessible(page)

      await page.getByLabel('Password').fill(member.password)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForURL(site(PRIVATE_PATH))
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('Members only')
      expect(await page.getByText('Signed in as Mia Member').count()).toBe(1)
      await expectAccessible(page)

      // Only the site's host holds a session cookie of its own; the root host has the network session.
      const cookies = await context.cookies()
      const sessions = cookies.filter((c) => c.name === 'colophon_session')
      expect(sessions.map((c) => c.domain).toSorted()).toEqual([HOST, 'localhost'].toSorted())
      const own = sessions.find((c) => c.domain === HOST)
      // Node cannot resolve *.localhost: the same request, by the app's own injection.
      const entry = (
        await app.server.inject({
          method: 'GET',
          url: PRIVATE_PATH,
          headers: { host: `${HOST}:${port}`, cookie: `colophon_session=${own?.value}` },
        })
      ).body
      expect(entry).toContain('Signed in as Mia Member')

      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.waitForURL(site('/'))
      expect(await page.getByRole('link', { name: 'Sign in' }).count()).toBe(1)
      expect((await page.goto(site(PRIVATE_PATH)))?.status()).toBe(404)

      const expired = await app.server.inject({
        method: 'GET',
        url: `/_signin/callback?code=${'c'.repeat(43)}`,
        headers: { host: `${HOST}:${port}` },
      })
      expect(expired.statusCode).toBe(400)
      expect(
        await vnuMessages({
          'signin.html': form,
          'signin-refused.html': refused,
          // The second step's form comes from the same page maker; a user with 2FA sees it.
          'signin-code.html': signinPage({ action: '/_signin', step: { kind: 'code', challenge: 'c' } }),
          'signin-expired.html': expired.body,
          'member-entry.html': entry,
        }),
      ).toEqual([])
    } finally {
      await context.close()
    }
  })
})
