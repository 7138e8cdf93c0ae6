import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, queryCount, type TestApp } from '../../../../test/harness/test-app.ts'
import {
  createUser,
  mainSiteId,
  signIn,
  signInAdmin,
  type Session,
} from '../../../../test/harness/identity.ts'
import {
  assignTerms,
  createEntries,
  createEntry,
  createSite,
  createTerm,
} from '../../../../test/harness/factories.ts'
import type { EntryStatus, Visibility } from '../index.ts'

/**
 * The reading API as readers, members without `site.content.read`, authors and editors see it. Data is
 * written straight into the database as the owner, so these tests depend on no other part of content.
 */

let app: TestApp
let site: string
let editor: Session
let author: Session
let outsider: Session
let ann: string
let bob: string
const ids: Record<string, string> = {}
const terms: Record<string, string> = {}
let created = 0

interface Item {
  id: string
  title?: string
  status?: string
  author?: { id: string; name: string } | null
  terms?: Record<string, { id: string; slug: string; name: string }[]>
  parent?: { id: string; type: string; slug: string; title: string } | null
  [key: string]: unknown
}

interface EntrySeed {
  key: string
  siteId?: string
  type?: string
  status?: EntryStatus
  visibility?: Visibility
  title?: string
  authorId?: string | null
  parent?: string
  publishedAt?: string | null
  password?: string
  terms?: string[]
}

/** A published public post of Ann's on the main site unless told otherwise, at the next instant. */
async function insertEntry(seed: EntrySeed): Promise<string> {
  created += 1
  const status = seed.status ?? 'published'
  const id = await createEntry(app, {
    siteId: seed.siteId ?? site,
    type: seed.type ?? 'post',
    status,
    slug: seed.key,
    title: seed.title ?? `Entry ${seed.key}`,
    authorId: seed.authorId === undefined ? ann : seed.authorId,
    parentId: seed.parent ? ids[seed.parent] : null,
    visibility: seed.visibility ?? 'public',
    password: seed.password,
    publishedAt:
      seed.publishedAt !== undefined ? seed.publishedAt : status === 'published' ? at(created) : null,
    createdAt: at(created),
    updatedAt: at(100 - created),
  })
  await assignTerms(
    app,
    (seed.terms ?? []).map((term) => ({ entryId: id, termId: terms[term] as string })),
  )
  ids[seed.key] = id
  return id
}

/** Distinct instants, one hour apart, in a fixed past (no wall clock). */
function at(n: number): string {
  return new Date(Date.UTC(2025, 0, 1, n)).toISOString()
}

function get(
  url: string,
  as?: Session,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return as ? as.request({ method: 'GET', url, headers }) : app.server.inject({ method: 'GET', url, headers })
}

const entriesUrl = (query = '', siteId = site) => `/api/v1/sites/${siteId}/entries${query ? `?${query}` : ''}`

async function listKeys(query: string, as?: Session, siteId = site): Promise<string[]> {
  const res = await get(entriesUrl(query, siteId), as)
  expect(res.statusCode, res.body).toBe(200)
  const byId = new Map(Object.entries(ids).map(([k, v]) => [v, k]))
  return (res.json().items as Item[]).map((i) => byId.get(i.id) ?? i.id)
}

