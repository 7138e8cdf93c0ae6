import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, queryCount, type TestApp } from '../../../../test/harness/test-app.ts'
import { createUser, mainSiteId, signIn, type Session } from '../../../../test/harness/identity.ts'
import { newId } from '../../../platform/db/index.ts'
import { addMember, createEntry, createSite, type EntrySeed } from '../../../../test/harness/factories.ts'

/**
 * Series as editors shape them and readers read them. Entries are written straight into the database as
 * the owner, so these tests depend on no other part of content.
 */

let app: TestApp
let site: string
let otherSite: string
let editor: Session
let author: Session
const ids: Record<string, string> = {}

interface SeriesDetail {
  id: string
  slug: string
  name: string
  description: string
  entryCount: number
  entries: Array<{ id: string; slug: string; status: string }>
}

/** A published public post of the main site unless told otherwise. */
async function insertEntry(key: string, seed: Partial<EntrySeed> = {}): Promise<string> {
  const id = await createEntry(app, {
    siteId: site,
    status: 'published',
    slug: key,
    title: `Entry ${key}`,
    ...seed,
  })
  ids[key] = id
  return id
}

const seriesUrl = (rest = '', siteId = site) => `/api/v1/sites/${siteId}/series${rest}`

async function createSeries(body: Record<string, unknown>, siteId = site): Promise<SeriesDetail> {
  const res = await editor.request({ method: 'POST', url: seriesUrl('', siteId), payload: body })
  if (res.statusCode !== 201) throw new Error(`creating a series failed: ${res.body}`)
  return res.json() as SeriesDetail
}

function setEntries(seriesId: string, entryIds: string[], as: Session = editor) {
  return as.request({ method: 'PUT', url: seriesUrl(`/${seriesId}/entries`), payload: { entryIds } })
}

async function auditCount(action: string, targetId: string): Promise<number> {
  const rows = await app.db.engine.query('SELECT 1 FROM audit_log WHERE action = $1 AND target_id = $2', [
    action,
    targetId,
  ])
  return rows.length
}

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  site = await mainSiteId(app)
  otherSite = await createSite(app, { slug: 'other', name: 'Other' })
  editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
  author = await signIn(app, await createUser(app, { siteRole: 'author' }))
  // Editors manage taxonomies on their site only: the other site's series are made by a member there.
  await addMember(app, { siteId: otherSite, userId: editor.userId, role: 'editor' })
  for (const key of ['part-1', 'part-2', 'part-3']) await insertEntry(key)
  await insertEntry('part-draft', { status: 'draft' })
  await insertEntry('part-private', { visibility: 'private' })
  await insertEntry('foreign', { siteId: otherSite })
})
afterAll(() => app?.close())

