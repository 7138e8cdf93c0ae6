import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { crc32 } from 'node:zlib'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSite } from '../../../../test/harness/factories.ts'
import {
  createUser,
  mainSiteId,
  signIn,
  signInAdmin,
  type Session,
} from '../../../../test/harness/identity.ts'
import { multipartBody, type FormPart } from '../../../../test/harness/multipart.ts'
import { createTestApp, errorOf, type TestApp } from '../../../../test/harness/test-app.ts'

/**
 * The media library through its API, on the local store: uploads decided by their bytes, every refusal
 * coded and leaving nothing behind (no row, no stored object, no spooled file), retries made safe by an
 * Idempotency-Key, the file served with ranges and ETags, capabilities, the site's bytes quota, and no
 * way from one site to another's files.
 */

let app: TestApp
let site: string
let admin: Session
let author: Session
let otherAuthor: Session
let editor: Session
let subscriber: Session
let png: Buffer
let jpeg: Buffer
const MAX_UPLOAD = 256 * 1024

type Part = FormPart

function upload(
  session: Session,
  parts: readonly Part[],
  options: { siteId?: string; headers?: Record<string, string> } = {},
) {
  const body = multipartBody(parts)
  return session.request({
    method: 'POST',
    url: `/api/v1/sites/${options.siteId ?? site}/media`,
    payload: body.payload,
    headers: { ...body.headers, ...options.headers },
  })
}

const file = (
  body: Buffer | string,
  filename = 'upload.bin',
  contentType = 'application/octet-stream',
): Part => ({
  name: 'file',
  filename,
  contentType,
  body,
})

/** What the site holds: rows, stored objects and spooled files, to prove a refusal left nothing. */
async function holdings(): Promise<{ rows: number; objects: string[]; spooled: string[] }> {
  const [row] = await app.db.engine.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM media WHERE site_id = $1',
    [site],
  )
  const list = async (dir: string): Promise<string[]> =>
    (await readdir(dir, { recursive: true }).catch(() => [] as string[])).map(String)
  return {
    rows: row?.n ?? -1,
    objects: (await list(path.join(app.dataDir, 'media', site))).filter((f) => f.includes('.')),
    spooled: await list(path.join(app.dataDir, 'tmp', 'uploads')),
  }
}

/** A PNG header (signature and IHDR with a correct CRC) claiming a size, with no pixels after it. */
function pngHeaderClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([8, 2, 0, 0, 0], 8)
  const type = Buffer.from('IHDR')
  const length = Buffer.alloc(4)
  length.writeUInt32BE(13)
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([type, ihdr])) >>> 0)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    length,
    type,
    ihdr,
    crc,
  ])
}

beforeAll(async () => {
  app = await createTestApp({ config: { mediaMaxUploadBytes: MAX_UPLOAD } })
  site = await mainSiteId(app)
  admin = await signInAdmin(app)
  author = await signIn(app, await createUser(app, { siteRole: 'author', name: 'Ann Author' }))
  otherAuthor = await signIn(app, await createUser(app, { siteRole: 'author' }))
  editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
  subscriber = await signIn(app, await createUser(app, { siteRole: 'subscriber' }))
  png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer()
  jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#cc6633' } })
    .jpeg()
    .toBuffer()
})
afterAll(() => app?.close())

