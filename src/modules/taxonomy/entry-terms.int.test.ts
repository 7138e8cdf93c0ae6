import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, queryCount, type TestApp } from '../../../test/harness/test-app.ts'
import { createUser, mainSiteId, signIn, signInAdmin, type Session } from '../../../test/harness/identity.ts'
import { createEntry, createSite, createTerm, type EntrySeed } from '../../../test/harness/factories.ts'
import { newId } from '../../platform/db/index.ts'

/**
 * The terms of entries: who may set them, which taxonomies and terms are accepted, and who may read them.
 * Entries and terms of another site are written straight into the database as the owner.
 */

let app: TestApp
let site: string
let other: string
let admin: Session
let editor: Session
let author: Session
let authorId: string
const term: Record<string, string> = {}

const entryTermsUrl = (id: string, siteRef = site) => `/api/v1/sites/${siteRef}/entries/${id}/terms`

/** A published post of the main site unless told otherwise, written straight into the database. */
const insertEntry = (seed: Partial<EntrySeed> = {}) =>
  createEntry(app, { siteId: site, status: 'published', ...seed })

function put(as: Session, entryId: string, payload: unknown) {
  return as.request({ method: 'PUT', url: entryTermsUrl(entryId), payload })
}

function slugsOf(body: Record<string, Array<{ slug: string }>>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(body).map(([k, list]) => [k, list.map((t) => t.slug)]))
}

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  site = await mainSiteId(app)
  other = await createSite(app, { slug: 'other-site' })
  admin = await signInAdmin(app)
  editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
  const authorUser = await createUser(app, { siteRole: 'author' })
  authorId = authorUser.id
  author = await signIn(app, authorUser)
  for (const [tax, slug] of [
    ['category', 'news'],
    ['category', 'sport'],
    ['tag', 'red'],
    ['tag', 'blue'],
  ] as const)
    term[slug] = await createTerm(app, { siteId: site, taxonomy: tax, slug })
  term.foreign = await createTerm(app, { siteId: other, taxonomy: 'tag', slug: 'foreign' })
})
afterAll(() => app?.close())

describe('assigning terms to entries', () => {
  it('replaces the terms of the named taxonomies only, by id or slug, in order', async () => {
    const entry = await insertEntry()
    const first = await put(editor, entry, { category: [term.news!], tag: ['red', 'blue'] })
    expect(first.statusCode, first.body).toBe(200)
    expect(slugsOf(first.json())).toEqual({ category: ['news'], tag: ['red', 'blue'] })
    const second = await put(editor, entry, { tag: ['blue', term.blue!] })
    expect(slugsOf(second.json())).toEqual({ category: ['news'], tag: ['blue'] })
    const cleared = await put(editor, entry, { category: [] })
    expect(slugsOf(cleared.json())).toEqual({ category: [], tag: ['blue'] })
    const read = await app.server.inject({ method: 'GET', url: entryTermsUrl(entry) })
    expect(slugsOf(read.json())).toEqual({ category: [], tag: ['blue'] })
    const audits = await app.db.engine.query("SELECT 1 FROM audit_log WHERE action = 'content.entry.terms'")
    expect(audits).toHaveLength(3)
  })

  it('refuses a taxonomy that does not apply to the entry type', async () => {
    const page = await insertEntry({ type: 'page' })
    const res = await put(editor, page, { category: ['news'] })
    expect(res.statusCode).toBe(400)
    expect(errorOf(res).code).toBe('COLOPHON_TAXONOMY_NOT_FOR_TYPE')
    const unknown = await put(editor, page, { nothing: [] })
    expect(unknown.statusCode).toBe(404)
    expect(errorOf(unknown).code).toBe('COLOPHON_TAXONOMY_NOT_FOUND')
  })

  it("refuses terms of another taxonomy (400) and another site's term ids (404)", async () => {
    const entry = await insertEntry()
    const wrong = await put(editor, entry, { tag: [term.news!] })
    expect(wrong.statusCode).toBe(400)
    expect(errorOf(wrong).code).toBe('COLOPHON_TAXONOMY_TERM_WRONG_TAXONOMY')
    for (const ref of [term.foreign!, 'foreign', 'no-such-slug', newId()]) {
      const res = await put(admin, entry, { tag: [ref] })
      expect(res.statusCode, ref).toBe(404)
      expect(errorOf(res).code).toBe('COLOPHON_TAXONOMY_TERM_NOT_FOUND')
    }
    expect(await app.db.engine.query('SELECT 1 FROM entry_terms WHERE entry_id = $1', [entry])).toEqual([])
  })

  it("lets authors assign terms on their own entries but not on others'", async () => {
    const own = await insertEntry({ status: 'draft', authorId })
    const res = await put(author, own, { tag: ['red'] })
    expect(res.statusCode, res.body).toBe(200)
    expect(slugsOf(res.json()).tag).toEqual(['red'])
    const others = await insertEntry({ authorId: null })
    const refused = await put(author, others, { tag: ['red'] })
    expect(refused.statusCode).toBe(403)
    expect(errorOf(refused).code).toBe('COLOPHON_AUTH_FORBIDDEN')
    const anonymous = await app.server.inject({
      method: 'PUT',
      url: entryTermsUrl(own),
      payload: { tag: [] },
    })
    expect(anonymous.statusCode).toBe(401)
  })

  it("answers 404 for another site's entry", async () => {
    const foreign = await insertEntry({ siteId: other })
    const res = await put(admin, foreign, { tag: [] })
    expect(res.statusCode).toBe(404)
    expect(errorOf(res).code).toBe('COLOPHON_CONTENT_ENTRY_NOT_FOUND')
  })
})

describe('reading the terms of entries', () => {
  it('shows readers the terms of published public entries only; members with content.read see all', async () => {
    const draft = await insertEntry({ status: 'draft', authorId })
    const hidden = await insertEntry({ visibility: 'private' })
    const shown = await insertEntry()
    for (const id of [draft, hidden, shown])
      expect((await put(editor, id, { tag: ['red'] })).statusCode).toBe(200)
    for (const id of [draft, hidden]) {
      const res = await app.server.inject({ method: 'GET', url: entryTermsUrl(id) })
      expect(res.statusCode).toBe(404)
      expect(errorOf(res).code).toBe('COLOPHON_CONTENT_ENTRY_NOT_FOUND')
      const member = await editor.request({ method: 'GET', url: entryTermsUrl(id) })
      expect(slugsOf(member.json()).tag).toEqual(['red'])
    }
    const res = await app.server.inject({ method: 'GET', url: entryTermsUrl(shown) })
    expect(res.statusCode).toBe(200)
    expect(slugsOf(res.json())).toEqual({ category: [], tag: ['red'] })
    expect(queryCount(res)).toBeLessThanOrEqual(4)
  })
})
