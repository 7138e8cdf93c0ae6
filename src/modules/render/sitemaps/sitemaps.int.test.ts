import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import {
  addMember,
  assignTerms,
  createEntries,
  createEntry,
  createSite,
  createTerm,
} from '../../../../test/harness/factories.ts'
import { createUser, signIn, signInAdmin, type Session } from '../../../../test/harness/identity.ts'
import { createTestApp, errorOf, type TestApp } from '../../../../test/harness/test-app.ts'
import { createCtx, type Ctx } from '../../../platform/access/index.ts'
import { newQueryStats, withQueryStats } from '../../../platform/db/index.ts'
import { readPageRequest } from '../pages/pages.repo.ts'
import { serveSiteDocument, type SiteDocument, type SitemapSite } from './index.ts'

/**
 * Sitemaps and robots.txt through `serveSiteDocument`, called the way the page service calls it: as the
 * anonymous reader of the site, with the site as pages read it. Two sites share the database; the page
 * size is 2 so the pagination boundaries are reached with a handful of entries.
 */

let app: TestApp
let admin: Session
let siteA: string
let siteB: string
const ORIGIN_A = 'http://a.example.test'
const ORIGIN_B = 'http://b.example.test'
const PAGE_SIZE = 2

const ctxOf = (siteId: string): Ctx =>
  createCtx({
    orm: app.db.appEngine.orm,
    actor: { kind: 'anonymous' },
    site: { id: siteId, slug: siteId, name: siteId },
    log: app.server.log,
  })

/** The site as pages read it (its indexing flag included). */
async function siteOf(siteId: string): Promise<SitemapSite> {
  const page = (await readPageRequest(ctxOf(siteId).read, siteId))?.site
  if (!page) throw new Error(`no live site ${siteId}`)
  return page
}

/** The document at `path` and the statements it cost. */
async function serve(siteId: string, origin: string, path: string) {
  const site = await siteOf(siteId)
  const stats = newQueryStats()
  const document = await withQueryStats(stats, () =>
    serveSiteDocument(ctxOf(siteId), site, origin, path, { pageSize: PAGE_SIZE }),
  )
  return { document, statements: stats.queries }
}

async function body(siteId: string, origin: string, path: string): Promise<string> {
  const { document } = await serve(siteId, origin, path)
  expect(document, path).toBeDefined()
  return (document as SiteDocument).body
}

const locsOf = (xml: string) => [...xml.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => m[1])
const lastmodOf = (xml: string, loc: string) =>
  new RegExp(`<loc>${loc.replace(/[.?*+^$()[\]{}|\\/]/g, '\\$&')}</loc><lastmod>([^<]*)</lastmod>`).exec(
    xml,
  )?.[1]

/** Titles (and slugs) of entries no sitemap may list. */
const HIDDEN = ['draft', 'pending', 'scheduled', 'private', 'trashed', 'locked', 'noindexed', 'unpublished']

