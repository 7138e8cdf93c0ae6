import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createUser,
  mainSiteId,
  signIn,
  signInAdmin,
  type Session,
} from '../../../../test/harness/identity.ts'
import { multipartBody } from '../../../../test/harness/multipart.ts'
import { createTestApp, errorOf, type TestApp } from '../../../../test/harness/test-app.ts'

/**
 * What the library knows of where its files are used, and what follows from it: the entries that show an
 * item (featured image, media fields, body images; the published columns and the latest draft apart), a
 * delete refused while entries show the item, a forced one that leaves every entry valid, bulk moves and
 * deletes that are all or nothing, folders, and alt text before publishing.
 */

let app: TestApp
let site: string
let admin: Session
let author: Session
let editor: Session
let png: Buffer

const mediaUrl = (rest = '') => `/api/v1/sites/${site}/media${rest}`
const entriesUrl = (rest = '') => `/api/v1/sites/${site}/entries${rest}`

async function uploadPng(session: Session, options: { alt?: string; name?: string } = {}): Promise<string> {
  const body = multipartBody([
    ...(options.alt !== undefined ? [{ name: 'alt', body: options.alt }] : []),
    { name: 'file', filename: options.name ?? 'box.png', contentType: 'image/png', body: png },
  ])
  const res = await session.request({
    method: 'POST',
    url: mediaUrl(),
    payload: body.payload,
    headers: body.headers,
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json().id as string
}

const bodyWith = (mediaId: string, alt = 'A blue box') => ({
  type: 'doc',
  content: [
    { type: 'paragraph', content: [{ type: 'text', text: 'Before the picture.' }] },
    { type: 'image', attrs: { src: `/media/${mediaId}/box.png`, alt, mediaId } },
  ],
})

async function createEntry(session: Session, payload: Record<string, unknown>): Promise<string> {
  const res = await session.request({
    method: 'POST',
    url: entriesUrl(),
    payload: { type: 'post', ...payload },
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json().id as string
}

const setStatus = (session: Session, id: string, status: string) =>
  session.request({ method: 'POST', url: entriesUrl(`/${id}/status`), payload: { status } })

const usageOf = async (id: string) => {
  const res = await admin.request({ method: 'GET', url: mediaUrl(`/${id}/usage`) })
  expect(res.statusCode, res.body).toBe(200)
  return res.json().items as Array<{ entryId: string; via: string[]; live: boolean; status: string }>
}

const rowCount = async (table: string, where: string, params: unknown[]) => {
  const [row] = await app.db.engine.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`,
    params,
  )
  return row?.n ?? -1
}

beforeAll(async () => {
  app = await createTestApp()
  site = await mainSiteId(app)
  admin = await signInAdmin(app)
  author = await signIn(app, await createUser(app, { siteRole: 'author' }))
  editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
  png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer()
})
afterAll(() => app?.close())

describe('usage tracking', () => {
  it('names the entries that show a file, how, and whether readers see it or only a draft', async () => {
    const cover = await uploadPng(author, { alt: 'Cover' })
    const inline = await uploadPng(author, { alt: 'Inline' })
    const later = await uploadPng(author, { alt: 'Later' })
    const id = await createEntry(author, { title: 'Usage', featuredMediaId: cover, body: bodyWith(inline) })
    expect(await usageOf(cover)).toEqual([
      expect.objectContaining({ entryId: id, via: ['featured'], live: true }),
    ])
    expect(await usageOf(inline)).toEqual([
      expect.objectContaining({ entryId: id, via: ['body'], live: true }),
    ])
    expect(await usageOf(later)).toEqual([])

    // A draft saved over a published entry: the new image is used, but readers do not see it yet.
    expect((await setStatus(editor, id, 'published')).statusCode).toBe(200)
    const saved = await editor.request({
      method: 'PATCH',
      url: entriesUrl(`/${id}`),
      payload: { featuredMediaId: later },
    })
    expect(saved.statusCode, saved.body).toBe(200)
    expect(await usageOf(later)).toEqual([
      expect.objectContaining({ entryId: id, via: ['featured'], live: false }),
    ])
    expect(await usageOf(cover)).toEqual([expect.objectContaining({ entryId: id, live: true })])
    // Publishing the draft moves what readers see.
    expect((await setStatus(editor, id, 'published')).statusCode).toBe(200)
    expect(await usageOf(later)).toEqual([expect.objectContaining({ live: true })])
    expect(await usageOf(cover)).toEqual([])

    // A media field counts too.
    const type = await admin.request({
      method: 'POST',
      url: `/api/v1/sites/${site}/types`,
      payload: { key: 'album', name: 'Album', fields: [{ key: 'sleeve', label: 'Sleeve', type: 'media' }] },
    })
    expect(type.statusCode, type.body).toBe(201)
    const album = await createEntry(admin, { type: 'album', title: 'Tides', fields: { sleeve: cover } })
    expect(await usageOf(cover)).toEqual([expect.objectContaining({ entryId: album, via: ['field'] })])
  })
})

describe('deleting a file in use', () => {
  it('is refused, and forced removal takes it out of every entry, which stays valid', async () => {
    const cover = await uploadPng(author, { alt: 'Harbour' })
    const id = await createEntry(author, { title: 'Harbour', featuredMediaId: cover, body: bodyWith(cover) })
    expect((await setStatus(editor, id, 'published')).statusCode).toBe(200)

    const refused = await author.request({ method: 'DELETE', url: mediaUrl(`/${cover}`) })
    expect(refused.statusCode).toBe(409)
    expect(errorOf(refused)).toMatchObject({
      code: 'COLOPHON_MEDIA_IN_USE',
      details: { count: 1, entries: [{ mediaId: cover, entryId: id, title: 'Harbour' }] },
    })
    // Forcing it changes entries: an author may not.
    const notTheirs = await author.request({ method: 'DELETE', url: mediaUrl(`/${cover}?force=true`) })
    expect(notTheirs.statusCode).toBe(403)
    expect(errorOf(notTheirs).code).toBe('COLOPHON_MEDIA_FORCE_NOT_ALLOWED')
    expect(await rowCount('media', 'id = $1', [cover])).toBe(1)

    const revisionsBefore = await rowCount('revisions', 'entry_id = $1', [id])
    const forced = await editor.request({ method: 'DELETE', url: mediaUrl(`/${cover}?force=true`) })
    expect(forced.statusCode, forced.body).toBe(204)
    expect(await rowCount('media', 'id = $1', [cover])).toBe(0)
    expect(await rowCount('entry_media', 'media_id = $1', [cover])).toBe(0)
    // Readers' copy and the latest revision both lost it; the history says who removed it.
    const read = await app.server.inject({
      method: 'GET',
      url: `/api/v1/sites/${site}/entries/${id}?fields=all`,
    })
    expect(read.statusCode, read.body).toBe(200)
    expect(read.json().featuredMediaId).toBeNull()
    expect(read.json().bodyHtml).toContain('Before the picture.')
    expect(read.json().bodyHtml).not.toContain('<img')
    expect(await rowCount('revisions', 'entry_id = $1', [id])).toBe(revisionsBefore + 1)
    // Still valid: it saves and publishes again.
    const again = await editor.request({
      method: 'PATCH',
      url: entriesUrl(`/${id}`),
      payload: { title: 'Harbour, again' },
    })
    expect(again.statusCode, again.body).toBe(200)
    expect((await setStatus(editor, id, 'published')).statusCode).toBe(200)
    // An older revision that still names it is refused with a coded error, not restored half-way.
    const revisions = await editor.request({ method: 'GET', url: entriesUrl(`/${id}/revisions`) })
    const oldest = (revisions.json().items as Array<{ id: string }>).at(-1)?.id
    const restore = await editor.request({
      method: 'POST',
      url: entriesUrl(`/${id}/revisions/${oldest}/restore`),
    })
    expect(restore.statusCode).toBe(400)
    expect(errorOf(restore)).toMatchObject({
      code: 'COLOPHON_CONTENT_FIELDS_INVALID',
      details: { fields: { featuredMediaId: { code: 'reference' } } },
    })
  })
})

describe('folders and bulk changes', () => {
  it('files items in a tree of folders, moves and deletes in bulk, all or nothing', async () => {
    const folder = async (name: string, parentId?: string) =>
      admin.request({
        method: 'POST',
        url: `/api/v1/sites/${site}/media-folders`,
        payload: { name, ...(parentId && { parentId }) },
      })
    const photos = await folder('Photos')
    expect(photos.statusCode, photos.body).toBe(201)
    const year = await folder('2026', photos.json().id)
    expect(year.statusCode).toBe(201)
    expect(errorOf(await folder('photos')).code).toBe('COLOPHON_MEDIA_FOLDER_NAME_TAKEN')
    expect(errorOf(await folder('a/b')).code).toBe('COLOPHON_MEDIA_FOLDER_NAME_INVALID')
    expect(errorOf(await folder('x', '00000000-0000-4000-8000-000000000000')).code).toBe(
      'COLOPHON_MEDIA_FOLDER_NOT_FOUND',
    )
    const intoItself = await admin.request({
      method: 'PATCH',
      url: `/api/v1/sites/${site}/media-folders/${photos.json().id}`,
      payload: { parentId: year.json().id },
    })
    expect(intoItself.statusCode).toBe(409)
    expect(errorOf(intoItself)).toMatchObject({
      code: 'COLOPHON_MEDIA_FOLDER_CYCLE',
      details: { reason: 'into_itself' },
    })
    // Authors browse folders but do not shape them.
    const byAuthor = await author.request({
      method: 'POST',
      url: `/api/v1/sites/${site}/media-folders`,
      payload: { name: 'Mine' },
    })
    expect(byAuthor.statusCode).toBe(403)

    const a = await uploadPng(author, { alt: 'a' })
    const b = await uploadPng(author, { alt: 'b' })
    const moved = await author.request({
      method: 'POST',
      url: mediaUrl('/bulk'),
      payload: { action: 'move', ids: [a, b], folderId: year.json().id },
    })
    expect(moved.statusCode, moved.body).toBe(200)
    const listed = await author.request({ method: 'GET', url: mediaUrl(`?folder=${year.json().id}`) })
    expect((listed.json().items as Array<{ id: string; folderId: string }>).map((i) => i.id).sort()).toEqual(
      [a, b].sort(),
    )
    const folders = await author.request({ method: 'GET', url: `/api/v1/sites/${site}/media-folders` })
    expect(folders.json().items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: year.json().id, parentId: photos.json().id, items: 2 }),
      ]),
    )
    const notEmpty = await admin.request({
      method: 'DELETE',
      url: `/api/v1/sites/${site}/media-folders/${year.json().id}`,
    })
    expect(notEmpty.statusCode).toBe(409)
    expect(errorOf(notEmpty)).toMatchObject({
      code: 'COLOPHON_MEDIA_FOLDER_NOT_EMPTY',
      details: { items: 2, folders: 0 },
    })

    // Another author's item in the batch: nothing moves.
    const theirs = await uploadPng(editor, { alt: 'theirs' })
    const mixed = await author.request({
      method: 'POST',
      url: mediaUrl('/bulk'),
      payload: { action: 'move', ids: [a, theirs], folderId: null },
    })
    expect(mixed.statusCode).toBe(403)
    expect((await author.request({ method: 'GET', url: mediaUrl(`/${a}`) })).json().folderId).toBe(
      year.json().id,
    )

    // A delete with one item in use or one unknown deletes none of them.
    await createEntry(author, { title: 'Uses b', featuredMediaId: b })
    const inUse = await author.request({
      method: 'POST',
      url: mediaUrl('/bulk'),
      payload: { action: 'delete', ids: [a, b] },
    })
    expect(inUse.statusCode).toBe(409)
    expect(errorOf(inUse).code).toBe('COLOPHON_MEDIA_IN_USE')
    const unknown = await author.request({
      method: 'POST',
      url: mediaUrl('/bulk'),
      payload: { action: 'delete', ids: [a, '00000000-0000-4000-8000-000000000000'] },
    })
    expect(unknown.statusCode).toBe(404)
    expect(await rowCount('media', 'id = ANY($1::uuid[])', [[a, b]])).toBe(2)
    const done = await editor.request({
      method: 'POST',
      url: mediaUrl('/bulk'),
      payload: { action: 'delete', ids: [a, b], force: true },
    })
    expect(done.statusCode, done.body).toBe(200)
    expect(done.json()).toMatchObject({ action: 'delete', entriesChanged: [expect.any(String)] })
    expect(await rowCount('media', 'id = ANY($1::uuid[])', [[a, b]])).toBe(0)
    const emptied = await admin.request({
      method: 'DELETE',
      url: `/api/v1/sites/${site}/media-folders/${year.json().id}`,
    })
    expect(emptied.statusCode).toBe(204)
  })
})

describe('alt text', () => {
  it('is required of every image an entry shows before it is published, unless decorative', async () => {
    const bare = await uploadPng(author)
    const id = await createEntry(author, { title: 'Unlabelled', featuredMediaId: bare })
    const refused = await setStatus(editor, id, 'published')
    expect(refused.statusCode).toBe(409)
    expect(errorOf(refused)).toMatchObject({
      code: 'COLOPHON_CONTENT_ALT_TEXT_MISSING',
      details: { media: [{ id: bare, via: ['featured'] }] },
    })
    // Scheduling is held to it too.
    const scheduled = await editor.request({
      method: 'POST',
      url: entriesUrl(`/${id}/status`),
      payload: { status: 'scheduled', publishAt: new Date(Date.now() + 86_400_000).toISOString() },
    })
    expect(errorOf(scheduled).code).toBe('COLOPHON_CONTENT_ALT_TEXT_MISSING')
    const decorative = await author.request({
      method: 'PATCH',
      url: mediaUrl(`/${bare}`),
      payload: { decorative: true },
    })
    expect(decorative.statusCode).toBe(200)
    expect((await setStatus(editor, id, 'published')).statusCode).toBe(200)

    // A body image may carry its own alt text instead of the library's.
    const plain = await uploadPng(author)
    const withOwnAlt = await createEntry(author, {
      title: 'Captioned',
      body: bodyWith(plain, 'A quay at dusk'),
    })
    expect((await setStatus(editor, withOwnAlt, 'published')).statusCode).toBe(200)
    const without = await createEntry(author, { title: 'Silent', body: bodyWith(plain, '') })
    expect(errorOf(await setStatus(editor, without, 'published')).code).toBe(
      'COLOPHON_CONTENT_ALT_TEXT_MISSING',
    )
  })
})
