import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, queryCount, type TestApp } from '../../../test/harness/test-app.ts'
import { createUser, mainSiteId, signIn, signInAdmin, type Session } from '../../../test/harness/identity.ts'
import { newId } from '../../platform/db/index.ts'
import { assignTerms, createEntry } from '../../../test/harness/factories.ts'
import type { EntryStatus, Visibility } from '../content/index.ts'

/**
 * Terms through the API: the term tree (parents, cycles, deletion), slugs, meta, counts of published
 * entries, access and the terms list's query budget. Entries are written straight into the database
 * as the owner, so these tests depend on no other part of content.
 */

let app: TestApp
let site: string
let admin: Session
let editor: Session
let author: Session

const taxUrl = (rest = '') => `/api/v1/sites/${site}/taxonomies${rest}`
const termUrl = (id: string) => `/api/v1/sites/${site}/terms/${id}`

interface Term {
  id: string
  slug: string
  name: string
  parentId: string | null
  count: number
  meta: Record<string, unknown>
  taxonomy: string
}

async function createTerm(taxonomy: string, body: Record<string, unknown>, as = editor): Promise<Term> {
  const res = await as.request({ method: 'POST', url: taxUrl(`/${taxonomy}/terms`), payload: body })
  if (res.statusCode !== 201) throw new Error(`creating term ${JSON.stringify(body)}: ${res.body}`)
  return res.json() as Term
}

/** A post of the main site holding the term, written straight into the database. */
async function entryWithTerm(
  termId: string,
  status: EntryStatus = 'published',
  visibility: Visibility = 'public',
): Promise<string> {
  const entryId = await createEntry(app, { siteId: site, status, visibility })
  await assignTerms(app, [{ entryId, termId }])
  return entryId
}

async function auditCount(action: string): Promise<number> {
  return (await app.db.engine.query('SELECT 1 FROM audit_log WHERE action = $1', [action])).length
}

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  site = await mainSiteId(app)
  admin = await signInAdmin(app)
  editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
  author = await signIn(app, await createUser(app, { siteRole: 'author' }))
})
afterAll(() => app?.close())

