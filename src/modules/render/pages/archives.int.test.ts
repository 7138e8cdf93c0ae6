import { parseFeed } from '@rowanmanning/feed-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  addDomain,
  assignTerms,
  createEntries,
  createEntry,
  createSite,
  createTerm,
} from '../../../../test/harness/factories.ts'
import { createUser, mainSiteId } from '../../../../test/harness/identity.ts'
import { createTestApp, queryCount, type TestApp } from '../../../../test/harness/test-app.ts'
import { newId } from '../../../platform/db/index.ts'

/**
 * Listings on a site's host: the front page and the archives of a type, a term, an author and a date,
 * their numbered pages and their feeds. Each shows the published public entries it names and nothing
 * else (not another site's, not a draft, private, protected or trashed one), within the statement budget.
 */

let app: TestApp
let main: string
let other: string
let author: string
let otherAuthor: string
let news: string
let travel: string
const OTHER_HOST = 'archives-other.localhost'

/** Never on any listing of the main site. */
const HIDDEN = [
  'Draft about news',
  'Pending news',
  'Scheduled news',
  'Private news',
  'Protected news',
  'Trashed news',
  'Foreign news',
]

const page = (url: string, host?: string) =>
  app.server.inject({ method: 'GET', url, headers: host ? { host } : {} })