const PUBLIC_POSTS = ['alpha', 'beta', 'gamma']
const HIDDEN = ['draft', 'pending', 'scheduled', 'private', 'locked', 'trashed', 'withdrawn']

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  site = await mainSiteId(app)
  const annUser = await createUser(app, { name: 'Ann Writer', siteRole: 'author' })
  ann = annUser.id
  bob = (await createUser(app, { name: 'Bob Editor', siteRole: 'editor' })).id
  author = await signIn(app, annUser)
  const editorUser = await createUser(app, { siteRole: 'editor' })
  editor = await signIn(app, editorUser)
  outsider = await signIn(app, await createUser(app))
  for (const [tax, slug] of [
    ['category', 'news'],
    ['category', 'sport'],
    ['tag', 'red'],
    ['tag', 'blue'],
  ] as const)
    terms[slug] = await createTerm(app, { siteId: site, taxonomy: tax, slug, name: slug.toUpperCase() })
  await insertEntry({ key: 'alpha', title: 'Alpha News', terms: ['news', 'red'] })
  await insertEntry({ key: 'beta', title: 'Beta match', authorId: bob, terms: ['sport', 'red'] })
  await insertEntry({ key: 'gamma', title: 'Gamma 100%_done', terms: ['news'] })
  await insertEntry({ key: 'draft', status: 'draft', terms: ['news', 'red'] })
  await insertEntry({ key: 'pending', status: 'pending', terms: ['news'] })
  await insertEntry({ key: 'scheduled', status: 'scheduled', terms: ['news'] })
  await insertEntry({ key: 'private', visibility: 'private', terms: ['news'] })
  await insertEntry({
    key: 'locked',
    visibility: 'password',
    password: 'open sesame',
  })
  await insertEntry({ key: 'trashed', status: 'trash', terms: ['news'] })
  await insertEntry({ key: 'withdrawn', status: 'unpublished', publishedAt: at(40) })
  await insertEntry({ key: 'draft-page', type: 'page', status: 'draft' })
  await insertEntry({ key: 'orphan-child', type: 'page', parent: 'draft-page' })
  await insertEntry({ key: 'root-page', type: 'page' })
  await insertEntry({ key: 'child-page', type: 'page', parent: 'root-page' })
})
afterAll(() => app?.close())

describe('what readers see', () => {
  it('lists only published public entries to anonymous readers and members without site.content.read', async () => {
    const expected = [...PUBLIC_POSTS, 'orphan-child', 'root-page', 'child-page'].sort()
    expect((await listKeys('limit=100')).sort()).toEqual(expected)
    expect((await listKeys('limit=100', outsider)).sort()).toEqual(expected)
  })

  it('refuses hidden entries one by one with 404, whatever the includes', async () => {
    for (const key of HIDDEN.filter((k) => k !== 'locked')) {
      const res = await get(`${entriesUrl()}/${ids[key]}?include=author,terms,parent`)
      expect(res.statusCode, key).toBe(404)
      expect(errorOf(res).code).toBe('COLOPHON_CONTENT_ENTRY_NOT_FOUND')
    }
  })

  it('keeps hidden entries out of every filter', async () => {
    const queries = [
      'term=category:news',
      'author=' + ann,
      'status=draft',
      'status=published,trash',
      'type=post',
    ]
    for (const q of queries)
      for (const key of await listKeys(`${q}&limit=100`)) expect(HIDDEN, `${q} → ${key}`).not.toContain(key)
    expect(await listKeys('status=draft,pending')).toEqual([])
  })

  it('asks for the password of a password-protected entry and never lists it', async () => {
    const url = `${entriesUrl()}/${ids.locked}`
    expect(errorOf(await get(url)).code).toBe('COLOPHON_CONTENT_ENTRY_PROTECTED')
    const wrong = await get(url, undefined, { 'x-entry-password': 'guess' })
    expect(wrong.statusCode).toBe(403)
    const right = await get(url, undefined, { 'x-entry-password': 'open sesame' })
    expect(right.statusCode).toBe(200)
    expect(right.headers['cache-control']).toBe('private, no-store')
    expect(right.body).not.toContain('argon2')
    expect(await listKeys('limit=100')).not.toContain('locked')
  })

  it('shows a parent to readers only when the parent is published and public', async () => {
    const res = await get(entriesUrl('type=page&include=parent&limit=100'))
    const items = res.json().items as Item[]
    expect(items.find((i) => i.id === ids['orphan-child'])?.parent).toBeNull()
    expect(items.find((i) => i.id === ids['child-page'])?.parent).toEqual({
      id: ids['root-page'],
      type: 'page',
      slug: 'root-page',
      title: 'Entry root-page',
    })
  })

  it('shows nothing of a disabled site and the published entries of an archived one', async () => {
    const disabled = await createSite(app, { slug: 'dormant', status: 'disabled' })
    const archived = await createSite(app, { slug: 'attic', status: 'archived' })
    await insertEntry({ key: 'dormant-post', siteId: disabled })
    await insertEntry({ key: 'attic-post', siteId: archived })
    expect(await listKeys('', undefined, disabled)).toEqual([])
    expect((await get(`${entriesUrl('', disabled)}/${ids['dormant-post']}`)).statusCode).toBe(404)
    expect(await listKeys('', undefined, archived)).toEqual(['attic-post'])
  })

  it('gives no revision pointers to readers', async () => {
    const res = await get(`${entriesUrl()}/${ids.alpha}`)
    expect(res.json()).not.toHaveProperty('revisions')
  })
})