describe('uploading', () => {
  it('stores a file whose type comes from its bytes, not its name or the client’s word', async () => {
    const res = await upload(author, [
      { name: 'alt', body: 'A blue box' },
      file(png, 'holiday.jpg', 'text/html'),
    ])
    expect(res.statusCode, res.body).toBe(201)
    const item = res.json()
    expect(item).toMatchObject({
      category: 'image',
      mimeType: 'image/png',
      filename: 'holiday.jpg',
      title: 'holiday',
      alt: 'A blue box',
      width: 40,
      height: 30,
      sizeBytes: png.length,
      decorative: false,
      focalPoint: null,
    })
    const read = await author.request({ method: 'GET', url: item.fileUrl })
    expect(read.statusCode).toBe(200)
    expect(read.rawPayload.equals(png)).toBe(true)
    expect(read.headers['content-type']).toBe('image/png')
    expect(read.headers.etag).toBe(`"${item.sha256}"`)
    expect(read.headers['x-content-type-options']).toBe('nosniff')
    const { objects, spooled } = await holdings()
    expect(objects.some((o) => o.startsWith(`originals${path.sep}${item.id}`))).toBe(true)
    expect(spooled).toEqual([])
  })

  it('makes a retried upload safe with an Idempotency-Key', async () => {
    const before = await holdings()
    const headers = { 'idempotency-key': 'retry-me-0001' }
    const first = await upload(author, [file(jpeg, 'a.jpg')], { headers })
    expect(first.statusCode, first.body).toBe(201)
    const again = await upload(author, [file(jpeg, 'a.jpg')], { headers })
    expect(again.statusCode).toBe(200)
    expect(again.json().id).toBe(first.json().id)
    expect((await holdings()).rows).toBe(before.rows + 1)
    const bad = await upload(author, [file(jpeg)], { headers: { 'idempotency-key': 'no spaces allowed' } })
    expect(errorOf(bad).code).toBe('COLOPHON_MEDIA_IDEMPOTENCY_KEY_INVALID')
  })

  const polyglot = () => Buffer.concat([jpeg, Buffer.from('<script>alert(1)</script>')])
  const refusals: [string, () => Part[], number, string][] = [
    [
      'a zero-byte file',
      () => [file(Buffer.alloc(0), 'empty.png', 'image/png')],
      422,
      'COLOPHON_MEDIA_FILE_EMPTY',
    ],
    [
      'an HTML page',
      () => [file('<!doctype html><html><body>hi</body></html>', 'page.png', 'image/png')],
      415,
      'COLOPHON_MEDIA_TYPE_FORBIDDEN',
    ],
    [
      'an executable',
      () => [
        file(Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120)]), 'x.pdf'),
      ],
      415,
      'COLOPHON_MEDIA_TYPE_FORBIDDEN',
    ],
    [
      'a polyglot (an image with a script after it)',
      () => [file(polyglot(), 'cat.jpg', 'image/jpeg')],
      422,
      'COLOPHON_MEDIA_POLYGLOT',
    ],
    [
      'a truncated image',
      () => [file(jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'half.jpg')],
      422,
      'COLOPHON_MEDIA_IMAGE_INVALID',
    ],
    [
      'an image claiming 60,000 × 60,000 pixels',
      () => [file(pngHeaderClaiming(60_000, 60_000), 'bomb.png')],
      413,
      'COLOPHON_MEDIA_IMAGE_TOO_LARGE',
    ],
    [
      'a file past the upload limit',
      () => [file(Buffer.alloc(MAX_UPLOAD + 10, 1), 'big.bin')],
      413,
      'COLOPHON_MEDIA_FILE_TOO_LARGE',
    ],
    ['two files', () => [file(png, 'one.png'), file(png, 'two.png')], 400, 'COLOPHON_MEDIA_TOO_MANY_FILES'],
    ['no file', () => [{ name: 'title', body: 'Nothing' }], 400, 'COLOPHON_MEDIA_FILE_MISSING'],
    [
      'a file under another name',
      () => [{ ...file(png), name: 'upload' }],
      400,
      'COLOPHON_MEDIA_FILE_MISSING',
    ],
    [
      'a title past its limit',
      () => [{ name: 'title', body: 't'.repeat(501) }, file(png)],
      400,
      'COLOPHON_MEDIA_FIELD_INVALID',
    ],
    [
      'alt text holding NUL',
      () => [{ name: 'alt', body: 'a\u0000b' }, file(png)],
      400,
      'COLOPHON_MEDIA_FIELD_INVALID',
    ],
    [
      'a huge field name',
      () => [{ name: 'x'.repeat(5000), body: 'v' }, file(png)],
      400,
      'COLOPHON_MEDIA_UPLOAD_MALFORMED',
    ],
    [
      'many parts',
      () => [...Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, body: 'v' })), file(png)],
      400,
      'COLOPHON_MEDIA_UPLOAD_MALFORMED',
    ],
  ]
  it.each(refusals)(
    'refuses %s with a coded error, leaving nothing behind',
    async (_name, parts, status, code) => {
      const before = await holdings()
      const res = await upload(author, parts())
      expect(res.statusCode, res.body).toBe(status)
      expect(errorOf(res).code).toBe(code)
      expect(await holdings()).toEqual(before)
    },
  )

  it('refuses a body that is not multipart', async () => {
    const res = await author.request({
      method: 'POST',
      url: `/api/v1/sites/${site}/media`,
      payload: { file: 'x' },
    })
    expect(res.statusCode).toBe(400)
    expect(errorOf(res).code).toBe('COLOPHON_MEDIA_FILE_MISSING')
  })
})

