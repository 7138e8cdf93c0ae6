import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDomain, createEntry, createSite } from '../../../../test/harness/factories.ts'
import { mainSiteId } from '../../../../test/harness/identity.ts'
import { createTestApp, errorOf, queryCount, type TestApp } from '../../../../test/harness/test-app.ts'
import { parseFeed } from '@rowanmanning/feed-parser'
import { newId } from '../../../platform/db/index.ts'

/**
 * Public pages through the default theme: what each path resolves to, who sees what, and that a site's
 * host never shows another site's content. Entries are planted directly (published ones with a fixed
 * publication time, so their dated permalinks are known).
 */

let app: TestApp
let main: string
let other: string
const OTHER_HOST = 'other.localhost'
const at = '2026-03-09T12:00:00.000Z'

/** Titles no list of the main site shows: unpublished, private, protected, another site's, a page. */
const NEVER_LISTED = [
  'Secret draft',
  'Members only',
  'Locked post',
  'Thrown away',
  'News of the other site',
  'About us',
]

const page = (url: string, host?: string) =>
  app.server.inject({ method: 'GET', url, headers: host ? { host } : {} })

beforeAll(async () => {
  app = await createTestApp()
  main = await mainSiteId(app)
  other = await createSite(app, { slug: 'other', name: 'Other Site' })
  await addDomain(app, { siteId: other, host: OTHER_HOST, kind: 'subdomain', primary: true })
  const post = { siteId: main, type: 'post', status: 'published', publishedAt: at } as const
  const hello = await createEntry(app, { ...post, slug: 'hello-world', title: 'Hello & welcome' })
  await app.db.engine.query(`UPDATE entries SET body_html = $2, excerpt = 'A first post.' WHERE id = $1`, [
    hello,
    '<p>The <strong>first</strong> post.</p>',
  ])
  await createEntry(app, {
    ...post,
    slug: 'second-post',
    title: 'Second post',
    publishedAt: '2026-03-10T12:00:00Z',
  })
  await createEntry(app, { siteId: main, slug: 'secret-draft', title: 'Secret draft' })
  await createEntry(app, { ...post, status: 'trash', slug: 'thrown-away', title: 'Thrown away' })
  await createEntry(app, { ...post, slug: 'members-only', title: 'Members only', visibility: 'private' })
  await createEntry(app, {
    ...post,
    slug: 'locked',
    title: 'Locked post',
    visibility: 'password',
    password: 'open sesame',
  })
  const about = await createEntry(app, { ...post, type: 'page', slug: 'about', title: 'About us' })
  await createEntry(app, { ...post, type: 'page', slug: 'team', title: 'Our team', parentId: about })
  // Named like the feed, but under a parent: it does not take /feed over.
  await createEntry(app, {
    ...post,
    type: 'page',
    slug: 'feed',
    title: 'How we feed the birds',
    parentId: about,
  })
  await createEntry(app, { ...post, siteId: other, slug: 'other-news', title: 'News of the other site' })
  await app.db.engine.query(
    `INSERT INTO redirects (id, site_id, from_path, to_path, status_code) VALUES ($1, $2, '/old-hello', '/2026/03/hello-world', 301)`,
    [newId(), main],
  )
})
afterAll(() => app?.close())

describe('the front page', () => {
  it('lists the published public entries of the host’s site, newest first, in at most three statements', async () => {
    await page('/') // The node's first request also learns the setup state and the main site.
    const res = await page('/')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.body).toMatch(/^<!doctype html>/)
    expect(res.body.indexOf('Second post')).toBeGreaterThan(-1)
    expect(res.body.indexOf('Second post')).toBeLessThan(res.body.indexOf('Hello &amp; welcome'))
    for (const hidden of NEVER_LISTED) expect(res.body).not.toContain(hidden)
    expect(res.body).toContain('/2026/03/hello-world"')
    expect(queryCount(res)).toBeLessThanOrEqual(3)
  })

  it('shows a site on its own host, and nothing of another site', async () => {
    const res = await page('/', OTHER_HOST)
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('News of the other site')
    expect(res.body).toContain('Other Site')
    expect(res.body).not.toContain('Hello &amp; welcome')
    expect(res.body).toMatch(new RegExp(`<link rel="canonical" href="http://${OTHER_HOST}(:\\d+)?/">`))
  })
})