describe('what members with site.content.read see', () => {
  it('lets editors and authors list every status but trash by default', async () => {
    for (const who of [editor, author]) {
      const keys = await listKeys('limit=100', who)
      for (const key of ['draft', 'pending', 'scheduled', 'private', 'locked', 'withdrawn'])
        expect(keys).toContain(key)
      expect(keys).not.toContain('trashed')
    }
  })

  it('shows the trash only when asked, and filters by status', async () => {
    expect(await listKeys('status=trash', editor)).toEqual(['trashed'])
    expect((await listKeys('status=draft,pending', editor)).sort()).toEqual([
      'draft',
      'draft-page',
      'pending',
    ])
    expect(errorOf(await get(entriesUrl('status=drafty'), editor)).code).toBe(
      'COLOPHON_CONTENT_FILTER_INVALID',
    )
  })

  it('reads any entry alone, with its revision pointers and its draft parent', async () => {
    const draft = await get(`${entriesUrl()}/${ids.draft}`, editor)
    expect(draft.statusCode).toBe(200)
    expect(draft.json()).toHaveProperty('revisions')
    const child = await get(`${entriesUrl()}/${ids['orphan-child']}?include=parent`, editor)
    expect(child.json().parent.id).toBe(ids['draft-page'])
    expect((await get(`${entriesUrl()}/${ids.locked}`, author)).statusCode).toBe(200)
  })

  it('marks credentialed replies private', async () => {
    expect((await get(entriesUrl(), editor)).headers['cache-control']).toBe('private, no-store')
    expect((await get(entriesUrl(), outsider)).headers['cache-control']).toBe('private, no-store')
    expect((await get(entriesUrl())).headers['cache-control']).toBe('public, max-age=0, must-revalidate')
  })
})

