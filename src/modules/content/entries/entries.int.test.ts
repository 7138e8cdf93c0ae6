import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, queryCount, type TestApp } from '../../../../test/harness/test-app.ts'
import { createUser, signIn, signInAdmin, type Session } from '../../../../test/harness/identity.ts'

let app: TestApp
let admin: Session
let author: Session
let otherAuthor: Session
let editor: Session

const entriesUrl = (rest = '') => `/api/v1/sites/main/entries${rest}`

interface Entry {
  id: string
  type: string
  status: string
  slug: string
  title: string
  bodyHtml: string
  authorId: string | null
  parentId: string | null
  fields: Record<string, unknown>
  revisions?: { head: string | null; published: string | null; hasUnpublishedChanges: boolean }
}

async function create(as: Session, body: Record<string, unknown>): Promise<Entry> {
  const res = await as.request({ method: 'POST', url: entriesUrl(), payload: body })
  if (res.statusCode !== 201) throw new Error(`creating ${JSON.stringify(body)} failed: ${res.body}`)
  return res.json() as Entry
}

const doc = (...content: unknown[]) => ({ type: 'doc', content })
const para = (...content: unknown[]) => ({ type: 'paragraph', content })
const text = (t: string, marks?: unknown[]) => ({ type: 'text', text: t, ...(marks ? { marks } : {}) })

async function columns(id: string): Promise<Record<string, unknown>> {
  const [row] = await app.db.engine.query<Record<string, unknown>>(
    'SELECT title, slug, status, head_revision_id, published_revision_id, password_hash FROM entries WHERE id = $1',
    [id],
  )
  if (!row) throw new Error(`no entry ${id}`)
  return row
}

/** What the workflow does when it publishes (another part): done here as the owner, straight in SQL. */
async function publishInSql(id: string): Promise<void> {
  await app.db.engine.query(
    `UPDATE entries SET status = 'published', published_revision_id = head_revision_id, published_at = now() WHERE id = $1`,
    [id],
  )
}

beforeAll(async () => {
  app = await createTestApp()
  admin = await signInAdmin(app)
  author = await signIn(app, await createUser(app, { siteRole: 'author' }))
  otherAuthor = await signIn(app, await createUser(app, { siteRole: 'author' }))
  editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
  const res = await admin.request({
    method: 'POST',
    url: '/api/v1/sites/main/types',
    payload: {
      key: 'book',
      name: 'Book',
      fields: [
        { key: 'rating', label: 'Rating', type: 'number', required: true, min: 1, max: 5 },
        { key: 'contact', label: 'Contact', type: 'email' },
      ],
    },
  })
  if (res.statusCode !== 201) throw new Error(`creating the book type failed: ${res.body}`)
})

afterAll(async () => {
  await app?.close()
})