describe('entries by permalink', () => {
  it('renders an entry at its canonical path, with its body and canonical URL', async () => {
    const res = await page('/2026/03/hello-world')
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('<h1 class="entry-title">Hello &amp; welcome</h1>')
    expect(res.body).toContain('<p>The <strong>first</strong> post.</p>')
    expect(res.body).toContain('<meta name="description" content="A first post.">')
    expect(res.body).toMatch(/<link rel="canonical" href="http:\/\/localhost[^"]*\/2026\/03\/hello-world">/)
    expect(queryCount(res)).toBeLessThanOrEqual(3)
  })

  it('answers 301 to the canonical path for another spelling, date or parent of the same entry', async () => {
    for (const [from, to] of [
      ['/2026/03/hello-world/', '/2026/03/hello-world'],
      ['//2026/03/hello-world?ref=x', '/2026/03/hello-world?ref=x'],
      ['/2025/01/hello-world', '/2026/03/hello-world'],
      ['/team', '/about/team'],
    ]) {
      const res = await page(from as string)
      expect([from, res.statusCode, res.headers.location]).toEqual([from, 301, to])
    }
  })

  it('renders nested pages with breadcrumbs to their ancestors', async () => {
    const res = await page('/about/team')
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('Our team')
    expect(res.body).toMatch(/<a href="http:\/\/localhost[^"]*\/about">About us<\/a>/)
  })

  it('serves the redirect table', async () => {
    const res = await page('/old-hello')
    expect([res.statusCode, res.headers.location]).toEqual([301, '/2026/03/hello-world'])
  })

  it.each([
    ['a draft', '/2026/03/secret-draft'],
    ['a private entry', '/2026/03/members-only'],
    ['a trashed entry', '/2026/03/thrown-away'],
    ['another site’s entry', '/2026/03/other-news'],
    ['a path that names nothing', '/nothing/here'],
  ])('answers 404 with the theme’s page for %s', async (_what, path) => {
    const res = await page(path)
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.body).toMatch(/<meta name="robots" content="noindex[^"]*">/)
    for (const hidden of NEVER_LISTED) expect(res.body).not.toContain(hidden)
  })

  it('keeps the main site’s entries off another site’s host', async () => {
    expect((await page('/2026/03/hello-world', OTHER_HOST)).statusCode).toBe(404)
    expect((await page('/about', OTHER_HOST)).statusCode).toBe(404)
  })
})

describe('feeds', () => {
  const published = ['Second post', 'Hello & welcome']

  it.each([
    ['/feed', 'application/rss+xml; charset=utf-8'],
    ['/feed/atom', 'application/atom+xml; charset=utf-8'],
  ])(
    '%s parses with a feed parser: the published public entries, absolute links, stable ids and dates',
    async (path, type) => {
      const res = await page(path)
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toBe(type)
      const feed = parseFeed(res.body)
      expect(feed.title).toBe('Main')
      expect(feed.items.map((i) => i.title)).toEqual(published)
      const hello = feed.items[1]!
      expect(hello.url).toMatch(/^http:\/\/localhost(:\d+)?\/2026\/03\/hello-world$/)
      expect(hello.id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/)
      expect(hello.published?.toISOString()).toBe(at)
      expect(hello.content).toContain('<strong>first</strong>')
      for (const hidden of NEVER_LISTED) expect(res.body).not.toContain(hidden)
    },
  )

  it('keeps a feed path for the feed when an entry of that slug lives elsewhere', async () => {
    const res = await page('/feed')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/rss+xml; charset=utf-8')
    expect((await page('/about/feed')).body).toContain('How we feed the birds')
  })

  it('writes RSS dates as RFC 822 and Atom dates as RFC 3339', async () => {
    expect((await page('/feed')).body).toContain('<pubDate>Mon, 09 Mar 2026 12:00:00 GMT</pubDate>')
    expect((await page('/feed/atom')).body).toContain('<published>2026-03-09T12:00:00.000Z</published>')
  })

  it('/feed/json is a JSON Feed 1.1', async () => {
    const res = await page('/feed/json')
    expect(res.headers['content-type']).toBe('application/feed+json; charset=utf-8')
    const feed = res.json() as { version: string; feed_url: string; items: Record<string, unknown>[] }
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1')
    expect(feed.feed_url).toMatch(/^http:\/\/localhost(:\d+)?\/feed\/json$/)
    expect(feed.items.map((i) => i.title)).toEqual(published)
    expect(feed.items[1]).toMatchObject({
      id: expect.stringMatching(/^urn:uuid:/),
      url: expect.stringMatching(/\/2026\/03\/hello-world$/),
      date_published: at,
      content_html: '<p>The <strong>first</strong> post.</p>',
    })
  })

  it('gives each site its own feed, and names the feeds in every page', async () => {
    const feed = parseFeed((await page('/feed', OTHER_HOST)).body)
    expect(feed.items.map((i) => i.title)).toEqual(['News of the other site'])
    const home = (await page('/')).body
    for (const [type, path] of [
      ['application/rss+xml', '/feed'],
      ['application/atom+xml', '/feed/atom'],
      ['application/feed+json', '/feed/json'],
    ] as const)
      expect(home).toMatch(
        new RegExp(
          `<link rel="alternate" type="${type.replace('+', '\\+')}" title="[^"]+" href="http://localhost(:\\d+)?${path}">`,
        ),
      )
  })
})

