import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, type TestApp } from '../../../../test/harness/test-app.ts'
import { createUser, signIn, signInAdmin, type Session } from '../../../../test/harness/identity.ts'

let app: TestApp
let admin: Session
let author: Session
let otherAuthor: Session

const entriesUrl = (rest = '') => `/api/v1/sites/main/entries${rest}`

interface Entry {
  id: string
  title: string
  slug: string
  excerpt: string
  bodyHtml: string
  revisions?: { head: string | null; published: string | null; hasUnpublishedChanges: boolean }
}
interface Revision {
  id: string
  kind: string
  authorId: string | null
  restoredFrom: string | null
  isHead: boolean
  isPublished: boolean
  snapshot?: { title: string; slug: string; excerpt: string; fields: Record<string, unknown> }
}
interface Change {
  field: string
  before: unknown
  after: unknown
  text?: { op: string; text: string }[]
}

const doc = (...lines: string[]) => ({
  type: 'doc',
  content: lines.map((t) => ({ type: 'paragraph', content: [{ type: 'text', text: t }] })),
})

async function send<T>(
  as: Session,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  url: string,
  payload?: unknown,
): Promise<T> {
  const res = await as.request({ method, url, ...(payload === undefined ? {} : { payload }) })
  if (res.statusCode >= 300) throw new Error(`${method} ${url} failed: ${res.statusCode} ${res.body}`)
  return res.json() as T
}

const create = (as: Session, body: Record<string, unknown>) => send<Entry>(as, 'POST', entriesUrl(), body)
const save = (as: Session, id: string, body: Record<string, unknown>) =>
  send<Entry>(as, 'PATCH', entriesUrl(`/${id}`), body)
const revisionsOf = (as: Session, id: string, query = '') =>
  send<{ items: Revision[]; nextCursor: string | null }>(as, 'GET', entriesUrl(`/${id}/revisions${query}`))

async function row(id: string): Promise<Record<string, unknown>> {
  const [found] = await app.db.engine.query<Record<string, unknown>>(
    'SELECT title, excerpt, status, head_revision_id, published_revision_id FROM entries WHERE id = $1',
    [id],
  )
  if (!found) throw new Error(`no entry ${id}`)
  return found
}

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
})

afterAll(async () => {
  await app?.close()
})

describe('listing and reading revisions', () => {
  it('lists saves newest first with the head flagged, in pages', async () => {
    const entry = await create(author, { type: 'post', title: 'One' })
    await save(author, entry.id, { title: 'Two' })
    const last = await save(author, entry.id, { title: 'Three' })
    const page = await revisionsOf(author, entry.id, '?limit=2')
    expect(page.items).toHaveLength(2)
    expect(page.items[0]).toMatchObject({
      id: last.revisions?.head,
      kind: 'save',
      isHead: true,
      authorId: author.userId,
    })
    expect(page.items[1]?.isHead).toBe(false)
    expect(page.items[0]).not.toHaveProperty('snapshot')
    const rest = await revisionsOf(author, entry.id, `?limit=2&cursor=${page.nextCursor}`)
    expect(rest.items.map((r) => r.id)).toEqual([entry.revisions?.head])
    expect(rest.nextCursor).toBeNull()
    const first = await send<Revision>(
      author,
      'GET',
      entriesUrl(`/${entry.id}/revisions/${entry.revisions?.head}`),
    )
    expect(first.snapshot).toMatchObject({ title: 'One', slug: 'one' })
  })

  it('shows revisions only to those who may edit the entry', async () => {
    const entry = await create(author, { type: 'post', title: 'Private thoughts' })
    const other = await otherAuthor.request({ method: 'GET', url: entriesUrl(`/${entry.id}/revisions`) })
    expect(other.statusCode).toBe(403)
    expect(errorOf(other).code).toBe('COLOPHON_AUTH_FORBIDDEN')
    const single = await otherAuthor.request({
      method: 'GET',
      url: entriesUrl(`/${entry.id}/revisions/${entry.revisions?.head}`),
    })
    expect(single.statusCode).toBe(403)
    const anonymous = await app.server.inject({ method: 'GET', url: entriesUrl(`/${entry.id}/revisions`) })
    expect(anonymous.statusCode).toBe(401)
    expect((await revisionsOf(admin, entry.id)).items).toHaveLength(1)
  })

  it('answers 404 for a revision of another entry', async () => {
    const a = await create(admin, { type: 'post', title: 'A' })
    const b = await create(admin, { type: 'post', title: 'B' })
    const res = await admin.request({
      method: 'GET',
      url: entriesUrl(`/${a.id}/revisions/${b.revisions?.head}`),
    })
    expect(res.statusCode).toBe(404)
    expect(errorOf(res).code).toBe('COLOPHON_CONTENT_REVISION_NOT_FOUND')
  })
})