describe('the bytes quota', () => {
  it('stops an upload that outgrows the site’s media space, half-way, leaving nothing', async () => {
    const small = await createSite(app, { slug: 'tiny-media', name: 'Tiny' })
    const quota = await admin.request({
      method: 'PATCH',
      url: `/api/v1/sites/${small}/quotas`,
      payload: { mediaBytesQuota: png.length + 100 },
    })
    expect(quota.statusCode, quota.body).toBe(200)
    expect(quota.json().mediaBytesQuota).toEqual({ limit: png.length + 100, isDefault: false })
    expect((await upload(admin, [file(png, 'fits.png')], { siteId: small })).statusCode).toBe(201)
    const over = await upload(admin, [file(jpeg, 'over.jpg')], { siteId: small })
    expect(over.statusCode).toBe(413)
    expect(errorOf(over).code).toBe('COLOPHON_SITES_QUOTA_MEDIA_BYTES')
    const [row] = await app.db.engine.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM media WHERE site_id = $1',
      [small],
    )
    expect(row?.n).toBe(1)
    const stored = await readdir(path.join(app.dataDir, 'media', small), { recursive: true })
    expect(stored.map(String).filter((f) => f.includes('.'))).toHaveLength(1)
  })
})

describe('uploads finishing together', () => {
  it('are counted one after the other against the quota: the one that no longer fits leaves nothing', async () => {
    const racing = await createSite(app, { slug: 'racing-media', name: 'Racing' })
    await admin.request({
      method: 'PATCH',
      url: `/api/v1/sites/${racing}/quotas`,
      payload: { mediaBytesQuota: Math.floor(png.length * 1.5) },
    })
    // Each fits in the room left before either is recorded; only one fits once the other is.
    const results = await Promise.all([
      upload(admin, [file(png, 'left.png')], { siteId: racing }),
      upload(admin, [file(png, 'right.png')], { siteId: racing }),
    ])
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 413])
    const [row] = await app.db.engine.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM media WHERE site_id = $1',
      [racing],
    )
    expect(row?.n).toBe(1)
    const stored = await readdir(path.join(app.dataDir, 'media', racing), { recursive: true })
    expect(stored.map(String).filter((f) => f.includes('.'))).toHaveLength(1)
  })
})