describe('terms', () => {
  it('normalises slugs and makes them unique per taxonomy with -2 suffixes', async () => {
    const a = await createTerm('tag', { name: 'Crème Brûlée' })
    const b = await createTerm('tag', { name: 'Other', slug: 'Crème brûlée!' })
    const c = await createTerm('tag', { name: 'crème brûlée' })
    expect([a.slug, b.slug, c.slug]).toEqual(['creme-brulee', 'creme-brulee-2', 'creme-brulee-3'])
    // Another taxonomy may hold the same slug.
    expect((await createTerm('category', { name: 'Crème brûlée' })).slug).toBe('creme-brulee')
    const renamed = await editor.request({
      method: 'PATCH',
      url: termUrl(c.id),
      payload: { slug: 'creme-brulee' },
    })
    expect(renamed.json().slug).toBe('creme-brulee-3')
  })

  it('keeps parents within hierarchical taxonomies of the same kind, and refuses cycles', async () => {
    const root = await createTerm('category', { name: 'Root' })
    const mid = await createTerm('category', { name: 'Mid', parentId: root.id })
    const leaf = await createTerm('category', { name: 'Leaf', parentId: mid.id })
    const tag = await createTerm('tag', { name: 'Loose' })
    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      [termUrl(root.id), { parentId: leaf.id }, 409, 'COLOPHON_TAXONOMY_TERM_CYCLE'],
      [termUrl(root.id), { parentId: root.id }, 409, 'COLOPHON_TAXONOMY_TERM_CYCLE'],
      [termUrl(mid.id), { parentId: tag.id }, 400, 'COLOPHON_TAXONOMY_TERM_PARENT_INVALID'],
      [termUrl(mid.id), { parentId: newId() }, 400, 'COLOPHON_TAXONOMY_TERM_PARENT_INVALID'],
      [termUrl(tag.id), { parentId: root.id }, 400, 'COLOPHON_TAXONOMY_NOT_HIERARCHICAL'],
    ]
    for (const [url, payload, status, code] of cases) {
      const res = await editor.request({ method: 'PATCH', url, payload })
      expect(res.statusCode, `${JSON.stringify(payload)}: ${res.body}`).toBe(status)
      expect(errorOf(res).code).toBe(code)
    }
    const flatChild = await editor.request({
      method: 'POST',
      url: taxUrl('/tag/terms'),
      payload: { name: 'Child tag', parentId: tag.id },
    })
    expect(errorOf(flatChild).code).toBe('COLOPHON_TAXONOMY_NOT_HIERARCHICAL')
    const moved = await editor.request({
      method: 'PATCH',
      url: termUrl(leaf.id),
      payload: { parentId: root.id },
    })
    expect(moved.json().parentId).toBe(root.id)
    const flat = await admin.request({
      method: 'PATCH',
      url: taxUrl('/category'),
      payload: { hierarchical: false },
    })
    expect(flat.statusCode).toBe(409)
    expect(errorOf(flat).code).toBe('COLOPHON_TAXONOMY_HIERARCHY_IN_USE')
  })

  it('deleting a term moves its children to its parent and keeps its entries', async () => {
    const top = await createTerm('category', { name: 'Top level' })
    const doomed = await createTerm('category', { name: 'Doomed', parentId: top.id })
    const kid = await createTerm('category', { name: 'Kid', parentId: doomed.id })
    const entry = await entryWithTerm(doomed.id)
    const res = await editor.request({ method: 'DELETE', url: termUrl(doomed.id) })
    expect(res.statusCode).toBe(204)
    const gone = await app.server.inject({ method: 'GET', url: termUrl(doomed.id) })
    expect(errorOf(gone).code).toBe('COLOPHON_TAXONOMY_TERM_NOT_FOUND')
    expect((await app.server.inject({ method: 'GET', url: termUrl(kid.id) })).json().parentId).toBe(top.id)
    expect(await app.db.engine.query('SELECT 1 FROM entries WHERE id = $1', [entry])).toHaveLength(1)
    expect(await app.db.engine.query('SELECT 1 FROM entry_terms WHERE entry_id = $1', [entry])).toEqual([])
    expect(await auditCount('taxonomy.term.delete')).toBe(1)
  })

  it('counts only published public entries', async () => {
    const term = await createTerm('tag', { name: 'Counted' })
    for (const [status, visibility] of [
      ['published', 'public'],
      ['published', 'public'],
      ['published', 'private'],
      ['draft', 'public'],
      ['pending', 'public'],
      ['scheduled', 'public'],
      ['trash', 'public'],
    ] as const)
      await entryWithTerm(term.id, status, visibility)
    const one = await app.server.inject({ method: 'GET', url: termUrl(term.id) })
    expect(one.json().count).toBe(2)
    const list = await app.server.inject({ method: 'GET', url: taxUrl('/tag/terms?search=counted') })
    expect((list.json().items as Term[]).map((t) => [t.slug, t.count])).toEqual([['counted', 2]])
  })

  it('lists with filters and cursor pages, in a constant number of queries', async () => {
    const payload = {
      key: 'topic',
      name: 'Topic',
      pluralName: 'Topics',
      hierarchical: true,
      typeKeys: ['post'],
    }
    expect((await admin.request({ method: 'POST', url: taxUrl(), payload })).statusCode).toBe(201)
    const parent = await createTerm('topic', { name: 'Parent' })
    for (let i = 0; i < 12; i++) {
      const t = await createTerm('topic', {
        name: `T ${String(i).padStart(2, '0')}`,
        parentId: i < 3 ? parent.id : null,
      })
      await entryWithTerm(t.id)
    }
    const list = (query: string) => app.server.inject({ method: 'GET', url: taxUrl(`/topic/terms?${query}`) })
    const children = await list(`parent=${parent.id}`)
    expect((children.json().items as Term[]).map((t) => t.slug)).toEqual(['t-00', 't-01', 't-02'])
    expect((await list('parent=none')).json().items).toHaveLength(10)
    const first = await list('limit=5')
    expect((first.json().items as Term[]).map((t) => t.slug)).toEqual([
      'parent',
      't-00',
      't-01',
      't-02',
      't-03',
    ])
    const second = await list(`limit=5&cursor=${first.json().nextCursor}`)
    expect((second.json().items as Term[])[0]?.slug).toBe('t-04')
    expect((await list('search=T_0')).json().items).toEqual([])
    const small = await list('limit=1')
    const large = await list('limit=100')
    expect((large.json().items as Term[]).every((t) => t.count === (t.slug === 'parent' ? 0 : 1))).toBe(true)
    expect(queryCount(large)).toBe(queryCount(small))
    // The gate's site lookup, the taxonomy, the page with its counts.
    expect(queryCount(large)).toBeLessThanOrEqual(3)
  })

  it('checks term meta: flat, at most 50 keys and 8 KB', async () => {
    const ok = await createTerm('tag', {
      name: 'With meta',
      meta: { color: '#f00', weight: 3, pinned: true, note: null },
    })
    expect(ok.meta).toEqual({ color: '#f00', weight: 3, pinned: true, note: null })
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]))
    for (const meta of [{ nested: { a: 1 } }, { list: [1] }, tooMany, { big: 'x'.repeat(9000) }]) {
      const res = await editor.request({
        method: 'POST',
        url: taxUrl('/tag/terms'),
        payload: { name: 'Bad meta', meta },
      })
      expect(res.statusCode).toBe(400)
      expect(errorOf(res).code).toBe('COLOPHON_TAXONOMY_TERM_META_INVALID')
    }
  })

  it('refuses authors term management (403) and anonymous callers (401)', async () => {
    const term = await createTerm('tag', { name: 'Guarded' })
    const create = await author.request({
      method: 'POST',
      url: taxUrl('/tag/terms'),
      payload: { name: 'Nope' },
    })
    expect(create.statusCode).toBe(403)
    expect(errorOf(create).code).toBe('COLOPHON_AUTH_FORBIDDEN')
    for (const method of ['PATCH', 'DELETE'] as const) {
      const res = await author.request({
        method,
        url: termUrl(term.id),
        payload: method === 'PATCH' ? { name: 'x' } : undefined,
      })
      expect(res.statusCode).toBe(403)
    }
    const anonymous = await app.server.inject({
      method: 'POST',
      url: taxUrl('/tag/terms'),
      payload: { name: 'Nope' },
    })
    expect(anonymous.statusCode).toBe(401)
  })
})