describe('diff', () => {
  it('lists the fields that differ, with a text diff of the body', async () => {
    const entry = await create(admin, {
      type: 'post',
      title: 'Before',
      body: doc('same line', 'old line'),
      seo: { metaTitle: 'T' },
    })
    const saved = await save(admin, entry.id, {
      title: 'After',
      body: doc('same line', 'new line'),
      seo: { metaTitle: 'T', noindex: true },
    })
    const from = entry.revisions?.head
    const to = saved.revisions?.head
    const diff = await send<{ changes: Change[] }>(
      admin,
      'GET',
      entriesUrl(`/${entry.id}/revisions/${from}/diff/${to}`),
    )
    expect(diff.changes.map((c) => c.field)).toEqual(['title', 'body', 'seo.noindex'])
    expect(diff.changes[0]).toMatchObject({ before: 'Before', after: 'After' })
    expect(diff.changes[1]?.text).toEqual([
      { op: 'equal', text: 'same line' },
      { op: 'insert', text: 'new line' },
      { op: 'delete', text: 'old line' },
    ])
    const byQuery = await send<{ changes: Change[] }>(
      admin,
      'GET',
      entriesUrl(`/${entry.id}/revisions/diff?from=${from}&to=${to}`),
    )
    expect(byQuery.changes).toEqual(diff.changes)
    const none = await send<{ changes: Change[] }>(
      admin,
      'GET',
      entriesUrl(`/${entry.id}/revisions/${to}/diff/${to}`),
    )
    expect(none.changes).toEqual([])
  })

  it('compares custom fields key by key', async () => {
    const type = await admin.request({
      method: 'POST',
      url: '/api/v1/sites/main/types',
      payload: {
        key: 'film',
        name: 'Film',
        fields: [
          { key: 'year', label: 'Year', type: 'number' },
          { key: 'director', label: 'Director', type: 'text' },
        ],
      },
    })
    expect(type.statusCode).toBe(201)
    const entry = await create(admin, { type: 'film', title: 'Film', fields: { year: 1999, director: 'X' } })
    const saved = await save(admin, entry.id, { fields: { year: 2000 } })
    const diff = await send<{ changes: Change[] }>(
      admin,
      'GET',
      entriesUrl(`/${entry.id}/revisions/${entry.revisions?.head}/diff/${saved.revisions?.head}`),
    )
    expect(diff.changes).toEqual([{ field: 'fields.year', before: 1999, after: 2000 }])
  })
})