describe('creating entries', () => {
  it('creates a draft with its first revision, an editorial view and an audit row', async () => {
    const entry = await create(author, { type: 'post', title: 'First post', excerpt: 'Short' })
    expect(entry).toMatchObject({ type: 'post', status: 'draft', slug: 'first-post', title: 'First post' })
    expect(entry.authorId).toBe(author.userId)
    expect(entry.revisions?.head).toEqual(expect.any(String))
    expect(entry.revisions?.hasUnpublishedChanges).toBe(true)
    const revisions = await app.db.engine.query('SELECT kind FROM revisions WHERE entry_id = $1', [entry.id])
    expect(revisions).toEqual([{ kind: 'save' }])
    const audit = await app.db.engine.query(
      "SELECT 1 FROM audit_log WHERE action = 'content.entry.create' AND target_id = $1",
      [entry.id],
    )
    expect(audit).toHaveLength(1)
  })

  it('gives a colliding slug the next free suffix and normalises given slugs', async () => {
    const a = await create(admin, { type: 'post', title: 'Crème Brûlée!' })
    const b = await create(admin, { type: 'post', title: 'creme brulee' })
    const c = await create(admin, { type: 'post', title: 'x', slug: '  Crème   BRÛLÉE ' })
    expect([a.slug, b.slug, c.slug]).toEqual(['creme-brulee', 'creme-brulee-2', 'creme-brulee-3'])
    // Slugs are unique per type: a page may take the same one.
    expect((await create(admin, { type: 'page', title: 'Crème brûlée' })).slug).toBe('creme-brulee')
  })

  it('finds the next free suffix past the 32 slugs one lookup probes', async () => {
    const slugs: string[] = []
    for (let i = 0; i < 33; i++) slugs.push((await create(admin, { type: 'post', title: 'Crowd' })).slug)
    expect(slugs.slice(0, 3)).toEqual(['crowd', 'crowd-2', 'crowd-3'])
    expect(slugs.slice(-2)).toEqual(['crowd-32', 'crowd-33'])
    expect(new Set(slugs).size).toBe(33)
  })

  it('never fails concurrent creates of the same slug', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map(() =>
        admin.request({ method: 'POST', url: entriesUrl(), payload: { type: 'post', title: 'Race' } }),
      ),
    )
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201])
    const slugs = results.map((r) => (r.json() as Entry).slug).sort()
    expect(slugs).toEqual(['race', 'race-2', 'race-3', 'race-4'])
  })

  it('refuses an unknown type with a coded 404', async () => {
    const res = await admin.request({
      method: 'POST',
      url: entriesUrl(),
      payload: { type: 'nope', title: 'x' },
    })
    expect(res.statusCode).toBe(404)
    expect(errorOf(res).code).toBe('COLOPHON_CONTENT_TYPE_NOT_FOUND')
  })

  it('lists every invalid field, body included, with a code each', async () => {
    const res = await admin.request({
      method: 'POST',
      url: entriesUrl(),
      payload: {
        type: 'book',
        title: 'Bad book',
        fields: { rating: 9, contact: 'not an email', unknown: 1 },
        body: doc({ type: 'script', text: 'alert(1)' }),
      },
    })
    expect(res.statusCode).toBe(400)
    const error = errorOf(res)
    expect(error.code).toBe('COLOPHON_CONTENT_FIELDS_INVALID')
    const fields = (error.details as { fields: Record<string, { code: string }> }).fields
    expect(Object.keys(fields).sort()).toEqual(['body', 'contact', 'rating', 'unknown'])
    expect(fields.body?.code).toBe('unknown_node')
    const missing = await admin.request({
      method: 'POST',
      url: entriesUrl(),
      payload: { type: 'book', title: 'No rating' },
    })
    expect(errorOf(missing).details).toMatchObject({ fields: { rating: { code: expect.any(String) } } })
    const ok = await create(admin, { type: 'book', title: 'Good', fields: { rating: 4 } })
    expect(ok.fields).toMatchObject({ rating: 4 })
  })

  it('refuses SEO fields out of bounds and unknown properties', async () => {
    for (const payload of [
      { type: 'post', title: 'x', seo: { metaTitle: 'a'.repeat(201) } },
      { type: 'post', title: 'x', seo: { metaDescription: 'a'.repeat(501) } },
      { type: 'post', title: 'x', status: 'published' },
      { type: 'post', title: 'x', featuredMediaId: 'not-a-uuid' },
    ]) {
      const res = await admin.request({ method: 'POST', url: entriesUrl(), payload })
      expect(res.statusCode).toBe(400)
      expect(errorOf(res).code).toBe('COLOPHON_HTTP_VALIDATION_FAILED')
    }
  })

  it('needs a password for password visibility, stores it hashed and never returns it', async () => {
    const missing = await admin.request({
      method: 'POST',
      url: entriesUrl(),
      payload: { type: 'post', title: 'Secret', visibility: 'password' },
    })
    expect(missing.statusCode).toBe(400)
    expect(errorOf(missing).code).toBe('COLOPHON_CONTENT_PASSWORD_REQUIRED')
    const res = await admin.request({
      method: 'POST',
      url: entriesUrl(),
      payload: { type: 'post', title: 'Secret', visibility: 'password', password: 'open sesame' },
    })
    expect(res.statusCode).toBe(201)
    expect(res.body).not.toContain('open sesame')
    expect(res.body).not.toMatch(/password_?hash|argon/i)
    const row = await columns((res.json() as Entry).id)
    expect(String(row.password_hash)).toMatch(/^\$argon2/)
  })

  it('lets only editors name another author, and only a member of the site', async () => {
    const res = await author.request({
      method: 'POST',
      url: entriesUrl(),
      payload: { type: 'post', title: 'Ghost', authorId: otherAuthor.userId },
    })
    expect(res.statusCode).toBe(403)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_FORBIDDEN')
    const stranger = await createUser(app)
    const refused = await editor.request({
      method: 'POST',
      url: entriesUrl(),
      payload: { type: 'post', title: 'Ghost', authorId: stranger.id },
    })
    expect(refused.statusCode).toBe(400)
    expect(errorOf(refused).code).toBe('COLOPHON_CONTENT_AUTHOR_INVALID')
    const made = await create(editor, { type: 'post', title: 'Ghost', authorId: otherAuthor.userId })
    expect(made.authorId).toBe(otherAuthor.userId)
  })

  it('accepts parents only in hierarchical types, of the same type, without cycles', async () => {
    const post = await create(admin, { type: 'post', title: 'Flat' })
    const flat = await admin.request({
      method: 'POST',
      url: entriesUrl(),
      payload: { type: 'post', title: 'Child', parentId: post.id },
    })
    expect(errorOf(flat)).toMatchObject({
      code: 'COLOPHON_CONTENT_PARENT_INVALID',
      details: { reason: 'not_hierarchical' },
    })
    const otherType = await admin.request({
      method: 'POST',
      url: entriesUrl(),
      payload: { type: 'page', title: 'Child', parentId: post.id },
    })
    expect(errorOf(otherType).details).toMatchObject({ reason: 'not_found' })
    const root = await create(admin, { type: 'page', title: 'Root' })
    const child = await create(admin, { type: 'page', title: 'Child', parentId: root.id })
    expect(child.parentId).toBe(root.id)
    for (const parentId of [child.id, root.id]) {
      const res = await admin.request({
        method: 'PATCH',
        url: entriesUrl(`/${root.id}`),
        payload: { parentId },
      })
      expect(res.statusCode).toBe(400)
      expect(errorOf(res)).toMatchObject({
        code: 'COLOPHON_CONTENT_PARENT_INVALID',
        details: { reason: 'cycle' },
      })
    }
  })
})

