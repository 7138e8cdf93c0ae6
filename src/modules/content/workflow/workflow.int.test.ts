import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, type TestApp } from '../../../../test/harness/test-app.ts'
import {
  createUser,
  mainSiteId,
  signIn,
  signInAdmin,
  type Session,
} from '../../../../test/harness/identity.ts'

/**
 * The workflow through the API: who may move an entry where, approvals, republishing, the trash and
 * automatic redirects, with every change in the history and the audit trail.
 */

let app: TestApp
let siteId: string
let admin: Session
let editor: Session
let editor2: Session
let author: Session
let author2: Session

const url = (rest = '') => `/api/v1/sites/main/entries${rest}`

async function json<T = Record<string, unknown>>(res: LightMyRequestResponse, status = 200): Promise<T> {
  expect(res.statusCode, res.body).toBe(status)
  return res.json() as T
}

async function createEntry(
  as: Session,
  payload: Record<string, unknown>,
): Promise<{ id: string; slug: string }> {
  return json(await as.request({ method: 'POST', url: url(), payload: { type: 'post', ...payload } }), 201)
}

const setStatus = (as: Session, id: string, payload: Record<string, unknown>) =>
  as.request({ method: 'POST', url: url(`/${id}/status`), payload })

async function setAuthorsMayPublish(value: boolean): Promise<void> {
  await app.db.engine.query('UPDATE sites SET settings = $1 WHERE id = $2', [
    JSON.stringify({ authorsMayPublish: value }),
    siteId,
  ])
}

async function countRows(sql: string, params: unknown[]): Promise<number> {
  const [row] = await app.db.engine.query<{ n: number }>(sql, params)
  return Number(row?.n ?? 0)
}

beforeAll(async () => {
  app = await createTestApp()
  siteId = await mainSiteId(app)
  admin = await signInAdmin(app)
  editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
  editor2 = await signIn(app, await createUser(app, { siteRole: 'editor' }))
  author = await signIn(app, await createUser(app, { siteRole: 'author' }))
  author2 = await signIn(app, await createUser(app, { siteRole: 'author' }))
})

afterAll(async () => {
  await app?.close()
})