describe('autosave', () => {
  it('keeps one autosave per user that never touches the entry, its head or its published revision', async () => {
    const entry = await create(author, { type: 'post', title: 'Published', excerpt: 'live' })
    await publishInSql(entry.id)
    const before = await row(entry.id)
    const first = await send<Revision>(author, 'PUT', entriesUrl(`/${entry.id}/autosave`), {
      title: 'Typing…',
    })
    const second = await send<Revision>(author, 'PUT', entriesUrl(`/${entry.id}/autosave`), {
      excerpt: 'more',
    })
    expect(first.kind).toBe('autosave')
    expect(second.id).toBe(first.id)
    // Autosaves build on each other.
    expect(second.snapshot).toMatchObject({ title: 'Typing…', excerpt: 'more' })
    expect(await row(entry.id)).toEqual(before)
    const byAdmin = await send<Revision>(admin, 'PUT', entriesUrl(`/${entry.id}/autosave`), {
      title: 'Admin draft',
    })
    expect(byAdmin.id).not.toBe(first.id)
    expect(await row(entry.id)).toEqual(before)
    const kinds = await app.db.engine.query<{ kind: string }>(
      'SELECT kind FROM revisions WHERE entry_id = $1 ORDER BY id',
      [entry.id],
    )
    expect(kinds.map((k) => k.kind)).toEqual(['save', 'autosave', 'autosave'])
    const other = await otherAuthor.request({
      method: 'PUT',
      url: entriesUrl(`/${entry.id}/autosave`),
      payload: { title: 'x' },
    })
    expect(other.statusCode).toBe(403)
  })

  it('is dropped by the next save of the same user, and built on the newer head after it', async () => {
    const entry = await create(author, { type: 'post', title: 'Draft' })
    await send<Revision>(author, 'PUT', entriesUrl(`/${entry.id}/autosave`), { excerpt: 'scratch' })
    await save(author, entry.id, { title: 'Saved' })
    const kinds = (await revisionsOf(author, entry.id)).items.map((r) => r.kind)
    expect(kinds).toEqual(['save', 'save'])
    const next = await send<Revision>(author, 'PUT', entriesUrl(`/${entry.id}/autosave`), {
      excerpt: 'again',
    })
    expect(next.snapshot).toMatchObject({ title: 'Saved', excerpt: 'again' })
  })
})

describe('restore', () => {
  it('copies an old revision into a new head revision and applies it to a draft', async () => {
    const entry = await create(author, { type: 'post', title: 'Original', excerpt: 'first' })
    await save(author, entry.id, { title: 'Rewritten', excerpt: 'second', slug: 'rewritten' })
    const res = await author.request({
      method: 'POST',
      url: entriesUrl(`/${entry.id}/revisions/${entry.revisions?.head}/restore`),
    })
    expect(res.statusCode).toBe(200)
    const restored = res.json() as Entry
    expect(restored).toMatchObject({ title: 'Original', excerpt: 'first', slug: 'original' })
    const [top] = (await revisionsOf(author, entry.id)).items
    expect(top).toMatchObject({ kind: 'restore', restoredFrom: entry.revisions?.head, isHead: true })
    expect(top?.id).toBe(restored.revisions?.head)
    const audit = await app.db.engine.query(
      "SELECT 1 FROM audit_log WHERE action = 'content.entry.restore' AND target_id = $1",
      [entry.id],
    )
    expect(audit).toHaveLength(1)
  })

  it('leaves a published entry as published and moves only its head', async () => {
    const entry = await create(admin, { type: 'post', title: 'Version A' })
    await save(admin, entry.id, { title: 'Version B' })
    await publishInSql(entry.id)
    const before = await row(entry.id)
    const restored = await send<Entry>(
      admin,
      'POST',
      entriesUrl(`/${entry.id}/revisions/${entry.revisions?.head}/restore`),
    )
    expect(restored.title).toBe('Version B')
    expect(restored.revisions?.hasUnpublishedChanges).toBe(true)
    const after = await row(entry.id)
    expect(after).toMatchObject({ title: 'Version B', published_revision_id: before.published_revision_id })
    expect(after.head_revision_id).not.toBe(before.head_revision_id)
    const head = await send<Revision>(
      admin,
      'GET',
      entriesUrl(`/${entry.id}/revisions/${after.head_revision_id}`),
    )
    expect(head.snapshot?.title).toBe('Version A')
  })

  it('gives a restored slug taken meanwhile a suffix, and refuses other authors', async () => {
    const entry = await create(author, { type: 'post', title: 'Taken' })
    await save(author, entry.id, { slug: 'moved' })
    await create(admin, { type: 'post', title: 'Taken' })
    const restored = await send<Entry>(
      author,
      'POST',
      entriesUrl(`/${entry.id}/revisions/${entry.revisions?.head}/restore`),
    )
    expect(restored.slug).toBe('taken-2')
    const other = await otherAuthor.request({
      method: 'POST',
      url: entriesUrl(`/${entry.id}/revisions/${entry.revisions?.head}/restore`),
    })
    expect(other.statusCode).toBe(403)
  })
})