beforeAll(async () => {
  app = await createTestApp()
  admin = await signInAdmin(app)
  siteA = await createSite(app, { slug: 'alpha', name: 'Alpha' })
  siteB = await createSite(app, { slug: 'beta', name: 'Beta' })
  const post = { siteId: siteA, type: 'post', status: 'published' } as const
  // Three listed posts, published in this order: with pages of 2, page 1 holds the first two.
  const [first, second, third] = await createEntries(app, [
    { ...post, slug: 'first', publishedAt: '2026-01-10T08:00:00Z', updatedAt: '2026-02-01T10:00:00Z' },
    { ...post, slug: 'second', publishedAt: '2026-01-20T08:00:00Z', updatedAt: '2026-01-25T10:00:00Z' },
    { ...post, slug: 'caf\u00e9', publishedAt: '2026-03-05T08:00:00Z', updatedAt: '2026-03-06T09:30:00Z' },
  ])
  const hidden = await createEntries(app, [
    { siteId: siteA, slug: 'draft' },
    { siteId: siteA, slug: 'pending', status: 'pending' },
    { siteId: siteA, slug: 'scheduled', status: 'scheduled' },
    { ...post, slug: 'private', visibility: 'private' },
    { ...post, status: 'trash', slug: 'trashed' },
    { ...post, slug: 'locked', visibility: 'password', password: 'open sesame' },
    { ...post, slug: 'noindexed' },
    { ...post, status: 'unpublished', slug: 'unpublished' },
  ])
  await app.db.engine.query(
    `UPDATE entries SET seo = '{"noindex": true}' WHERE site_id = $1 AND slug = 'noindexed'`,
    [siteA],
  )
  const about = await createEntry(app, {
    ...post,
    type: 'page',
    slug: 'about',
    publishedAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-02T00:00:00Z',
  })
  await createEntry(app, {
    ...post,
    type: 'page',
    slug: 'team',
    parentId: about,
    publishedAt: '2026-01-03T00:00:00Z',
    updatedAt: '2026-01-04T00:00:00Z',
  })
  const news = await createTerm(app, { siteId: siteA, slug: 'news' })
  const travel = await createTerm(app, { siteId: siteA, taxonomy: 'category', slug: 'travel' })
  await createTerm(app, { siteId: siteA, slug: 'unused' })
  const shadow = await createTerm(app, { siteId: siteA, slug: 'only-hidden' })
  await assignTerms(app, [
    { entryId: first as string, termId: news },
    { entryId: second as string, termId: news },
    { entryId: third as string, termId: travel },
    ...hidden.map((entryId) => ({ entryId, termId: shadow })),
  ])
  // The other site: one post and one tag of its own.
  const [elsewhere] = await createEntries(app, [
    {
      siteId: siteB,
      type: 'post',
      status: 'published',
      slug: 'other-news',
      publishedAt: '2026-02-02T00:00:00Z',
    },
  ])
  await assignTerms(app, [
    { entryId: elsewhere as string, termId: await createTerm(app, { siteId: siteB, slug: 'beta-tag' }) },
  ])
})
afterAll(() => app?.close())

describe('the sitemap index', () => {
  it('lists the front page and every child with its last change, in one statement', async () => {
    const { document, statements } = await serve(siteA, ORIGIN_A, '/sitemap.xml')
    expect(document?.contentType).toBe('application/xml; charset=utf-8')
    const xml = document?.body ?? ''
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<sitemapindex xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/,
    )
    expect(locsOf(xml)).toEqual([
      `${ORIGIN_A}/sitemap-home.xml`,
      `${ORIGIN_A}/sitemap-type-page-1.xml`,
      `${ORIGIN_A}/sitemap-type-post-1.xml`,
      `${ORIGIN_A}/sitemap-type-post-2.xml`,
      `${ORIGIN_A}/sitemap-taxonomy-category-1.xml`,
      `${ORIGIN_A}/sitemap-taxonomy-tag-1.xml`,
    ])
    expect(lastmodOf(xml, `${ORIGIN_A}/sitemap-type-post-1.xml`)).toBe('2026-02-01T10:00:00Z')
    expect(lastmodOf(xml, `${ORIGIN_A}/sitemap-type-post-2.xml`)).toBe('2026-03-06T09:30:00Z')
    expect(lastmodOf(xml, `${ORIGIN_A}/sitemap-type-page-1.xml`)).toBe('2026-01-04T00:00:00Z')
    expect(lastmodOf(xml, `${ORIGIN_A}/sitemap-taxonomy-tag-1.xml`)).toBe('2026-02-01T10:00:00Z')
    // The front page shows the posts (pages are not listed there): their latest change.
    expect(lastmodOf(xml, `${ORIGIN_A}/sitemap-home.xml`)).toBe('2026-03-06T09:30:00Z')
    expect(statements).toBe(1)
  })

  it('names the front page in its own child', async () => {
    const xml = await body(siteA, ORIGIN_A, '/sitemap-home.xml')
    expect(locsOf(xml)).toEqual([`${ORIGIN_A}/`])
    expect(lastmodOf(xml, `${ORIGIN_A}/`)).toBe('2026-03-06T09:30:00Z')
  })

  it('has only the front page on a site with nothing listed yet', async () => {
    const empty = await createSite(app, { slug: 'empty-site' })
    await createEntry(app, { siteId: empty, slug: 'just-a-draft' })
    const xml = await body(empty, 'http://empty.example.test', '/sitemap.xml')
    expect(locsOf(xml)).toEqual(['http://empty.example.test/sitemap-home.xml'])
    expect(xml).not.toContain('<lastmod>')
  })
})