describe('status changes', () => {
  it('lets an author submit for review but not publish unless the site allows it', async () => {
    const entry = await createEntry(author, { title: 'Author post' })
    const refused = await setStatus(author, entry.id, { status: 'published' })
    expect(refused.statusCode).toBe(403)
    expect(errorOf(refused)).toMatchObject({ code: 'COLOPHON_AUTH_FORBIDDEN' })
    const pending = await json(await setStatus(author, entry.id, { status: 'pending', note: 'please' }))
    expect(pending.status).toBe('pending')

    await setAuthorsMayPublish(true)
    try {
      const published = await json(await setStatus(author, entry.id, { status: 'published' }))
      expect(published).toMatchObject({ status: 'published', timezone: 'UTC' })
      expect(published.publishedAt).toEqual(expect.any(String))
      // The setting covers the author's own entries only.
      const other = await createEntry(author2, { title: 'Not yours' })
      expect((await setStatus(author, other.id, { status: 'published' })).statusCode).toBe(403)
    } finally {
      await setAuthorsMayPublish(false)
    }
  })

  it('lets an author withdraw but not reject; an editor rejects others’ submissions', async () => {
    const entry = await createEntry(author, { title: 'Withdraw me' })
    await json(await setStatus(author, entry.id, { status: 'pending' }))
    expect((await json(await setStatus(author, entry.id, { status: 'draft' }))).status).toBe('draft')
    await json(await setStatus(author, entry.id, { status: 'pending' }))
    expect((await setStatus(author2, entry.id, { status: 'draft' })).statusCode).toBe(403)
    expect(
      (await json(await setStatus(editor, entry.id, { status: 'draft', note: 'needs work' }))).status,
    ).toBe('draft')
  })

  it('lets an editor publish, schedule and unpublish anyone’s entry, showing local times', async () => {
    await app.db.engine.query(`UPDATE sites SET timezone = 'Europe/Paris' WHERE id = $1`, [siteId])
    try {
      const entry = await createEntry(author, { title: 'Editor work' })
      const publishAt = new Date(Date.now() + 3_600_000).toISOString()
      const scheduled = await json(await setStatus(editor, entry.id, { status: 'scheduled', publishAt }))
      expect(scheduled).toMatchObject({ status: 'scheduled', publishAt, timezone: 'Europe/Paris' })
      expect(scheduled.publishAtLocal).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$/)
      const published = await json(await setStatus(editor, entry.id, { status: 'published' }))
      expect(published).toMatchObject({ status: 'published', publishAt: null })
      expect((await json(await setStatus(editor, entry.id, { status: 'unpublished' }))).status).toBe(
        'unpublished',
      )
    } finally {
      await app.db.engine.query(`UPDATE sites SET timezone = 'UTC' WHERE id = $1`, [siteId])
    }
  })

  it('refuses transitions that do not exist and bad schedule times with coded errors', async () => {
    const entry = await createEntry(editor, { title: 'Bad moves' })
    const same = await setStatus(editor, entry.id, { status: 'draft' })
    expect(same.statusCode).toBe(409)
    expect(errorOf(same)).toMatchObject({
      code: 'COLOPHON_CONTENT_TRANSITION_NOT_ALLOWED',
      details: { from: 'draft', to: 'draft' },
    })
    const past = await setStatus(editor, entry.id, { status: 'scheduled', publishAt: '2001-01-01T00:00:00Z' })
    expect(past.statusCode).toBe(400)
    expect(errorOf(past)).toMatchObject({
      code: 'COLOPHON_CONTENT_SCHEDULE_INVALID',
      details: { fields: { publishAt: { code: 'past' } } },
    })
    const missing = await setStatus(editor, entry.id, { status: 'scheduled' })
    expect(errorOf(missing).details).toMatchObject({ fields: { publishAt: { code: 'required' } } })
    expect((await setStatus(editor, entry.id, { status: 'trash' })).statusCode).toBe(400)
  })

  it('shows the published version until the edited one is republished', async () => {
    const entry = await createEntry(editor, { title: 'Version one' })
    await json(await setStatus(editor, entry.id, { status: 'published' }))
    await json(
      await editor.request({ method: 'PATCH', url: url(`/${entry.id}`), payload: { title: 'Version two' } }),
    )
    const reader = async () => json(await app.server.inject({ method: 'GET', url: url(`/${entry.id}`) }))
    expect((await reader()).title).toBe('Version one')
    const republished = await json(await setStatus(editor, entry.id, { status: 'published' }))
    expect(republished).toMatchObject({ title: 'Version two', revisions: { hasUnpublishedChanges: false } })
    expect((await reader()).title).toBe('Version two')
  })

  it('records every transition in the history and the audit trail', async () => {
    const entry = await createEntry(author, { title: 'History' })
    await json(await setStatus(author, entry.id, { status: 'pending', note: 'ready' }))
    await json(await setStatus(editor, entry.id, { status: 'published' }))
    await json(await setStatus(editor, entry.id, { status: 'archived' }))
    const history = await json<{
      items: { from: string; to: string; note: string; actor: { id: string } }[]
    }>(await editor.request({ method: 'GET', url: url(`/${entry.id}/transitions`) }))
    expect(history.items.map((t) => `${t.from}>${t.to}`)).toEqual([
      'published>archived',
      'pending>published',
      'draft>pending',
    ])
    expect(history.items[2]).toMatchObject({ note: 'ready', actor: { id: author.userId } })
    expect(history.items[1]?.actor.id).toBe(editor.userId)
    const audited = await countRows(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'content.entry.transition' AND target_id = $1`,
      [entry.id],
    )
    expect(audited).toBe(3)
  })
})

describe('approvals', () => {
  beforeAll(async () => {
    await json(
      await admin.request({
        method: 'POST',
        url: '/api/v1/sites/main/types',
        payload: { key: 'memo', name: 'Memo', approvalsRequired: 1 },
      }),
      201,
    )
  })

  it('needs approvals by others than the author, refuses self-approval and counts each approver once', async () => {
    const entry = await createEntry(editor, { type: 'memo', title: 'Needs a nod' })
    const early = await setStatus(editor, entry.id, { status: 'published' })
    expect(early.statusCode).toBe(409)
    expect(errorOf(early)).toMatchObject({
      code: 'COLOPHON_CONTENT_APPROVALS_MISSING',
      details: { required: 1, approvals: 0, missing: 1 },
    })
    const self = await editor.request({ method: 'POST', url: url(`/${entry.id}/approvals`), payload: {} })
    expect(self.statusCode).toBe(403)
    expect(errorOf(self).code).toBe('COLOPHON_CONTENT_SELF_APPROVAL')
    expect(
      (await author.request({ method: 'POST', url: url(`/${entry.id}/approvals`), payload: {} })).statusCode,
    ).toBe(403)
    await json(
      await editor2.request({ method: 'POST', url: url(`/${entry.id}/approvals`), payload: { note: 'ok' } }),
    )
    const twice = await json(
      await editor2.request({ method: 'POST', url: url(`/${entry.id}/approvals`), payload: {} }),
    )
    expect(twice).toMatchObject({ required: 1, approvals: 1, missing: 0 })
    expect((await json(await setStatus(editor, entry.id, { status: 'published' }))).status).toBe('published')
  })

  it('asks for new approvals once the entry is edited', async () => {
    const entry = await createEntry(editor, { type: 'memo', title: 'First cut' })
    await json(await editor2.request({ method: 'POST', url: url(`/${entry.id}/approvals`), payload: {} }))
    await json(
      await editor.request({ method: 'PATCH', url: url(`/${entry.id}`), payload: { title: 'Second cut' } }),
    )
    const summary = await json(await editor.request({ method: 'GET', url: url(`/${entry.id}/approvals`) }))
    expect(summary).toMatchObject({ required: 1, approvals: 0, missing: 1 })
    expect((await setStatus(editor, entry.id, { status: 'published' })).statusCode).toBe(409)
  })
})

describe('trash', () => {
  it('trashes, frees the slug, restores with a suffix as a draft, and purges', async () => {
    const entry = await createEntry(editor, { title: 'Trash me', slug: 'trash-me' })
    await json(await setStatus(editor, entry.id, { status: 'published' }))
    const trashed = await json(await editor.request({ method: 'DELETE', url: url(`/${entry.id}`) }))
    expect(trashed.status).toBe('trash')
    expect((await editor.request({ method: 'DELETE', url: url(`/${entry.id}`) })).statusCode).toBe(409)
    const taker = await createEntry(editor, { title: 'Taker', slug: 'trash-me' })
    expect(taker.slug).toBe('trash-me')
    const restored = await json(
      await editor.request({ method: 'POST', url: url(`/${entry.id}/restore-from-trash`) }),
    )
    expect(restored).toMatchObject({ status: 'draft', slug: 'trash-me-2' })
    const notTrashed = await editor.request({ method: 'POST', url: url(`/${entry.id}/purge`) })
    expect(notTrashed.statusCode).toBe(409)
    expect(errorOf(notTrashed).code).toBe('COLOPHON_CONTENT_NOT_TRASHED')
    await json(await editor.request({ method: 'DELETE', url: url(`/${entry.id}`) }))
    expect((await editor.request({ method: 'POST', url: url(`/${entry.id}/purge`) })).statusCode).toBe(204)
    expect(await countRows('SELECT count(*)::int AS n FROM entries WHERE id = $1', [entry.id])).toBe(0)
    expect(
      await countRows(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'content.entry.purge' AND target_id = $1`,
        [entry.id],
      ),
    ).toBe(1)
  })

  it('restores a published entry as published when its slug is still free', async () => {
    const entry = await createEntry(editor, { title: 'Back again' })
    await json(await setStatus(editor, entry.id, { status: 'published' }))
    await json(await editor.request({ method: 'DELETE', url: url(`/${entry.id}`) }))
    const restored = await json(
      await editor.request({ method: 'POST', url: url(`/${entry.id}/restore-from-trash`) }),
    )
    expect(restored).toMatchObject({ status: 'published', slug: entry.slug })
  })

  it('keeps authors to their own entries', async () => {
    const entry = await createEntry(author2, { title: 'Mine' })
    expect((await author.request({ method: 'DELETE', url: url(`/${entry.id}`) })).statusCode).toBe(403)
    await json(await author2.request({ method: 'DELETE', url: url(`/${entry.id}`) }))
    expect((await author.request({ method: 'POST', url: url(`/${entry.id}/purge`) })).statusCode).toBe(403)
    expect((await author2.request({ method: 'POST', url: url(`/${entry.id}/purge`) })).statusCode).toBe(204)
  })
})