describe('requests that are not pages', () => {
  it.each([
    '/a%01b',
    '/a%2Fb',
    '/a%5C..',
    `/${'x'.repeat(2100)}`,
    '/a%00b',
    '/?x=%ff',
    '/2026/03/hello-world?q=%00',
  ])('answers %s with the theme’s 400 page', async (path) => {
    const res = await page(path)
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.body).toContain('<meta name="robots" content="noindex')
  })

  it('answers an address that does not decode with a plain HTML 400 before any site is read', async () => {
    for (const path of ['/%ff', '/x/%E0%A4%A']) {
      const res = await page(path)
      expect(res.statusCode, path).toBe(400)
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(res.headers['cache-control']).toBe('no-store')
    }
  })

  it('still refuses bad text in API and admin URLs with the JSON error', async () => {
    for (const path of ['/api/v1/sites/%ff/entries', '/api/v1/setup?x=%00', '/admin/%ff'])
      expect(errorOf(await page(path)).code, path).toBe('COLOPHON_HTTP_INVALID_TEXT')
  })

  it('leaves the API its JSON 404, on the root host and on site hosts, however it is spelled', async () => {
    for (const path of [
      '/api/v1/no-such-thing',
      '//api/v1/setup',
      '/API/V1/SETUP',
      '/api%2Fv1/setup',
      '/admin/x',
    ])
      expect(errorOf(await page(path)).code, path).toBe('COLOPHON_HTTP_NOT_FOUND')
    expect(errorOf(await page('/api/v1/no-such-thing', OTHER_HOST)).code).toBe('COLOPHON_SITES_WRONG_HOST')
  })

  it('answers HEAD like GET, without a body', async () => {
    const res = await app.server.inject({ method: 'HEAD', url: '/2026/03/hello-world' })
    expect(res.statusCode).toBe(200)
    expect(res.body).toBe('')
  })

  it('serves theme assets by content hash, cacheable for good, and nothing under another hash', async () => {
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec((await page('/')).body)?.[1] as string
    expect(href).toMatch(/^\/_assets\/[0-9a-f]{16}\/css\/site\.css$/)
    const css = await page(href)
    expect(css.statusCode).toBe(200)
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8')
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect((await page(href.replace(/[0-9a-f]{16}/, '0'.repeat(16)))).statusCode).toBe(404)
    expect((await page('/_assets/0000000000000000/theme.json')).statusCode).toBe(404)
  })
})

describe('robots.txt and sitemaps on each host', () => {
  it('serve each site its own, naming only its own URLs', async () => {
    const robots = await page('/robots.txt', OTHER_HOST)
    expect(robots.statusCode).toBe(200)
    expect(robots.headers['content-type']).toMatch(/^text\/plain/)
    expect(robots.body).toMatch(new RegExp(`Sitemap: http://${OTHER_HOST}(:\\d+)?/sitemap.xml`))
    const index = await page('/sitemap.xml', OTHER_HOST)
    expect(index.statusCode).toBe(200)
    expect(index.body).toContain('<sitemapindex')
    const children = [...index.body.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1] ?? '').pathname)
    const urls: string[] = []
    for (const child of children) {
      const res = await page(child, OTHER_HOST)
      expect(res.statusCode, child).toBe(200)
      urls.push(...[...res.body.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1] ?? ''))
    }
    expect(urls.some((u) => u.endsWith('/other-news'))).toBe(true)
    for (const url of urls) expect(new URL(url).host).toMatch(new RegExp(`^${OTHER_HOST}(:\\d+)?$`))
    expect(urls.join(' ')).not.toContain('hello-world')
    expect(queryCount(index)).toBeLessThanOrEqual(2)
  })

  it('say noindex on every page of a site whose indexing is discouraged, and serve no sitemap', async () => {
    await app.db.engine.query(`UPDATE sites SET discourage_indexing = true WHERE id = $1`, [other])
    try {
      for (const path of ['/', `/${new Date().getUTCFullYear() + 100}`, '/post'])
        expect((await page(path, OTHER_HOST)).body, path).toMatch(
          /<meta name="robots" content="noindex[^"]*">/,
        )
      expect((await page('/sitemap.xml', OTHER_HOST)).statusCode).toBe(404)
      expect((await page('/robots.txt', OTHER_HOST)).body).toMatch(/Disallow: \/\s*$/)
    } finally {
      await app.db.engine.query(`UPDATE sites SET discourage_indexing = false WHERE id = $1`, [other])
    }
    expect((await page('/', OTHER_HOST)).body).not.toContain('<meta name="robots"')
  })
})