describe('includes and fields', () => {
  it('expands author (name, never email) and terms grouped by taxonomy', async () => {
    const res = await get(`${entriesUrl()}/${ids.alpha}?include=author,terms`)
    const item = res.json() as Item
    expect(item.author).toEqual({ id: ann, name: 'Ann Writer' })
    expect(res.body).not.toContain('@example.com')
    expect(item.terms?.category?.map((t) => t.slug)).toEqual(['news'])
    expect(item.terms?.tag).toEqual([{ id: terms.red, slug: 'red', name: 'RED' }])
    const bare = (await get(`${entriesUrl()}/${ids['root-page']}?include=terms,author`)).json() as Item
    expect(bare.terms).toEqual({})
  })

  it('expands ancestors root first: every slug, the rest only where the caller could read it', async () => {
    // A site of its own, so the pages of the other tests stay as they are.
    const family = await createSite(app, { slug: 'family' })
    await insertEntry({ key: 'fam-root', type: 'page', siteId: family })
    await insertEntry({
      key: 'fam-hidden',
      type: 'page',
      siteId: family,
      parent: 'fam-root',
      status: 'draft',
    })
    await insertEntry({ key: 'fam-leaf', type: 'page', siteId: family, parent: 'fam-hidden' })
    const leafUrl = `${entriesUrl('', family)}/${ids['fam-leaf']}?include=ancestors`
    const root = {
      slug: 'fam-root',
      visible: true,
      id: ids['fam-root'],
      type: 'page',
      title: 'Entry fam-root',
    }
    expect((await get(leafUrl)).json().ancestors).toEqual([
      root,
      { slug: 'fam-hidden', visible: false, id: null, type: null, title: null },
    ])
    expect((await get(leafUrl, await signInAdmin(app))).json().ancestors).toEqual([
      root,
      { slug: 'fam-hidden', visible: true, id: ids['fam-hidden'], type: 'page', title: 'Entry fam-hidden' },
    ])
    const top = await get(`${entriesUrl('', family)}/${ids['fam-root']}?include=ancestors`)
    expect(top.json().ancestors).toEqual([])
    const listed = await get(entriesUrl('type=page&include=ancestors&fields=slug', family))
    expect(queryCount(listed)).toBe(1)
    expect(
      (listed.json().items as Item[]).map((i) => [
        i.slug,
        (i.ancestors as { slug: string }[]).map((a) => a.slug),
      ]),
    ).toEqual([
      ['fam-leaf', ['fam-root', 'fam-hidden']],
      ['fam-root', []],
    ])
  })

  it('lists summaries by default: no body, custom fields or SEO; `fields` asks for more', async () => {
    const [summary] = (await get(entriesUrl('limit=1'))).json().items as Item[]
    expect(Object.keys(summary ?? {})).toEqual(
      expect.arrayContaining(['id', 'type', 'slug', 'title', 'excerpt', 'publishedAt', 'authorId']),
    )
    for (const heavy of ['body', 'bodyHtml', 'fields', 'seo']) expect(summary).not.toHaveProperty(heavy)
    const [more] = (await get(entriesUrl('limit=1&fields=summary,bodyHtml'))).json().items as Item[]
    expect(Object.keys(more ?? {}).sort()).toEqual([...Object.keys(summary ?? {}), 'bodyHtml'].sort())
    const [all] = (await get(entriesUrl('limit=1&fields=all'))).json().items as Item[]
    for (const heavy of ['body', 'bodyHtml', 'fields', 'seo']) expect(all).toHaveProperty(heavy)
  })

  it('gives one entry its HTML, and its ProseMirror JSON to those who may edit or ask for it', async () => {
    const url = `${entriesUrl()}/${ids.alpha}`
    const read = (await get(url)).json() as Item
    expect(read).toHaveProperty('bodyHtml')
    expect(read).toHaveProperty('fields')
    expect(read).not.toHaveProperty('body')
    expect((await get(url, outsider)).json()).not.toHaveProperty('body')
    expect((await get(url, author)).json()).toHaveProperty('body')
    expect((await get(url, editor)).json()).toHaveProperty('body')
    expect(Object.keys((await get(`${url}?fields=body`)).json() as Item).sort()).toEqual(['body', 'id'])
  })

  it('returns only the fields asked for, and always the id', async () => {
    const res = await get(entriesUrl('fields=title,slug&limit=1'))
    expect(Object.keys((res.json().items as Item[])[0] ?? {}).sort()).toEqual(['id', 'slug', 'title'])
  })

  it.each([
    ['include=author,author', 'COLOPHON_CONTENT_INCLUDE_INVALID'],
    ['include=author,terms,parent,author', 'COLOPHON_CONTENT_INCLUDE_INVALID'],
    ['include=comments', 'COLOPHON_CONTENT_INCLUDE_INVALID'],
    ['fields=title,passwordHash', 'COLOPHON_CONTENT_FIELDSET_INVALID'],
    ['fields=', 'COLOPHON_CONTENT_FIELDSET_INVALID'],
    ['limit=101', 'COLOPHON_CONTENT_LIMIT_TOO_LARGE'],
    ['limit=100000000', 'COLOPHON_CONTENT_LIMIT_TOO_LARGE'],
    ['limit=0', 'COLOPHON_HTTP_VALIDATION_FAILED'],
    ['cursor=bm90IGEgY3Vyc29y', 'COLOPHON_CONTENT_CURSOR_INVALID'],
    ['cursor=%%%', 'COLOPHON_CONTENT_CURSOR_INVALID'],
  ])('refuses %s with %s', async (query, code) => {
    const res = await get(entriesUrl(query))
    expect(res.statusCode).toBe(400)
    expect(errorOf(res).code).toBe(code)
  })

  it('refuses a cursor made for another sort', async () => {
    const first = (await get(entriesUrl('limit=1&sort=title'))).json()
    const res = await get(entriesUrl(`limit=1&sort=-createdAt&cursor=${first.nextCursor}`))
    expect(errorOf(res).code).toBe('COLOPHON_CONTENT_CURSOR_INVALID')
  })
})