describe('automatic redirects', () => {
  const redirectsOf = (entryId: string) =>
    app.db.engine.query<{ from_path: string; to_path: string; status_code: number }>(
      'SELECT from_path, to_path, status_code FROM redirects WHERE entry_id = $1 AND is_automatic',
      [entryId],
    )

  it('redirects the old path of a published entry whose slug changed', async () => {
    const entry = await createEntry(editor, { title: 'Old name', slug: 'old-name' })
    const published = await json<{ publishedAt: string }>(
      await setStatus(editor, entry.id, { status: 'published' }),
    )
    await json(
      await editor.request({ method: 'PATCH', url: url(`/${entry.id}`), payload: { slug: 'new-name' } }),
    )
    expect(await redirectsOf(entry.id)).toEqual([])
    await json(await setStatus(editor, entry.id, { status: 'published' }))
    const d = new Date(published.publishedAt)
    const prefix = `/${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}`
    expect(await redirectsOf(entry.id)).toEqual([
      { from_path: `${prefix}/old-name`, to_path: `${prefix}/new-name`, status_code: 301 },
    ])
  })

  it('redirects the published children of a page whose slug changed', async () => {
    const parent = await createEntry(editor, { type: 'page', title: 'About', slug: 'about-w' })
    const child = await createEntry(editor, {
      type: 'page',
      title: 'Team',
      slug: 'team',
      parentId: parent.id,
    })
    await json(await setStatus(editor, parent.id, { status: 'published' }))
    await json(await setStatus(editor, child.id, { status: 'published' }))
    await json(
      await editor.request({ method: 'PATCH', url: url(`/${parent.id}`), payload: { slug: 'about-us-w' } }),
    )
    await json(await setStatus(editor, parent.id, { status: 'published' }))
    expect(await redirectsOf(parent.id)).toEqual([
      { from_path: '/about-w', to_path: '/about-us-w', status_code: 301 },
    ])
    expect(await redirectsOf(child.id)).toEqual([
      { from_path: '/about-w/team', to_path: '/about-us-w/team', status_code: 301 },
    ])
  })
})