/** The entry titles a listing page shows, in order. */
const titlesOf = (body: string) =>
  [...body.matchAll(/<h2 class="card-title"><a href="[^"]*">([^<]*)<\/a><\/h2>/g)].map((m) => m[1])

beforeAll(async () => {
  app = await createTestApp()
  main = await mainSiteId(app)
  other = await createSite(app, { slug: 'archives-other', name: 'Other' })
  await addDomain(app, { siteId: other, host: OTHER_HOST, kind: 'subdomain', primary: true })
  author = (await createUser(app, { name: 'Ada Writer' })).id
  otherAuthor = (await createUser(app, { name: 'Bo Other' })).id
  news = await createTerm(app, { siteId: main, taxonomy: 'category', slug: 'news', name: 'News' })
  travel = await createTerm(app, { siteId: main, taxonomy: 'tag', slug: 'travel', name: 'Travel & trips' })
  await app.db.engine.query(`UPDATE terms SET description = 'Fresh from the press.' WHERE id = $1`, [news])
  const published = { siteId: main, status: 'published', authorId: author } as const
  // 25 news posts, one a day through March 2026 (UTC noon), newest last.
  const ids = await createEntries(
    app,
    Array.from({ length: 25 }, (_, i) => ({
      ...published,
      slug: `news-${i + 1}`,
      title: `News ${i + 1}`,
      publishedAt: `2026-03-${String(i + 1).padStart(2, '0')}T12:00:00Z`,
    })),
  )
  const hidden = await createEntries(app, [
    { siteId: main, slug: 'draft-news', title: 'Draft about news', authorId: author },
    { siteId: main, status: 'pending', slug: 'pending-news', title: 'Pending news', authorId: author },
    {
      siteId: main,
      status: 'scheduled',
      slug: 'scheduled-news',
      title: 'Scheduled news',
      authorId: author,
      publishedAt: null,
    },
    {
      ...published,
      slug: 'private-news',
      title: 'Private news',
      visibility: 'private',
      publishedAt: '2026-03-05T08:00:00Z',
    },
    {
      ...published,
      slug: 'protected-news',
      title: 'Protected news',
      visibility: 'password',
      password: 'x',
      publishedAt: '2026-03-05T09:00:00Z',
    },
    {
      ...published,
      status: 'trash',
      slug: 'trashed-news',
      title: 'Trashed news',
      publishedAt: '2026-03-05T10:00:00Z',
    },
  ])
  await createEntry(app, {
    siteId: main,
    status: 'published',
    authorId: otherAuthor,
    slug: 'trip',
    title: 'A trip in April',
    publishedAt: '2026-04-02T23:30:00Z', // 3 April in Paris, 2 April in UTC
  })
  await assignTerms(app, [
    ...ids.map((entryId) => ({ entryId, termId: news })),
    ...hidden.map((entryId) => ({ entryId, termId: news })),
  ])
  const trip = await app.db.engine.query<{ id: string }>(`SELECT id FROM entries WHERE slug = 'trip'`)
  await assignTerms(app, [{ entryId: trip[0]?.id ?? '', termId: travel }])
  const foreign = await createEntry(app, {
    siteId: other,
    status: 'published',
    authorId: author,
    slug: 'foreign-news',
    title: 'Foreign news',
    publishedAt: '2026-03-05T12:00:00Z',
  })
  const foreignNews = await createTerm(app, {
    siteId: other,
    taxonomy: 'category',
    slug: 'news',
    name: 'News',
  })
  await assignTerms(app, [{ entryId: foreign, termId: foreignNews }])
  await page('/') // The node's first request also learns the setup state and the main site.
})
afterAll(() => app?.close())

describe('numbered pages', () => {
  it('pages the front page ten at a time, newest first, with links both ways', async () => {
    const first = await page('/')
    expect(titlesOf(first.body)).toEqual([
      'A trip in April',
      ...[25, 24, 23, 22, 21, 20, 19, 18, 17].map((n) => `News ${n}`),
    ])
    expect(first.body).toMatch(/<a href="http:\/\/[^"]+\/page\/2" rel="next">/)
    expect(first.body).toMatch(/<link rel="next" href="http:\/\/[^"]+\/page\/2">/)
    const third = await page('/page/3')
    expect(third.statusCode).toBe(200)
    expect(titlesOf(third.body)).toEqual(['News 6', 'News 5', 'News 4', 'News 3', 'News 2', 'News 1'])
    expect(third.body).toMatch(/<a href="http:\/\/[^"]+\/page\/2" rel="prev">/)
    expect(third.body).not.toContain('rel="next"')
    expect(third.body).toMatch(/<link rel="canonical" href="http:\/\/[^"]+\/page\/3">/)
    // The site, an entry at the path (pages live at any path), the menus and the entries.
    expect(queryCount(third)).toBeLessThanOrEqual(4)
  })

  it('answers 301 for page 1 and 404 past the last page or for a page that is no number', async () => {
    const one = await page('/category/news/page/1?x=1')
    expect(one.statusCode).toBe(301)
    expect(one.headers.location).toBe('/category/news?x=1')
    for (const path of ['/page/4', '/category/news/page/9', '/page/0', '/page/x', '/page/99999999'])
      expect((await page(path)).statusCode, path).toBe(404)
  })
})

describe('archives', () => {
  it('lists a term’s entries under its name and description, in at most four statements', async () => {
    const res = await page('/category/news/page/2')
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('<h1 class="archive-title">News</h1>')
    expect(res.body).toContain('Fresh from the press.')
    expect(titlesOf(res.body)).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6].map((n) => `News ${n}`))
    expect(res.body).toMatch(/<link rel="canonical" href="http:\/\/[^"]+\/category\/news\/page\/2">/)
    expect(res.body).toMatch(
      /<link rel="alternate" type="application\/atom\+xml" title="[^"]*News \(Atom\)" href="http:\/\/[^"]+\/category\/news\/feed\/atom">/,
    )
    expect(queryCount(res)).toBeLessThanOrEqual(4)
    const tag = await page('/tag/travel')
    expect(titlesOf(tag.body)).toEqual(['A trip in April'])
    expect(tag.body).toContain('Travel &amp; trips')
  })

  it('lists a type, an author and a date (in the site’s time zone)', async () => {
    const type = await page('/post/page/3')
    expect(titlesOf(type.body)).toEqual(['News 6', 'News 5', 'News 4', 'News 3', 'News 2', 'News 1'])
    const byAuthor = await page(`/author/${author}/page/3`)
    expect(byAuthor.statusCode).toBe(200)
    expect(byAuthor.body).toContain('<h1 class="archive-title">Ada Writer</h1>')
    expect(titlesOf(byAuthor.body)).toEqual(['News 5', 'News 4', 'News 3', 'News 2', 'News 1'])
    const day = await page('/2026/03/05')
    expect(titlesOf(day.body)).toEqual(['News 5'])
    expect(day.body).toContain('March 5, 2026')
    const month = await page('/2026/04')
    expect(titlesOf(month.body)).toEqual(['A trip in April'])
    expect((await page('/2026/04/02')).statusCode).toBe(200)
    await app.db.engine.query(`UPDATE sites SET timezone = 'Europe/Paris' WHERE id = $1`, [main])
    try {
      expect((await page('/2026/04/02')).statusCode).toBe(404)
      expect(titlesOf((await page('/2026/04/03')).body)).toEqual(['A trip in April'])
    } finally {
      await app.db.engine.query(`UPDATE sites SET timezone = 'UTC' WHERE id = $1`, [main])
    }
  })

  it('links entries to their author’s and terms’ archives', async () => {
    const res = await page('/')
    expect(res.body).toMatch(new RegExp(`href="http://[^"]+/author/${author}"`))
    const entry = await page(`/${new Date('2026-03-07T12:00:00Z').getUTCFullYear()}/03/news-7`)
    expect(entry.statusCode).toBe(200)
    expect(entry.body).toMatch(/<a href="http:\/\/[^"]+\/category\/news">News<\/a>/)
  })

  it('never lists what readers may not see, nor another site’s entries', async () => {
    for (const path of [
      '/',
      '/page/2',
      '/page/3',
      '/category/news',
      '/category/news/page/2',
      '/category/news/page/3',
      `/author/${author}`,
      `/author/${author}/page/2`,
      `/author/${author}/page/3`,
      '/2026/03/05',
      '/2026',
      '/post',
      '/feed',
      '/category/news/feed',
      `/author/${author}/feed/json`,
    ]) {
      const res = await page(path)
      expect(res.statusCode, path).toBe(200)
      for (const title of HIDDEN) expect(res.body, `${path}: ${title}`).not.toContain(title)
    }
    const foreign = await page('/category/news', OTHER_HOST)
    expect(titlesOf(foreign.body)).toEqual(['Foreign news'])
    expect((await page(`/author/${author}`, OTHER_HOST)).body).toContain('Foreign news')
  })

  it('answers 404 for what names no listing', async () => {
    for (const path of [
      '/category/nope',
      '/category/news/extra',
      `/author/${newId()}`,
      '/2026/05',
      '/2025',
      '/2026/02/30',
      '/tag',
      '/page', // the hierarchical page type has no archive
    ])
      expect((await page(path)).statusCode, path).toBe(404)
  })
})

describe('listing feeds', () => {
  it('gives each listing RSS, Atom and JSON Feed of its own entries', async () => {
    for (const suffix of ['/feed', '/feed/atom', '/feed/json']) {
      const res = await page(`/tag/travel${suffix}`)
      expect(res.statusCode, suffix).toBe(200)
      const body =
        suffix === '/feed/json'
          ? (JSON.parse(res.body) as { title: string; items: { title: string; url: string }[] })
          : parseFeed(res.body)
      expect(body.title).toContain('Travel & trips')
      const items = 'items' in body ? body.items : []
      expect(items.map((i) => i.title)).toEqual(['A trip in April'])
      expect(queryCount(res)).toBeLessThanOrEqual(4)
    }
    const author = await page(`/author/${otherAuthor}/feed`)
    expect(parseFeed(author.body).title).toContain('Bo Other')
    const date = await page('/2026/03/feed/atom')
    expect(parseFeed(date.body).items).toHaveLength(20)
    // A feed has no numbered pages.
    expect((await page('/tag/travel/feed/page/2')).statusCode).toBe(404)
  })
})