describe('filters', () => {
  it.each([
    ['type=page', ['orphan-child', 'root-page', 'child-page']],
    ['type=post,page&term=category:news', ['alpha', 'gamma']],
    ['term=category:news&term=tag:red', ['alpha']],
    ['term=category:news,tag:red', ['alpha']],
    ['term=tag:nothing', []],
    ['parent=none&type=page', ['root-page']],
    ['search=ALPHA', ['alpha']],
    ['search=100%25_', ['gamma']],
    ['search=%25', ['gamma']],
    ['search=_', ['gamma']],
    ['slug=beta&type=post', ['beta']],
  ])('%s', async (query, expected) => {
    expect((await listKeys(`${query}&limit=100`)).sort()).toEqual([...expected].sort())
  })

  it('filters by author, term id, parent id and publication dates', async () => {
    expect(await listKeys(`author=${bob}`)).toEqual(['beta'])
    expect((await listKeys(`term=${terms.sport}`)).sort()).toEqual(['beta'])
    expect(await listKeys(`parent=${ids['root-page']}`)).toEqual(['child-page'])
    const alphaAt = (await get(`${entriesUrl()}/${ids.alpha}`)).json().publishedAt as string
    const gammaAt = (await get(`${entriesUrl()}/${ids.gamma}`)).json().publishedAt as string
    expect(await listKeys(`type=post&publishedAfter=${alphaAt}&publishedBefore=${gammaAt}`)).toEqual([
      'beta',
      'alpha',
    ])
  })

  it.each(['term=news', 'term=:news', 'parent=root', 'type=Post!', 'publishedAfter=yesterday'])(
    'refuses the malformed filter %s with a code',
    async (query) => {
      const res = await get(entriesUrl(query))
      expect(res.statusCode).toBe(400)
      expect(errorOf(res).code).toMatch(/^COLOPHON_(CONTENT_FILTER_INVALID|HTTP_VALIDATION_FAILED)$/)
    },
  )
})