describe('image work', () => {
  it('makes a cleaned original, variants and a placeholder in a job, never upscaling', async () => {
    // 1000 × 700 pixels turned by EXIF orientation 6: readers see it 700 wide and 1000 high.
    const photo = await sharp({ create: { width: 1000, height: 700, channels: 3, background: '#3a7d44' } })
      .jpeg()
      .withExif({
        IFD0: { Make: 'Acme' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: '51/1 30/1 0/1',
          GPSLongitudeRef: 'W',
          GPSLongitude: '0/1 7/1 0/1',
        },
      })
      .withMetadata({ orientation: 6 })
      .toBuffer()
    expect((await sharp(photo).metadata()).orientation).toBe(6)
    const res = await upload(author, [file(photo, 'walk.jpg')])
    expect(res.statusCode, res.body).toBe(201)
    const item = res.json()
    expect(item).toMatchObject({
      processing: 'pending',
      variants: [],
      placeholder: null,
      width: 700,
      height: 1000,
    })
    // The original is usable at once.
    expect((await author.request({ method: 'GET', url: item.fileUrl })).statusCode).toBe(200)

    await app.jobs.drain(['media.process'])
    const done = (
      await author.request({ method: 'GET', url: `/api/v1/sites/${site}/media/${item.id}` })
    ).json()
    expect(done.processing).toBe('ready')
    expect(done.placeholder).toMatchObject({ dominantColor: expect.stringMatching(/^#[0-9a-f]{6}$/) })
    type V = { width: number; format: string; crop: string; url: string }
    const names = (crop: string) =>
      (done.variants as V[]).filter((v) => v.crop === crop).map((v) => `${v.width}.${v.format}`)
    expect(names('none')).toEqual(['320.avif', '320.jpeg', '320.webp', '640.avif', '640.jpeg', '640.webp'])
    // Square crops for thumbnails: WebP and the original's format, named after their focal point.
    expect(names('square')).toEqual(['320.jpeg', '320.webp', '640.jpeg', '640.webp'])
    expect((done.variants as V[]).find((v) => v.crop === 'square')?.url).toMatch(
      new RegExp(`^/media/${item.id}/v/square-320-f5000x5000\\.(jpg|webp)$`),
    )
    const clean = await author.request({ method: 'GET', url: `${item.fileUrl}?variant=clean` })
    expect(clean.statusCode).toBe(200)
    const cleanMeta = await sharp(clean.rawPayload).metadata()
    expect(cleanMeta).toMatchObject({ format: 'jpeg', width: 700, height: 1000 })
    expect(cleanMeta.exif).toBeUndefined()
    expect(cleanMeta.orientation).toBeUndefined()
    const small = await author.request({ method: 'GET', url: `${item.fileUrl}?variant=320.webp` })
    expect(small.headers['content-type']).toBe('image/webp')
    expect(await sharp(small.rawPayload).metadata()).toMatchObject({ format: 'webp', width: 320 })
    expect((await sharp(small.rawPayload).metadata()).exif).toBeUndefined()
    expect(
      (await author.request({ method: 'GET', url: `${item.fileUrl}?variant=1280.webp` })).statusCode,
    ).toBe(404)

    // Deleting the item takes every object it had.
    expect(
      (await author.request({ method: 'DELETE', url: `/api/v1/sites/${site}/media/${item.id}` })).statusCode,
    ).toBe(204)
    const { objects } = await holdings()
    expect(objects.filter((o) => o.includes(item.id))).toEqual([])
  })

  it('needs none for other files', async () => {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')
    const res = await upload(author, [file(pdf, 'notes.pdf')])
    expect(res.json()).toMatchObject({ processing: 'none', variants: [], placeholder: null })
  })
})

describe('reading the file', () => {
  let fileUrl: string
  beforeAll(async () => {
    fileUrl = (await upload(author, [file(jpeg, 'ranged.jpg')])).json().fileUrl
  })

  it('answers byte ranges, and 416 past the end', async () => {
    const part = await author.request({ method: 'GET', url: fileUrl, headers: { range: 'bytes=0-9' } })
    expect(part.statusCode).toBe(206)
    expect(part.headers['content-range']).toBe(`bytes 0-9/${jpeg.length}`)
    expect(part.rawPayload.equals(jpeg.subarray(0, 10))).toBe(true)
    const tail = await author.request({ method: 'GET', url: fileUrl, headers: { range: 'bytes=-5' } })
    expect(tail.rawPayload.equals(jpeg.subarray(jpeg.length - 5))).toBe(true)
    const past = await author.request({
      method: 'GET',
      url: fileUrl,
      headers: { range: `bytes=${jpeg.length}-` },
    })
    expect(past.statusCode).toBe(416)
    expect(past.headers['content-range']).toBe(`bytes */${jpeg.length}`)
  })

  it('answers 304 to its ETag', async () => {
    const first = await author.request({ method: 'GET', url: fileUrl })
    const again = await author.request({
      method: 'GET',
      url: fileUrl,
      headers: { 'if-none-match': String(first.headers.etag) },
    })
    expect(again.statusCode).toBe(304)
  })

  it('sends documents as attachments', async () => {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')
    const res = await upload(author, [file(pdf, 'report.pdf', 'application/pdf')])
    expect(res.statusCode, res.body).toBe(201)
    const read = await author.request({ method: 'GET', url: res.json().fileUrl })
    expect(read.headers['content-disposition']).toBe("attachment; filename*=UTF-8''report.pdf")
    expect(read.headers['content-security-policy']).toContain('sandbox')
  })
})

describe('the library', () => {
  let mine: string
  beforeAll(async () => {
    mine = (
      await upload(author, [{ name: 'title', body: 'Harbour at dawn' }, file(png, 'harbour.png')])
    ).json().id
  })

  it('lists newest first, filtered by category, uploader and text', async () => {
    const all = await author.request({ method: 'GET', url: `/api/v1/sites/${site}/media?limit=2` })
    expect(all.statusCode).toBe(200)
    expect(all.json().items).toHaveLength(2)
    expect(all.json().nextCursor).not.toBeNull()
    const found = await author.request({ method: 'GET', url: `/api/v1/sites/${site}/media?search=harbour` })
    expect(found.json().items.map((i: { id: string }) => i.id)).toEqual([mine])
    const pdfs = await author.request({ method: 'GET', url: `/api/v1/sites/${site}/media?category=pdf` })
    expect(pdfs.json().items.every((i: { category: string }) => i.category === 'pdf')).toBe(true)
  })

  it('lets the uploader describe their file, and refuses others without the capability', async () => {
    const url = `/api/v1/sites/${site}/media/${mine}`
    const edited = await author.request({
      method: 'PATCH',
      url,
      payload: { alt: 'Boats in a harbour at dawn', focalPoint: { x: 0.25, y: 0.75 }, credit: 'Ann' },
    })
    expect(edited.statusCode, edited.body).toBe(200)
    expect(edited.json()).toMatchObject({
      alt: 'Boats in a harbour at dawn',
      focalPoint: { x: 0.25, y: 0.75 },
    })
    const bad = await author.request({ method: 'PATCH', url, payload: { focalPoint: { x: 2, y: 0 } } })
    expect(bad.statusCode).toBe(400)
    const other = await otherAuthor.request({ method: 'PATCH', url, payload: { alt: 'Mine now' } })
    expect(other.statusCode).toBe(403)
    expect((await otherAuthor.request({ method: 'DELETE', url })).statusCode).toBe(403)
    expect((await subscriber.request({ method: 'GET', url })).statusCode).toBe(403)
    expect((await upload(subscriber, [file(png)])).statusCode).toBe(403)
  })

  it('deletes the item and its stored file', async () => {
    const id = (await upload(otherAuthor, [file(png, 'gone.png')])).json().id
    expect(
      (await editor.request({ method: 'DELETE', url: `/api/v1/sites/${site}/media/${id}` })).statusCode,
    ).toBe(204)
    expect(
      (await editor.request({ method: 'GET', url: `/api/v1/sites/${site}/media/${id}` })).statusCode,
    ).toBe(404)
    const { objects } = await holdings()
    expect(objects.some((o) => o.includes(id))).toBe(false)
  })
})

describe('references from entries', () => {
  it('take media items of the entry’s own site only: featured image, media fields, images in the body', async () => {
    const own = (await upload(author, [file(png, 'cover.png')])).json().id
    const other = await createSite(app, { slug: 'ref-other', name: 'Ref other' })
    const foreign = (await upload(admin, [file(png, 'theirs.png')], { siteId: other })).json().id
    const entries = `/api/v1/sites/${site}/entries`
    const featured = await author.request({
      method: 'POST',
      url: entries,
      payload: { type: 'post', title: 'With a cover', featuredMediaId: own },
    })
    expect(featured.statusCode, featured.body).toBe(201)
    expect(featured.json().featuredMediaId).toBe(own)
    for (const id of [foreign, '00000000-0000-4000-8000-000000000000']) {
      const refused = await author.request({
        method: 'POST',
        url: entries,
        payload: { type: 'post', title: 'Borrowed cover', featuredMediaId: id },
      })
      expect(refused.statusCode).toBe(400)
      expect(errorOf(refused)).toMatchObject({
        code: 'COLOPHON_CONTENT_FIELDS_INVALID',
        details: { fields: { featuredMediaId: { code: 'reference' } } },
      })
    }
    const type = await admin.request({
      method: 'POST',
      url: `/api/v1/sites/${site}/types`,
      payload: { key: 'gallery', name: 'Gallery', fields: [{ key: 'cover', label: 'Cover', type: 'media' }] },
    })
    expect(type.statusCode, type.body).toBe(201)
    const withField = await admin.request({
      method: 'POST',
      url: entries,
      payload: { type: 'gallery', title: 'Harbour', fields: { cover: own } },
    })
    expect(withField.statusCode, withField.body).toBe(201)
    const badField = await admin.request({
      method: 'POST',
      url: entries,
      payload: { type: 'gallery', title: 'Elsewhere', fields: { cover: foreign } },
    })
    expect(badField.statusCode).toBe(400)
    expect(errorOf(badField).details).toMatchObject({ fields: { cover: { code: 'reference' } } })

    const image = (mediaId: unknown) => ({
      type: 'doc',
      content: [{ type: 'image', attrs: { src: '/media/x.png', alt: 'A box', mediaId } }],
    })
    const inBody = await author.request({
      method: 'POST',
      url: entries,
      payload: { type: 'post', title: 'Pictured', body: image(own) },
    })
    expect(inBody.statusCode, inBody.body).toBe(201)
    for (const [mediaId, code] of [
      [foreign, 'reference'],
      ['not-an-id', 'rich_text'],
    ]) {
      const refused = await author.request({
        method: 'POST',
        url: entries,
        payload: { type: 'post', title: 'Pictured elsewhere', body: image(mediaId) },
      })
      expect(refused.statusCode).toBe(400)
      expect(errorOf(refused).details).toMatchObject({ fields: { body: { code } } })
    }
  })
})

describe('sites', () => {
  it('never reach each other’s files', async () => {
    const other = await createSite(app, { slug: 'other-media', name: 'Other' })
    const theirs = (await upload(admin, [file(png, 'theirs.png')], { siteId: other })).json()
    expect(theirs.fileUrl).toContain(other)
    for (const url of [
      `/api/v1/sites/${site}/media/${theirs.id}`,
      `/api/v1/sites/${site}/media/${theirs.id}/file`,
    ]) {
      const res = await admin.request({ method: 'GET', url })
      expect(res.statusCode, url).toBe(404)
      expect(errorOf(res).code).toBe('COLOPHON_MEDIA_NOT_FOUND')
    }
    const listed = await admin.request({ method: 'GET', url: `/api/v1/sites/${site}/media?limit=100` })
    expect(listed.json().items.some((i: { id: string }) => i.id === theirs.id)).toBe(false)
  })
})