describe('managing series', () => {
  it('creates with a normalised slug, changes, lists and deletes, auditing each change', async () => {
    const made = await createSeries({ name: 'Crème Brûlée Course', description: 'Six lessons' })
    expect(made).toMatchObject({ slug: 'creme-brulee-course', entryCount: 0, entries: [] })
    const patched = await editor.request({
      method: 'PATCH',
      url: seriesUrl(`/${made.id}`),
      payload: { name: 'Dessert Course', slug: 'Dessert  Course!' },
    })
    expect(patched.statusCode).toBe(200)
    expect(patched.json()).toMatchObject({ name: 'Dessert Course', slug: 'dessert-course' })
    const listed = await app.server.inject({ method: 'GET', url: seriesUrl() })
    expect((listed.json().items as SeriesDetail[]).map((s) => s.slug)).toContain('dessert-course')
    const deleted = await editor.request({ method: 'DELETE', url: seriesUrl(`/${made.id}`) })
    expect(deleted.statusCode).toBe(204)
    const gone = await app.server.inject({ method: 'GET', url: seriesUrl(`/${made.id}`) })
    expect(errorOf(gone).code).toBe('COLOPHON_CONTENT_SERIES_NOT_FOUND')
    for (const action of ['content.series.create', 'content.series.update', 'content.series.delete'])
      expect(await auditCount(action, made.id)).toBe(1)
  })

  it('refuses a slug another series of the site holds, but not one of another site', async () => {
    const first = await createSeries({ name: 'Taken' })
    const second = await editor.request({
      method: 'POST',
      url: seriesUrl(),
      payload: { name: 'x', slug: 'TAKEN' },
    })
    expect(second.statusCode).toBe(409)
    expect(errorOf(second).code).toBe('COLOPHON_CONTENT_SERIES_SLUG_TAKEN')
    const other = await createSeries({ name: 'Other', slug: 'other-one' })
    const rename = await editor.request({
      method: 'PATCH',
      url: seriesUrl(`/${other.id}`),
      payload: { slug: 'taken' },
    })
    expect(errorOf(rename).code).toBe('COLOPHON_CONTENT_SERIES_SLUG_TAKEN')
    await createSeries({ name: 'Taken' }, otherSite)
    expect(first.slug).toBe('taken')
  })

  it('sets the entries in order; deleting the series keeps them', async () => {
    const course = await createSeries({ name: 'Ordered' })
    const res = await setEntries(course.id, [
      ids['part-3']!,
      ids['part-1']!,
      ids['part-draft']!,
      ids['part-2']!,
    ])
    expect(res.statusCode, res.body).toBe(200)
    expect((res.json() as SeriesDetail).entries.map((e) => e.slug)).toEqual([
      'part-3',
      'part-1',
      'part-draft',
      'part-2',
    ])
    const reordered = await setEntries(course.id, [ids['part-1']!, ids['part-2']!])
    expect((reordered.json() as SeriesDetail).entries.map((e) => e.slug)).toEqual(['part-1', 'part-2'])
    expect(await auditCount('content.series.entries', course.id)).toBe(2)

    await editor.request({ method: 'DELETE', url: seriesUrl(`/${course.id}`) })
    const left = await app.db.engine.query('SELECT 1 FROM entries WHERE id = ANY($1)', [
      [ids['part-1'], ids['part-2']],
    ])
    expect(left).toHaveLength(2)
  })

  it('refuses repeated entries, entries of another site and too many', async () => {
    const course = await createSeries({ name: 'Strict' })
    const twice = await setEntries(course.id, [ids['part-1']!, ids['part-1']!])
    expect(twice.statusCode).toBe(400)
    expect(errorOf(twice).code).toBe('COLOPHON_CONTENT_SERIES_DUPLICATE_ENTRY')
    const foreign = await setEntries(course.id, [ids['part-1']!, ids.foreign!])
    expect(foreign.statusCode).toBe(404)
    expect(errorOf(foreign)).toMatchObject({
      code: 'COLOPHON_CONTENT_SERIES_ENTRY_NOT_FOUND',
      details: { missing: [ids.foreign] },
    })
    const many = Array.from({ length: 501 }, () => newId())
    expect((await setEntries(course.id, many)).statusCode).toBe(400)
    const now = await app.server.inject({ method: 'GET', url: seriesUrl(`/${course.id}`) })
    expect(now.json().entries).toEqual([])
  })

  it('never reaches another site’s series by id', async () => {
    const foreign = await createSeries({ name: 'Foreign' }, otherSite)
    const read = await app.server.inject({ method: 'GET', url: seriesUrl(`/${foreign.id}`) })
    expect(errorOf(read).code).toBe('COLOPHON_CONTENT_SERIES_NOT_FOUND')
    const patch = await editor.request({
      method: 'PATCH',
      url: seriesUrl(`/${foreign.id}`),
      payload: { name: 'x' },
    })
    expect(patch.statusCode).toBe(404)
    const entries = await setEntries(foreign.id, [ids['part-1']!])
    expect(errorOf(entries).code).toBe('COLOPHON_CONTENT_SERIES_NOT_FOUND')
    const removed = await editor.request({ method: 'DELETE', url: seriesUrl(`/${foreign.id}`) })
    expect(removed.statusCode).toBe(404)
  })

  it('needs site.taxonomy.manage to change a series', async () => {
    const course = await createSeries({ name: 'Guarded' })
    const byAuthor = await author.request({ method: 'POST', url: seriesUrl(), payload: { name: 'Mine' } })
    expect(byAuthor.statusCode).toBe(403)
    expect((await setEntries(course.id, [ids['part-1']!], author)).statusCode).toBe(403)
    const anonymous = await app.server.inject({ method: 'DELETE', url: seriesUrl(`/${course.id}`) })
    expect(anonymous.statusCode).toBe(401)
  })
})

describe('reading series', () => {
  let course: SeriesDetail

  beforeAll(async () => {
    course = await createSeries({ name: 'Public course' })
    const ordered = [ids['part-2']!, ids['part-draft']!, ids['part-private']!, ids['part-1']!]
    expect((await setEntries(course.id, ordered)).statusCode).toBe(200)
  })

  it('shows readers only published public entries, by id or slug, and counts only those', async () => {
    for (const ref of [course.id, 'public-course']) {
      const res = await app.server.inject({ method: 'GET', url: seriesUrl(`/${ref}`) })
      expect(res.statusCode).toBe(200)
      expect((res.json() as SeriesDetail).entries.map((e) => e.slug)).toEqual(['part-2', 'part-1'])
      expect(res.json().entryCount).toBe(2)
    }
    const listed = await app.server.inject({ method: 'GET', url: seriesUrl() })
    const item = (listed.json().items as SeriesDetail[]).find((s) => s.id === course.id)
    expect(item?.entryCount).toBe(2)
  })

  it('shows members who may read drafts every entry', async () => {
    const res = await author.request({ method: 'GET', url: seriesUrl(`/${course.id}`) })
    expect((res.json() as SeriesDetail).entries.map((e) => e.slug)).toEqual([
      'part-2',
      'part-draft',
      'part-private',
      'part-1',
    ])
  })

  it('reads a series in one statement whatever its length', async () => {
    const res = await app.server.inject({ method: 'GET', url: seriesUrl(`/${course.id}`) })
    const empty = await createSeries({ name: 'Empty' })
    const none = await app.server.inject({ method: 'GET', url: seriesUrl(`/${empty.id}`) })
    expect(queryCount(res)).toBe(queryCount(none))
    expect(queryCount(res)).toBeLessThanOrEqual(2)
  })
})