describe('child sitemaps', () => {
  it('pages a type’s entries in publication order, at most the page size each', async () => {
    const one = await serve(siteA, ORIGIN_A, '/sitemap-type-post-1.xml')
    expect(one.statements).toBe(1)
    expect(locsOf(one.document?.body ?? '')).toEqual([
      `${ORIGIN_A}/2026/01/first`,
      `${ORIGIN_A}/2026/01/second`,
    ])
    expect(lastmodOf(one.document?.body ?? '', `${ORIGIN_A}/2026/01/first`)).toBe('2026-02-01T10:00:00Z')
    const two = await body(siteA, ORIGIN_A, '/sitemap-type-post-2.xml')
    // Non-ASCII slugs as permalinks write them: percent-encoded UTF-8.
    expect(locsOf(two)).toEqual([`${ORIGIN_A}/2026/03/caf%C3%A9`])
  })

  it('is not there past the last page, for an unknown type or taxonomy, or for an empty one', async () => {
    for (const path of [
      '/sitemap-type-post-3.xml',
      '/sitemap-type-page-2.xml',
      '/sitemap-type-nothing-1.xml',
      '/sitemap-taxonomy-nothing-1.xml',
      '/sitemap-taxonomy-tag-2.xml',
      '/sitemap-type-post-0.xml',
      '/sitemap-type-post-01.xml',
      '/sitemap-post-1.xml',
      '/sitemap.xml/extra',
      '/2026/01/first',
    ]) {
      expect((await serve(siteA, ORIGIN_A, path)).document, path).toBeUndefined()
    }
    // Category has a listed term, so its child exists; an empty type of this site has none.
    const bare = await createSite(app, { slug: 'bare-site' })
    expect(
      (await serve(bare, 'http://bare.example.test', '/sitemap-type-post-1.xml')).document,
    ).toBeUndefined()
  })

  it('writes nested pages with their ancestors’ slugs', async () => {
    expect(locsOf(await body(siteA, ORIGIN_A, '/sitemap-type-page-1.xml'))).toEqual([
      `${ORIGIN_A}/about`,
      `${ORIGIN_A}/about/team`,
    ])
  })

  it('lists the terms with listed entries, dated by their latest entry', async () => {
    const tags = await serve(siteA, ORIGIN_A, '/sitemap-taxonomy-tag-1.xml')
    expect(tags.statements).toBe(1)
    expect(locsOf(tags.document?.body ?? '')).toEqual([`${ORIGIN_A}/tag/news`])
    expect(lastmodOf(tags.document?.body ?? '', `${ORIGIN_A}/tag/news`)).toBe('2026-02-01T10:00:00Z')
    expect(locsOf(await body(siteA, ORIGIN_A, '/sitemap-taxonomy-category-1.xml'))).toEqual([
      `${ORIGIN_A}/category/travel`,
    ])
  })

  it('never lists drafts, pending, scheduled, private, trashed, protected, noindex or unpublished entries', async () => {
    const all = [
      await body(siteA, ORIGIN_A, '/sitemap-type-post-1.xml'),
      await body(siteA, ORIGIN_A, '/sitemap-type-post-2.xml'),
      await body(siteA, ORIGIN_A, '/sitemap-type-page-1.xml'),
      await body(siteA, ORIGIN_A, '/sitemap-taxonomy-tag-1.xml'),
    ].join('\n')
    for (const slug of HIDDEN) expect(all).not.toContain(`/${slug}<`)
    expect(all).not.toContain('only-hidden')
    expect(all).not.toContain('unused')
  })

  it('shows a site only its own entries and terms', async () => {
    const index = await body(siteB, ORIGIN_B, '/sitemap.xml')
    expect(locsOf(index)).toEqual([
      `${ORIGIN_B}/sitemap-home.xml`,
      `${ORIGIN_B}/sitemap-type-post-1.xml`,
      `${ORIGIN_B}/sitemap-taxonomy-tag-1.xml`,
    ])
    expect(locsOf(await body(siteB, ORIGIN_B, '/sitemap-type-post-1.xml'))).toEqual([
      `${ORIGIN_B}/2026/02/other-news`,
    ])
    expect(locsOf(await body(siteB, ORIGIN_B, '/sitemap-taxonomy-tag-1.xml'))).toEqual([
      `${ORIGIN_B}/tag/beta-tag`,
    ])
    const ofA = (
      await Promise.all(
        ['/sitemap-type-post-1.xml', '/sitemap-type-post-2.xml', '/sitemap-taxonomy-tag-1.xml'].map((p) =>
          body(siteA, ORIGIN_A, p),
        ),
      )
    ).join('\n')
    expect(ofA).not.toContain('other-news')
    expect(ofA).not.toContain('beta-tag')
    // Bound to site B, a read naming site A's id finds nothing of A: row-level security holds the reads.
    const site = await siteOf(siteA)
    const crossed = await serveSiteDocument(ctxOf(siteB), site, ORIGIN_A, '/sitemap-type-post-1.xml', {
      pageSize: PAGE_SIZE,
    })
    expect(crossed).toBeUndefined()
  })
})

