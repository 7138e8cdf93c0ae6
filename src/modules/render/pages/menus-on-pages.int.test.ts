import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEntry, createTerm } from '../../../../test/harness/factories.ts'
import { mainSiteId, signInAdmin, type Session } from '../../../../test/harness/identity.ts'
import { createTestApp, queryCount, type TestApp } from '../../../../test/harness/test-app.ts'

/**
 * The site's placed menus on every page of the default theme: entry links that follow the entry's
 * current address, term and archive links, custom links, the current page marked, and items readers may
 * not see left out.
 */

let app: TestApp
let admin: Session
let site: string
let about: string
let draft: string

const page = (url: string) => app.server.inject({ method: 'GET', url })
/** The primary menu's links, as `label → href`. */
const primaryLinks = (body: string) => {
  const nav = /<nav class="site-nav"[^>]*>([\s\S]*?)<\/nav>/.exec(body)?.[1] ?? ''
  return [...nav.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map(
    (m) => `${m[2]} → ${new URL(m[1] ?? '').pathname}`,
  )
}

beforeAll(async () => {
  app = await createTestApp()
  site = await mainSiteId(app)
  admin = await signInAdmin(app)
  about = await createEntry(app, {
    siteId: site,
    type: 'page',
    status: 'published',
    slug: 'about',
    title: 'About us',
    publishedAt: '2026-03-01T12:00:00Z',
  })
  draft = await createEntry(app, { siteId: site, type: 'page', slug: 'soon', title: 'Coming soon' })
  const news = await createTerm(app, { siteId: site, taxonomy: 'category', slug: 'news', name: 'News' })
  const menu = await admin.request({
    method: 'POST',
    url: `/api/v1/sites/${site}/menus`,
    payload: { name: 'Main', location: 'primary' },
  })
  expect(menu.statusCode).toBe(201)
  const items = await admin.request({
    method: 'PUT',
    url: `/api/v1/sites/${site}/menus/${menu.json<{ id: string }>().id}/items`,
    payload: {
      items: [
        { kind: 'entry', entryId: about, children: [{ kind: 'entry', entryId: draft }] },
        { kind: 'term', termId: news },
        { kind: 'archive', type: 'post', label: 'Writing' },
        { kind: 'custom', url: '/feed', label: 'Feed' },
        { kind: 'custom', url: 'https://example.org/elsewhere', label: 'Elsewhere' },
      ],
    },
  })
  expect(items.statusCode).toBe(200)
  await page('/') // The node's first request also learns the setup state and the main site.
})
afterAll(() => app?.close())

describe('menus on pages', () => {
  it('show the primary menu with each target’s address, leaving out what readers may not see', async () => {
    const res = await page('/')
    expect(primaryLinks(res.body)).toEqual([
      'About us → /about',
      'News → /category/news',
      'Writing → /post',
      'Feed → /feed',
      'Elsewhere → /elsewhere',
    ])
    expect(res.body).not.toContain('Coming soon')
    expect(res.body).toContain('<nav class="site-nav" aria-label="Main menu">')
    expect(queryCount(res)).toBeLessThanOrEqual(3)
  })

  it('mark the current page, and follow an entry to its new address', async () => {
    const at = await page('/about')
    expect(at.body).toMatch(/<a href="[^"]+\/about" aria-current="page">About us<\/a>/)
    const term = await page('/category/news')
    expect(term.body).toMatch(/<a href="[^"]+\/category\/news" aria-current="page">News<\/a>/)
    expect(queryCount(term)).toBeLessThanOrEqual(4)
    await app.db.engine.query(`UPDATE entries SET slug = 'who-we-are' WHERE id = $1`, [about])
    expect(primaryLinks((await page('/')).body)).toContain('About us → /who-we-are')
  })

  it('show a sub-item once its entry is published', async () => {
    await app.db.engine.query(`UPDATE entries SET status = 'published', published_at = now() WHERE id = $1`, [
      draft,
    ])
    expect(primaryLinks((await page('/')).body)).toContain('Coming soon → /soon')
  })
})

describe('a chosen front page', () => {
  const setFront = (frontPageEntryId: string | null) =>
    admin.request({
      method: 'PATCH',
      url: `/api/v1/sites/${site}/settings`,
      payload: { settings: { frontPageEntryId } },
    })

  it('shows the chosen entry at / and sends its own address there, falling back to the latest entries', async () => {
    expect((await setFront(about)).statusCode).toBe(200)
    try {
      const front = await page('/')
      expect(front.statusCode).toBe(200)
      expect(front.body).toContain('<h1 class="entry-title">About us</h1>')
      expect(front.body).toMatch(/<link rel="canonical" href="http:\/\/[^"/]+\/">/)
      const own = await page('/who-we-are')
      expect(own.statusCode).toBe(301)
      expect(own.headers.location).toBe('/')
      // Unpublished: the front page lists the latest entries again, and the entry's address is its own.
      await app.db.engine.query(`UPDATE entries SET status = 'draft' WHERE id = $1`, [about])
      expect((await page('/')).body).not.toContain('<h1 class="entry-title">About us</h1>')
      await app.db.engine.query(`UPDATE entries SET status = 'published' WHERE id = $1`, [about])
    } finally {
      expect((await setFront(null)).statusCode).toBe(200)
    }
    expect((await page('/')).body).not.toContain('<h1 class="entry-title">About us</h1>')
  })

  it('refuses a front page that is not an entry id', async () => {
    const res = await setFront('about' as string)
    expect(res.statusCode).toBe(400)
  })
})
