import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assignTerms, createEntries, createEntry, createTerm } from '../harness/factories.ts'
import { createUser, mainSiteId, signInAdmin } from '../harness/identity.ts'
import { createTestApp, type TestApp } from '../harness/test-app.ts'
import { launchBrowser } from './browser.ts'
import { axeViolations, vnuMessages } from './validators.ts'

/**
 * The pages of a site in the default theme, as served over HTTP with the strict CSP: valid HTML and CSS
 * for the W3C Nu HTML Checker (no errors, no warnings) and no axe violations in Chromium, in light and
 * dark, at desktop and phone widths. Entries are planted with a body such as the rich-text sanitiser
 * writes.
 */

let app: TestApp
let browser: Browser
let origin: string
let authorId: string
let previewToken: string
const urlOf = (path: string) =>
  `${origin}${path.replace('{author}', authorId).replace('{preview}', previewToken)}`

const BODY = `<h2>A section</h2><p>Some <strong>bold</strong>, <em>leaning</em> and <a href="https://example.org/">linked</a> text.</p>
<ul><li>One</li><li>Two</li></ul><ol><li>First</li></ol><blockquote><p>A quotation.</p></blockquote>
<pre><code>const x = 1</code></pre><h3>A smaller section</h3><p>The end.</p>`

/**
 * Every kind of page, by name (`{author}`: the author's id, `{preview}`: a preview link's token, known
 * once they exist).
 */
const PAGES: Record<string, string> = {
  home: '/',
  homePage2: '/page/2',
  entry: '/2026/03/hello-world',
  page: '/about/team',
  typeArchive: '/post',
  term: '/category/news',
  date: '/2026/03',
  author: '/author/{author}',
  passwordForm: '/2026/03/locked-notes',
  preview: '/_preview/{preview}',
  notFound: '/no/such/page',
  badRequest: '/a%01b',
}

beforeAll(async () => {
  app = await createTestApp()
  const site = await mainSiteId(app)
  const author = await createUser(app, { name: 'Ann Writer' })
  authorId = author.id
  const post = { siteId: site, status: 'published', authorId: author.id } as const
  // Enough older posts for a second page of the front page and the archives.
  await createEntries(
    app,
    Array.from({ length: 12 }, (_, i) => ({
      ...post,
      slug: `older-${i + 1}`,
      title: `An older post ${i + 1}`,
      publishedAt: `2026-02-${String(i + 1).padStart(2, '0')}T12:00:00Z`,
    })),
  )
  const hello = await createEntry(app, {
    ...post,
    slug: 'hello-world',
    title: 'Hello, world',
    publishedAt: '2026-03-09T12:00:00Z',
  })
  await createEntry(app, {
    ...post,
    slug: 'second',
    title: 'A second post',
    publishedAt: '2026-03-10T12:00:00Z',
  })
  await app.db.engine.query(
    `UPDATE entries SET body_html = $2, excerpt = 'The first post of the site.' WHERE id = $1`,
    [hello, BODY],
  )
  const news = await createTerm(app, { siteId: site, taxonomy: 'category', slug: 'news', name: 'News' })
  const notes = await createTerm(app, { siteId: site, taxonomy: 'tag', slug: 'notes', name: 'Notes' })
  await assignTerms(app, [
    { entryId: hello, termId: news },
    { entryId: hello, termId: notes },
  ])
  const about = await createEntry(app, { ...post, type: 'page', slug: 'about', title: 'About us' })
  await createEntry(app, { ...post, type: 'page', slug: 'team', title: 'Our team', parentId: about })
  await createEntry(app, {
    ...post,
    slug: 'locked-notes',
    title: 'Locked notes',
    visibility: 'password',
    password: 'open sesame',
    publishedAt: '2026-03-11T12:00:00Z',
  })
  const draft = await createEntry(app, {
    siteId: site,
    authorId: author.id,
    slug: 'soon',
    title: 'Coming soon',
  })
  const admin = await signInAdmin(app)
  const link = await admin.request({
    method: 'POST',
    url: `/api/v1/sites/${site}/entries/${draft}/previews`,
    payload: {},
  })
  expect(link.statusCode).toBe(201)
  previewToken = link.json<{ token: string }>().token
  origin = await app.server.listen({ host: '127.0.0.1', port: 0 })
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await app?.close()
})

describe('site pages in the default theme', () => {
  it('are valid HTML and CSS for the Nu HTML Checker: no errors, no warnings', async () => {
    const documents: Record<string, string> = {}
    let stylesheet = ''
    for (const [name, path] of Object.entries(PAGES)) {
      const res = await fetch(urlOf(path))
      expect(res.headers.get('content-type'), path).toBe('text/html; charset=utf-8')
      const html = await res.text()
      documents[`${name}.html`] = html
      stylesheet = /<link rel="stylesheet" href="([^"]+)">/.exec(html)?.[1] ?? stylesheet
    }
    // The password form again after a wrong password, with its error.
    const refused = await fetch(urlOf(PAGES.passwordForm ?? ''), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'password=wrong',
    })
    expect(refused.status).toBe(403)
    documents['passwordWrong.html'] = await refused.text()
    expect(documents['passwordWrong.html']).toContain('role="alert"')
    expect(stylesheet).not.toBe('')
    documents['site.css'] = await (await fetch(`${origin}${stylesheet}`)).text()
    expect(await vnuMessages(documents)).toEqual([])
  })

  const cases = Object.entries(PAGES).flatMap(([name, path]) =>
    (['light', 'dark'] as const).flatMap((scheme) =>
      [1280, 360].map((width) => [`${name} (${scheme}, ${width} px)`, path, scheme, width] as const),
    ),
  )
  it.each(cases)('%s has no accessibility violations (axe)', async (_name, path, scheme, width) => {
    const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme: scheme })
    try {
      await page.goto(urlOf(path))
      expect(await axeViolations(page)).toEqual([])
      // Nothing wider than the screen.
      const { scrollWidth, innerWidth } = await page.evaluate(() => {
        const g = globalThis as unknown as {
          document: { documentElement: { scrollWidth: number } }
          innerWidth: number
        }
        return { scrollWidth: g.document.documentElement.scrollWidth, innerWidth: g.innerWidth }
      })
      expect(scrollWidth).toBeLessThanOrEqual(innerWidth)
    } finally {
      await page.close()
    }
  })
})