describe('robots.txt', () => {
  it('allows everything and names the sitemap by default, in one statement', async () => {
    const { document, statements } = await serve(siteA, ORIGIN_A, '/robots.txt')
    expect(document).toEqual({
      status: 200,
      contentType: 'text/plain; charset=utf-8',
      body: `User-agent: *\nAllow: /\n\nSitemap: ${ORIGIN_A}/sitemap.xml\n`,
    })
    expect(statements).toBe(1)
  })

  it('serves the rules a site administrator saved, always ending with the sitemap', async () => {
    const owner = await createUser(app)
    await addMember(app, { siteId: siteA, userId: owner.id, role: 'administrator' })
    const session = await signIn(app, owner)
    const rules =
      'User-agent: *\nDisallow: /private/\n# keep the bots out of drafts\n\nUser-agent: BadBot\nDisallow: /'
    const res = await session.request({
      method: 'PATCH',
      url: `/api/v1/sites/${siteA}/settings`,
      payload: { settings: { robotsTxt: rules } },
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().settings.robotsTxt).toBe(rules)
    expect(await body(siteA, ORIGIN_A, '/robots.txt')).toBe(`${rules}\n\nSitemap: ${ORIGIN_A}/sitemap.xml\n`)
    // Another site keeps its own.
    expect(await body(siteB, ORIGIN_B, '/robots.txt')).toBe(
      `User-agent: *\nAllow: /\n\nSitemap: ${ORIGIN_B}/sitemap.xml\n`,
    )
  })

  it('refuses rules that are not robots.txt lines, with a coded 400', async () => {
    for (const [robotsTxt, code, reason] of [
      ['User-agent: *\nDisallow /nothing', 'COLOPHON_SITES_ROBOTS_TXT_INVALID', 'not-a-rule'],
      ['User-agent: *\n<html>', 'COLOPHON_SITES_ROBOTS_TXT_INVALID', 'not-a-rule'],
      ['User-agent: *\nDisallow: /\u001b[2J', 'COLOPHON_SITES_ROBOTS_TXT_INVALID', 'control-character'],
      ['User-agent: *\nDisallow: /\u0000', 'COLOPHON_HTTP_INVALID_TEXT', undefined],
      ['x'.repeat(16_385), 'COLOPHON_HTTP_VALIDATION_FAILED', undefined],
      [42, 'COLOPHON_HTTP_VALIDATION_FAILED', undefined],
    ] as const) {
      const res = await admin.request({
        method: 'PATCH',
        url: `/api/v1/sites/${siteB}/settings`,
        payload: { settings: { robotsTxt } },
      })
      expect(res.statusCode).toBe(400)
      expect(errorOf(res).code).toBe(code)
      if (reason) expect(errorOf(res).details).toEqual({ line: 2, reason })
    }
    expect(await body(siteB, ORIGIN_B, '/robots.txt')).toContain('Allow: /')
  })
})

describe('discouraging indexing of a whole site', () => {
  it('is for network admins only; then robots.txt disallows everything and the sitemaps are gone', async () => {
    const siteAdmin = await createUser(app)
    await addMember(app, { siteId: siteB, userId: siteAdmin.id, role: 'administrator' })
    const session = await signIn(app, siteAdmin)
    const url = `/api/v1/sites/${siteB}/indexing`
    expect((await session.request({ method: 'GET', url })).json()).toEqual({ discourageIndexing: false })
    const refused = await session.request({ method: 'PUT', url, payload: { discourageIndexing: true } })
    expect(refused.statusCode).toBe(403)
    expect(errorOf(refused).code).toBe('COLOPHON_AUTH_FORBIDDEN')
    const bad = await admin.request({ method: 'PUT', url, payload: { discourageIndexing: 'yes' } })
    expect(bad.statusCode).toBe(400)
    expect(errorOf(bad).code).toBe('COLOPHON_HTTP_VALIDATION_FAILED')

    const res = await admin.request({ method: 'PUT', url, payload: { discourageIndexing: true } })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({ discourageIndexing: true })
    const [audit] = await app.db.engine.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'sites.site.indexing' AND target_id = $1`,
      [siteB],
    )
    expect(Number(audit?.n)).toBe(1)

    const robots = await serve(siteB, ORIGIN_B, '/robots.txt')
    expect(robots.document?.body).toBe('User-agent: *\nDisallow: /\n')
    expect(robots.statements).toBe(0)
    for (const path of [
      '/sitemap.xml',
      '/sitemap-home.xml',
      '/sitemap-type-post-1.xml',
      '/sitemap-taxonomy-tag-1.xml',
    ])
      expect((await serve(siteB, ORIGIN_B, path)).document, path).toBeUndefined()
    // The other site is untouched.
    expect((await serve(siteA, ORIGIN_A, '/sitemap.xml')).document).toBeDefined()

    await admin.request({ method: 'PUT', url, payload: { discourageIndexing: false } })
    expect((await serve(siteB, ORIGIN_B, '/sitemap.xml')).document).toBeDefined()
  })
})

/** xmllint from Debian's libxml2-utils; CI installs it (.ci/run), so there a missing one fails the test. */
const xmllint = spawnSync('xmllint', ['--version'], { encoding: 'utf8' })
const hasXmllint = xmllint.error === undefined && xmllint.status === 0
const mustValidate = hasXmllint || inject('harness').ci

describe.skipIf(!mustValidate)('the sitemaps.org 0.9 schemas (xmllint)', () => {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const urlsetSchema = path.join(
    path.dirname(createRequire(import.meta.url).resolve('sitemap/package.json')),
    'schema',
    'sitemap.xsd',
  )
  const indexSchema = path.join(here, 'siteindex.xsd')

  function validate(xml: string, schema: string): void {
    const dir = mkdtempSync(path.join(tmpdir(), 'colophon-sitemap-'))
    try {
      const file = path.join(dir, 'sitemap.xml')
      writeFileSync(file, xml)
      // Throws with xmllint's own report when the document does not validate (or xmllint is missing).
      execFileSync('xmllint', ['--noout', '--nonet', '--schema', schema, file], { stdio: 'pipe' })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  it('finds xmllint', () => {
    expect(hasXmllint, 'xmllint is missing: apt-get install libxml2-utils').toBe(true)
  })

  it('validates the index and every child it lists', async () => {
    const index = await body(siteA, ORIGIN_A, '/sitemap.xml')
    validate(index, indexSchema)
    const children = locsOf(index)
    expect(children.length).toBeGreaterThan(3)
    for (const loc of children)
      validate(await body(siteA, ORIGIN_A, (loc as string).slice(ORIGIN_A.length)), urlsetSchema)
  })

  it('refuses a document that breaks the schema (the check can fail)', () => {
    expect(() =>
      validate('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>', urlsetSchema),
    ).toThrow()
    expect(() =>
      validate(
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>http://a.example.test/x</loc><lastmod>yesterday</lastmod></sitemap></sitemapindex>',
        indexSchema,
      ),
    ).toThrow()
  })
})