describe('sorting and cursors', () => {
  async function walk(sort: string, as?: Session): Promise<string[]> {
    const seen: string[] = []
    let cursor: string | null = null
    for (let pages = 0; pages < 50; pages++) {
      const res = await get(entriesUrl(`sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`), as)
      expect(res.statusCode, res.body).toBe(200)
      const body = res.json() as { items: Item[]; nextCursor: string | null }
      seen.push(...body.items.map((i) => i.id))
      cursor = body.nextCursor
      if (!cursor) return seen
    }
    throw new Error('cursor walk did not end')
  }

  it.each([
    '-publishedAt',
    'publishedAt',
    '-createdAt',
    'createdAt',
    '-updatedAt',
    'updatedAt',
    'title',
    '-title',
  ])('walks %s page by page without duplicates or gaps, in the order of one big page', async (sort) => {
    for (const who of [undefined, editor]) {
      const whole = (await get(entriesUrl(`sort=${sort}&limit=100`), who)).json().items as Item[]
      const walked = await walk(sort, who)
      expect(new Set(walked).size).toBe(walked.length)
      expect(walked).toEqual(whole.map((i) => i.id))
    }
  })

  it('pages through equal sort keys by id and puts never-published entries last in both directions', async () => {
    // A site of its own: five entries published at one instant, three never published, all created at once.
    const tied = await createSite(app, { slug: 'ties' })
    const admin = await signInAdmin(app)
    const same = at(50)
    const published = await createEntries(
      app,
      Array.from({ length: 5 }, () => ({
        siteId: tied,
        status: 'published' as const,
        title: 'Same title',
        publishedAt: same,
        createdAt: same,
        updatedAt: same,
      })),
    )
    const drafts = await createEntries(
      app,
      Array.from({ length: 3 }, () => ({
        siteId: tied,
        title: 'Same title',
        createdAt: same,
        updatedAt: same,
      })),
    )
    const byId = (list: string[], descending: boolean) => {
      const sorted = [...list].sort()
      return descending ? sorted.reverse() : sorted
    }
    const walkOn = async (sort: string, as?: Session) => {
      const seen: string[] = []
      let cursor: string | null = null
      do {
        const res = await get(
          entriesUrl(`sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, tied),
          as,
        )
        expect(res.statusCode, res.body).toBe(200)
        const body = res.json() as { items: Item[]; nextCursor: string | null }
        seen.push(...body.items.map((i) => i.id))
        cursor = body.nextCursor
      } while (cursor && seen.length < 50)
      return seen
    }
    expect(await walkOn('-publishedAt')).toEqual(byId(published, true))
    expect(await walkOn('publishedAt')).toEqual(byId(published, false))
    expect(await walkOn('-publishedAt', admin)).toEqual([...byId(published, true), ...byId(drafts, true)])
    expect(await walkOn('publishedAt', admin)).toEqual([...byId(published, false), ...byId(drafts, false)])
    for (const sort of ['-createdAt', 'createdAt', '-updatedAt', 'updatedAt', '-title', 'title'])
      expect(await walkOn(sort, admin)).toEqual(byId([...published, ...drafts], sort.startsWith('-')))
  })

  it('sorts newest published first by default, never-published entries last', async () => {
    const keys = await listKeys('limit=100', editor)
    expect(keys.indexOf('alpha')).toBeGreaterThan(keys.indexOf('gamma'))
    expect(keys.indexOf('draft')).toBeGreaterThan(keys.indexOf('alpha'))
  })
})

describe('hostile input', () => {
  const payloads = [
    "' OR '1'='1",
    "'; DROP TABLE entries; --",
    '1) OR (1=1',
    '" OR ""="',
    '%27%20OR%201=1--',
    "published') OR ('a'='a",
    '\\',
    '$1',
  ]
  const params = [
    'type',
    'status',
    'term',
    'author',
    'parent',
    'publishedAfter',
    'publishedBefore',
    'search',
    'slug',
    'sort',
    'cursor',
    'fields',
    'include',
    'limit',
  ]

  it('answers injection attempts in every parameter with a coded 400 or a harmless result', async () => {
    for (const param of params)
      for (const payload of payloads) {
        const res = await get(entriesUrl(`${param}=${encodeURIComponent(payload)}`))
        expect(res.statusCode, `${param}=${payload}: ${res.body}`).toBeLessThan(500)
        if (res.statusCode === 200) {
          const shown = (res.json().items as Item[]).map((i) => i.id)
          for (const key of HIDDEN) expect(shown).not.toContain(ids[key])
        } else expect(errorOf(res).code).toMatch(/^COLOPHON_/)
      }
    const [row] = await app.db.engine.query<{ n: number }>('SELECT count(*)::int AS n FROM entries')
    expect(row?.n).toBeGreaterThan(10)
  })

  it('treats a tampered but well-formed cursor as a position, not as SQL', async () => {
    const forge = (value: unknown) =>
      Buffer.from(JSON.stringify(['-publishedAt', value, ids.alpha])).toString('base64url')
    expect(errorOf(await get(entriesUrl(`cursor=${forge("1' OR 1=1 --")}`))).code).toBe(
      'COLOPHON_CONTENT_CURSOR_INVALID',
    )
    const res = await get(entriesUrl(`cursor=${forge('99999999999999999')}`))
    expect(res.statusCode).toBe(200)
  })
})

describe('caching', () => {
  it('answers a matching If-None-Match with 304', async () => {
    const first = await get(entriesUrl('include=author'))
    const etag = String(first.headers.etag)
    expect(etag).toBeTruthy()
    const again = await get(entriesUrl('include=author'), undefined, { 'if-none-match': etag })
    expect(again.statusCode).toBe(304)
    const single = await get(`${entriesUrl()}/${ids.alpha}`)
    const cached = await get(`${entriesUrl()}/${ids.alpha}`, undefined, {
      'if-none-match': String(single.headers.etag),
    })
    expect(cached.statusCode).toBe(304)
  })
})