describe('saving entries', () => {
  it('lets authors save their own entries only; editors save any', async () => {
    const entry = await create(author, { type: 'post', title: 'Mine' })
    const other = await otherAuthor.request({
      method: 'PATCH',
      url: entriesUrl(`/${entry.id}`),
      payload: { title: 'Theirs' },
    })
    expect(other.statusCode).toBe(403)
    expect(errorOf(other).code).toBe('COLOPHON_AUTH_FORBIDDEN')
    const own = await author.request({
      method: 'PATCH',
      url: entriesUrl(`/${entry.id}`),
      payload: { title: 'Still mine' },
    })
    expect(own.statusCode).toBe(200)
    const byEditor = await editor.request({
      method: 'PATCH',
      url: entriesUrl(`/${entry.id}`),
      payload: { excerpt: 'Edited' },
    })
    expect(byEditor.statusCode).toBe(200)
    const steal = await author.request({
      method: 'PATCH',
      url: entriesUrl(`/${entry.id}`),
      payload: { authorId: otherAuthor.userId },
    })
    expect(steal.statusCode).toBe(403)
    expect((await columns(entry.id)).title).toBe('Still mine')
  })

  it('writes a new head revision on every save and applies it to a draft', async () => {
    const entry = await create(admin, { type: 'post', title: 'Draft' })
    const res = await admin.request({
      method: 'PATCH',
      url: entriesUrl(`/${entry.id}`),
      payload: { title: 'Draft two', slug: 'Draft' },
    })
    const saved = res.json() as Entry
    expect(saved.title).toBe('Draft two')
    expect(saved.slug).toBe('draft')
    expect(saved.revisions?.head).not.toBe(entry.revisions?.head)
    const count = await app.db.engine.query('SELECT 1 FROM revisions WHERE entry_id = $1', [entry.id])
    expect(count).toHaveLength(2)
  })

  it('leaves a published entry as published while the head moves', async () => {
    const entry = await create(admin, { type: 'post', title: 'Live', body: doc(para(text('Old text'))) })
    await publishInSql(entry.id)
    const published = (await columns(entry.id)).published_revision_id
    const res = await admin.request({
      method: 'PATCH',
      url: entriesUrl(`/${entry.id}`),
      payload: { title: 'Live v2', slug: 'live-v2', body: doc(para(text('New text'))) },
    })
    expect(res.statusCode).toBe(200)
    const view = res.json() as Entry
    expect(view).toMatchObject({ title: 'Live', slug: 'live', status: 'published' })
    expect(view.bodyHtml).toBe('<p>Old text</p>')
    expect(view.revisions).toMatchObject({ published, hasUnpublishedChanges: true })
    const after = await columns(entry.id)
    expect(after).toMatchObject({ title: 'Live', slug: 'live', published_revision_id: published })
    expect(after.head_revision_id).not.toBe(published)
    // A second save builds on the head, not on the published columns.
    await admin.request({ method: 'PATCH', url: entriesUrl(`/${entry.id}`), payload: { excerpt: 'More' } })
    const [head] = await app.db.engine.query<{ snapshot: { title: string; excerpt: string; slug: string } }>(
      'SELECT r.snapshot FROM revisions r JOIN entries e ON e.head_revision_id = r.id WHERE e.id = $1',
      [entry.id],
    )
    expect(head?.snapshot).toMatchObject({ title: 'Live v2', slug: 'live-v2', excerpt: 'More' })
    expect((await columns(entry.id)).title).toBe('Live')
  })

  it('never fails concurrent saves moving two entries to the same slug', async () => {
    const a = await create(admin, { type: 'post', title: 'Left' })
    const b = await create(admin, { type: 'post', title: 'Right' })
    const results = await Promise.all(
      [a, b].map((e) =>
        admin.request({ method: 'PATCH', url: entriesUrl(`/${e.id}`), payload: { slug: 'Meeting point' } }),
      ),
    )
    expect(results.map((r) => r.statusCode)).toEqual([200, 200])
    expect(results.map((r) => (r.json() as Entry).slug).sort()).toEqual(['meeting-point', 'meeting-point-2'])
  })

  it('refuses saves of trashed entries with 409', async () => {
    const entry = await create(admin, { type: 'post', title: 'Binned' })
    await app.db.engine.query(`UPDATE entries SET status = 'trash', trashed_at = now() WHERE id = $1`, [
      entry.id,
    ])
    const res = await admin.request({
      method: 'PATCH',
      url: entriesUrl(`/${entry.id}`),
      payload: { title: 'x' },
    })
    expect(res.statusCode).toBe(409)
    expect(errorOf(res).code).toBe('COLOPHON_CONTENT_ENTRY_TRASHED')
    // A trashed entry frees its slug.
    expect((await create(admin, { type: 'post', title: 'Binned' })).slug).toBe('binned')
  })

  it('answers 404 for an entry of another site or none', async () => {
    const res = await admin.request({
      method: 'PATCH',
      url: entriesUrl('/01900000-0000-7000-8000-000000000000'),
      payload: { title: 'x' },
    })
    expect(res.statusCode).toBe(404)
    expect(errorOf(res).code).toBe('COLOPHON_CONTENT_ENTRY_NOT_FOUND')
  })
})

describe('rich text and hostile input', () => {
  const payloads = [
    doc({ type: 'script', content: [text('alert(1)')] }),
    doc(para(text('click', [{ type: 'link', attrs: { href: 'javascript:alert(1)' } }]))),
    doc(para(text('click', [{ type: 'link', attrs: { href: ' JaVa\tScRiPt:alert(1)' } }]))),
    doc({ type: 'image', attrs: { src: 'data:image/svg+xml;base64,PHN2Zz4=' } }),
    doc(para(text('x', [{ type: 'onclick' }]))),
  ]

  it.each(payloads.map((body, i) => [i, body]))(
    'refuses unsafe document %i with a coded body error',
    async (_i, body) => {
      const res = await admin.request({
        method: 'POST',
        url: entriesUrl(),
        payload: { type: 'post', title: 'x', body },
      })
      expect(res.statusCode).toBe(400)
      expect(errorOf(res).details).toMatchObject({ fields: { body: { code: expect.any(String) } } })
    },
  )

  it('keeps markup in text, titles and attributes inert', async () => {
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(1)>'
    const entry = await create(admin, {
      type: 'post',
      title: hostile,
      body: doc(
        para(text(hostile)),
        {
          type: 'image',
          attrs: { src: 'https://example.com/a.png', alt: '"><script>x</script>', onerror: 'alert(1)' },
        },
        para(
          text('site', [
            { type: 'link', attrs: { href: 'https://example.com/"onmouseover="x', onclick: 'x' } },
          ]),
        ),
        { type: 'heading', attrs: { level: 2, style: 'color:red' }, content: [text('Head')] },
      ),
    })
    expect(entry.title).toBe(hostile)
    // Markup-looking text is escaped; no element carries a script, an event handler or a style.
    expect(entry.bodyHtml).not.toMatch(/<script/i)
    expect(entry.bodyHtml).not.toMatch(/<[^>]*\son[a-z]+\s*=/i)
    expect(entry.bodyHtml).not.toMatch(/<[^>]*\sstyle\s*=/i)
    expect(entry.bodyHtml).not.toMatch(/(href|src)\s*=\s*"?\s*(javascript|data):/i)
    expect(entry.bodyHtml).toContain('&lt;script&gt;')
    expect(entry.bodyHtml).toContain('<img src="https://example.com/a.png"')
    expect(entry.bodyHtml).toContain('rel="noopener noreferrer nofollow"')
    expect(entry.bodyHtml).toContain('<h2>Head</h2>')
  })
})

describe('query budget', () => {
  it('creates and saves an entry in a bounded number of statements', async () => {
    const created = await admin.request({
      method: 'POST',
      url: entriesUrl(),
      payload: { type: 'book', title: 'Counted', fields: { rating: 3 } },
    })
    expect(created.statusCode).toBe(201)
    // Measured 8: type, quota, slug, entry, revision, audit, plus session and binding (a site with an
    // entries quota adds its lock and the count).
    expect(queryCount(created)).toBeLessThanOrEqual(10)
    const id = (created.json() as Entry).id
    const saved = await admin.request({
      method: 'PATCH',
      url: entriesUrl(`/${id}`),
      payload: { title: 'Counted again', slug: 'counted-again', fields: { rating: 4 } },
    })
    expect(saved.statusCode).toBe(200)
    expect(queryCount(saved)).toBeLessThanOrEqual(12)
  })
})
