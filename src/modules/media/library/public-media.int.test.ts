import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDomain, createSite } from '../../../../test/harness/factories.ts'
import {
  createUser,
  mainSiteId,
  signIn,
  signInAdmin,
  type Session,
} from '../../../../test/harness/identity.ts'
import { multipartBody } from '../../../../test/harness/multipart.ts'
import { createTestApp, errorOf, queryCount, type TestApp } from '../../../../test/harness/test-app.ts'
import { asSystem } from '../../../platform/access/index.ts'
import { createSecretBox } from '../../../platform/security/index.ts'
import { createLocalStore, createS3Store, type ObjectStore } from '../../../platform/storage/index.ts'
import {
  s3rverStoreOptions,
  startS3rver,
  type RunningS3rver,
} from '../../../platform/storage/s3rver.fixture.ts'
import { cleanupOrphanObjects } from './media.cleanup.ts'
import { signPath } from './media.urls.ts'

/**
 * Media for readers on the site's own host: what a published public entry shows is public (the file,
 * cleaned, and its variants cached for good), anything else needs a signed link valid for this site,
 * path and a few minutes; byte ranges, ETags, never another site's file on a host. Then the reading API's
 * `include=media` (within its statement budget), the themes' `image` filter on pages, and the sweep of
 * orphaned objects. All of it on both storage providers: local disk and an S3-compatible server (s3rver,
 * on loopback).
 */

const OTHER_HOST = 'pictures-other.localhost'
const box = createSecretBox({ current: randomBytes(32) })
const silent = { info() {}, warn() {}, error() {}, debug() {} }

describe.each(['local', 's3'] as const)('on %s storage', (provider) => {
  let app: TestApp
  let store: ObjectStore
  let s3: RunningS3rver | undefined
  let s3dir = ''
  let site: string
  let other: string
  let admin: Session
  let editor: Session
  let photo: Buffer

  type Reply = Awaited<ReturnType<TestApp['server']['inject']>>
  const get = (url: string, headers: Record<string, string> = {}, host = 'localhost'): Promise<Reply> =>
    app.server.inject({ method: 'GET', url, headers: { host, ...headers } })

  interface Item {
    id: string
    url: string
    fileUrl: string
    variants: Array<{ url: string; width: number; format: string; crop: string }>
  }

  async function upload(
    session: Session,
    siteId: string,
    body: Buffer,
    name: string,
    alt = 'A picture',
  ): Promise<Item> {
    const form = multipartBody([
      { name: 'alt', body: alt },
      { name: 'file', filename: name, contentType: 'application/octet-stream', body },
    ])
    const res = await session.request({
      method: 'POST',
      url: `/api/v1/sites/${siteId}/media`,
      payload: form.payload,
      headers: form.headers,
    })
    expect(res.statusCode, res.body).toBe(201)
    return res.json() as Item
  }

  async function itemOf(siteId: string, id: string): Promise<Item> {
    return (await admin.request({ method: 'GET', url: `/api/v1/sites/${siteId}/media/${id}` })).json() as Item
  }

  async function publishWith(siteId: string, payload: Record<string, unknown>): Promise<string> {
    const created = await admin.request({
      method: 'POST',
      url: `/api/v1/sites/${siteId}/entries`,
      payload: { type: 'post', ...payload },
    })
    expect(created.statusCode, created.body).toBe(201)
    const id = created.json().id as string
    const published = await admin.request({
      method: 'POST',
      url: `/api/v1/sites/${siteId}/entries/${id}/status`,
      payload: { status: 'published' },
    })
    expect(published.statusCode, published.body).toBe(200)
    return id
  }

  beforeAll(async () => {
    if (provider === 's3') {
      s3dir = await mkdtemp(path.join(tmpdir(), 'colophon-s3-media-'))
      s3 = await startS3rver(s3dir)
    }
    const options = s3 ? s3rverStoreOptions(s3.port, s3dir) : undefined
    app = await createTestApp({
      deps: { keyring: { box, source: 'configured' } },
      config: options
        ? {
            mediaStorage: 's3',
            s3Endpoint: options.endpoint,
            s3Bucket: options.bucket,
            s3Region: options.region,
            s3ForcePathStyle: true,
            s3AccessKeyId: options.credentials?.accessKeyId,
            s3SecretAccessKey: options.credentials?.secretAccessKey,
          }
        : {},
    })
    store = options
      ? createS3Store({ ...options, tmpDir: s3dir })
      : createLocalStore({ root: path.join(app.dataDir, 'media') })
    site = await mainSiteId(app)
    other = await createSite(app, { slug: 'pictures-other' })
    await addDomain(app, { siteId: other, host: OTHER_HOST, primary: true })
    admin = await signInAdmin(app)
    editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
    // A photo with GPS and an orientation: readers must get neither.
    photo = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#aa5533' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'Colophon' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
      .withMetadata({ orientation: 6 })
      .toBuffer()
  })
  afterAll(async () => {
    await store?.close()
    await app?.close()
    await s3?.stop()
    if (s3dir) await rm(s3dir, { recursive: true, force: true })
  })

  describe('published media', () => {
    it('are public: the cleaned file and its variants, cacheable, with ranges and ETags', async () => {
      const item = await upload(editor, site, photo, 'quay.jpg')
      // Not shown by any published entry: readers do not find it, signed or not by someone else.
      expect((await get(item.url)).statusCode).toBe(404)
      await publishWith(site, { title: 'The quay', featuredMediaId: item.id })
      // Shown now, but the image is not yet cleaned: readers wait rather than get the camera's metadata.
      const early = await get(item.url)
      expect(early.statusCode).toBe(503)
      expect(errorOf(early).code).toBe('COLOPHON_MEDIA_NOT_READY')
      await app.jobs.drain(['media.process'])
      const ready = await itemOf(site, item.id)

      const file = await get(ready.url)
      expect(file.statusCode, file.body).toBe(200)
      expect(file.headers).toMatchObject({
        'content-type': 'image/jpeg',
        'cache-control': 'public, max-age=3600',
        'x-content-type-options': 'nosniff',
        'accept-ranges': 'bytes',
      })
      const meta = await sharp(file.rawPayload).metadata()
      expect(meta).toMatchObject({ width: 600, height: 900 }) // orientation applied
      expect(meta.exif).toBeUndefined()
      expect(meta.orientation).toBeUndefined()

      const variant = ready.variants.find((v) => v.crop === 'none' && v.format === 'webp' && v.width === 320)
      expect(variant).toBeDefined()
      const v = await get(variant?.url ?? '')
      expect(v.statusCode).toBe(200)
      expect(v.headers).toMatchObject({
        'content-type': 'image/webp',
        'cache-control': 'public, max-age=31536000, immutable',
      })
      expect(await sharp(v.rawPayload).metadata()).toMatchObject({ format: 'webp', width: 320 })
      const notModified = await get(variant?.url ?? '', { 'if-none-match': String(v.headers.etag) })
      expect(notModified.statusCode).toBe(304)
      const part = await get(variant?.url ?? '', { range: 'bytes=0-9' })
      expect(part.statusCode).toBe(206)
      expect(part.headers['content-range']).toBe(`bytes 0-9/${v.rawPayload.length}`)
      expect(part.rawPayload).toEqual(v.rawPayload.subarray(0, 10))
      expect((await get(variant?.url ?? '', { range: 'bytes=999999999-' })).statusCode).toBe(416)
      // A square crop, around the focal point.
      const square = ready.variants.find((s) => s.crop === 'square' && s.width === 320 && s.format === 'webp')
      expect(await sharp((await get(square?.url ?? '')).rawPayload).metadata()).toMatchObject({
        width: 320,
        height: 320,
      })
      // Names that are not the item's file or one of its variants are not found.
      for (const url of [
        `/media/${item.id}/other.jpg`,
        `/media/${item.id}/v/9999.webp`,
        `/media/${item.id}/v/../x`,
      ])
        expect((await get(url)).statusCode).toBe(404)
    })

    it('of one site are never served on another site’s host', async () => {
      const theirs = await upload(admin, other, photo, 'theirs.jpg')
      await publishWith(other, { title: 'Theirs', featuredMediaId: theirs.id })
      await app.jobs.drain(['media.process'])
      const ready = await itemOf(other, theirs.id)
      expect((await get(ready.url, {}, OTHER_HOST)).statusCode).toBe(200)
      expect((await get(ready.url)).statusCode).toBe(404)
      expect((await get(ready.variants[0]?.url ?? '')).statusCode).toBe(404)
      // The API refuses it under the wrong site too.
      expect(
        (await admin.request({ method: 'GET', url: `/api/v1/sites/${site}/media/${theirs.id}` })).statusCode,
      ).toBe(404)
    })
  })

  describe('focal point and deletion', () => {
    it('crops around the focal point, and a forced delete removes every stored object', async () => {
      // Left third red, the rest blue: a square crop around a point on the left is red in its middle.
      const left = await sharp({ create: { width: 300, height: 600, channels: 3, background: '#ff0000' } })
        .png()
        .toBuffer()
      const banner = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#0000ff' } })
        .composite([{ input: left, left: 0, top: 0 }])
        .png()
        .toBuffer()
      const item = await upload(editor, site, banner, 'banner.png')
      const moved = await editor.request({
        method: 'PATCH',
        url: `/api/v1/sites/${site}/media/${item.id}`,
        payload: { focalPoint: { x: 0.1, y: 0.5 } },
      })
      expect(moved.statusCode, moved.body).toBe(200)
      await app.jobs.drain(['media.process'])
      const ready = await itemOf(site, item.id)
      const square = ready.variants.find((v) => v.crop === 'square' && v.width === 320 && v.format === 'png')
      expect(square?.url).toMatch(/\/v\/square-320-f1000x5000\.png$/)
      const crop = await admin.request({
        method: 'GET',
        url: `${ready.fileUrl}?variant=${square?.url.split('/').pop() ?? ''}`,
      })
      const { data, info } = await sharp(crop.rawPayload).raw().toBuffer({ resolveWithObject: true })
      const middle = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 4)) * info.channels
      expect([data[middle], data[middle + 2]]).toEqual([255, 0])

      await publishWith(site, { title: 'Banner', featuredMediaId: item.id })
      const keysOf = async () => {
        const keys: string[] = []
        for await (const o of store.list(`${site}/`)) if (o.key.includes(item.id)) keys.push(o.key)
        return keys
      }
      expect((await keysOf()).length).toBeGreaterThan(5)
      const refused = await editor.request({
        method: 'DELETE',
        url: `/api/v1/sites/${site}/media/${item.id}`,
      })
      expect(errorOf(refused).code).toBe('COLOPHON_MEDIA_IN_USE')
      expect((await get(ready.url)).statusCode).toBe(200)
      const forced = await editor.request({
        method: 'DELETE',
        url: `/api/v1/sites/${site}/media/${item.id}?force=true`,
      })
      expect(forced.statusCode, forced.body).toBe(204)
      expect(await keysOf()).toEqual([])
      expect((await get(ready.url)).statusCode).toBe(404)
    })
  })

  describe('signed links', () => {
    it('serve unpublished media until they expire, on their own site only', async () => {
      const item = await upload(editor, site, photo, 'draft.jpg')
      await app.jobs.drain(['media.process'])
      const ready = await itemOf(site, item.id)
      // A draft that shows it: the editors' reading API gives signed links.
      const created = await editor.request({
        method: 'POST',
        url: `/api/v1/sites/${site}/entries`,
        payload: { type: 'post', title: 'Not yet', featuredMediaId: item.id },
      })
      const read = await editor.request({
        method: 'GET',
        url: `/api/v1/sites/${site}/entries/${created.json().id}?include=media`,
      })
      expect(read.statusCode, read.body).toBe(200)
      const [media] = read.json().media as Array<{
        url: string
        variants: Array<{ url: string }>
        via: string[]
      }>
      expect(media?.via).toEqual(['featured'])
      expect(media?.url).toMatch(
        new RegExp(`^/media/${item.id}/draft\\.jpg\\?expires=\\d+&signature=[\\w-]{22}$`),
      )
      const signed = await get(media?.url ?? '')
      expect(signed.statusCode).toBe(200)
      expect(signed.headers['cache-control']).toMatch(/^private, max-age=\d+$/)
      expect((await get(media?.variants[0]?.url ?? '')).statusCode).toBe(200)
      expect((await get(ready.url)).statusCode).toBe(404)

      const now = Math.floor(Date.now() / 1000)
      const expired = await get(signPath(box, site, ready.url, now - 1))
      expect(expired.statusCode).toBe(403)
      expect(errorOf(expired).code).toBe('COLOPHON_MEDIA_URL_EXPIRED')
      const tampered = (media?.url ?? '').replace(
        /expires=(\d+)/,
        (_, n: string) => `expires=${Number(n) + 60}`,
      )
      expect(errorOf(await get(tampered)).code).toBe('COLOPHON_MEDIA_URL_INVALID')
      // A link of this site taken to another site's host does not open anything there.
      expect((await get(media?.url ?? '', {}, OTHER_HOST)).statusCode).toBe(403)
      const forOther = signPath(box, other, ready.url, now + 300)
      expect((await get(forOther)).statusCode).toBe(403)
      expect((await get(forOther, {}, OTHER_HOST)).statusCode).toBe(404)
    })
  })

  const figureOf = (html: string): string =>
    html.slice(html.indexOf('<figure'), html.indexOf('</figure>') + 9)

  describe('include=media and the image filter', () => {
    it('give URLs within the statement budget, and pages write responsive pictures', async () => {
      const item = await upload(editor, site, photo, 'harbour.jpg', 'Boats in the harbour')
      await app.jobs.drain(['media.process'])
      const id = await publishWith(site, {
        title: 'Harbour light',
        slug: 'harbour-light',
        featuredMediaId: item.id,
      })
      const read = await app.server.inject({
        method: 'GET',
        url: `/api/v1/sites/${site}/entries/${id}?include=media,author,terms`,
      })
      expect(read.statusCode, read.body).toBe(200)
      expect(queryCount(read)).toBeLessThanOrEqual(3)
      const [media] = read.json().media as Array<{
        url: string
        alt: string
        width: number
        variants: unknown[]
      }>
      expect(media).toMatchObject({
        url: `/media/${item.id}/harbour.jpg`,
        alt: 'Boats in the harbour',
        width: 600,
      })
      expect(media?.variants.length).toBeGreaterThan(4)
      const list = await app.server.inject({
        method: 'GET',
        url: `/api/v1/sites/${site}/entries?include=media&limit=50`,
      })
      expect(queryCount(list)).toBeLessThanOrEqual(3)

      const page = await get(
        `/${new Date().getUTCFullYear()}/${String(new Date().getUTCMonth() + 1).padStart(2, '0')}/harbour-light`,
      )
      const html =
        page.statusCode === 200 ? page.body : (await get(String(page.headers.location ?? '/'))).body
      expect(html, figureOf(html)).toContain('<picture>')
      expect(html, figureOf(html)).toMatch(
        /<source type="image\/avif" srcset="\/media\/[^"]+\/v\/320\.avif 320w" sizes="/,
      )
      expect(html).toMatch(
        /<img src="\/media\/[^"]+\/harbour\.jpg" srcset="[^"]+\/v\/320\.jpg 320w, \/media\/[^"]+\/harbour\.jpg 600w" sizes="[^"]+" width="600" height="900" alt="Boats in the harbour" loading="eager"/,
      )
      // Listings show square thumbnails, lazily.
      const front = await get('/')
      expect(front.body).toMatch(
        /<img src="\/media\/[^"]+\/v\/square-320-f5000x5000\.jpg"[^>]* width="320" height="320" alt="" loading="lazy"/,
      )
    })
  })

  describe('the cleanup job', () => {
    it('removes old objects no row names, and nothing else', async () => {
      const item = await upload(editor, site, photo, 'kept.jpg')
      await app.jobs.drain(['media.process'])
      const orphanKey = (name: string) => `${site}/variants/00000000-0000-4000-8000-00000000dead/${name}`
      const put = (key: string) =>
        store.put(key, Readable.from([Buffer.from('left behind')]), { contentType: 'image/webp' })
      await put(orphanKey('320.webp'))
      // Stores keep times to the second: the fresh one comes well after.
      await sleep(3000)
      await put(orphanKey('640.webp'))
      const ctx = asSystem({ orm: app.db.engine.orm, reason: 'test media cleanup', log: silent })
      const report = await cleanupOrphanObjects(ctx, store, { now: new Date(), graceMs: 1500 })
      expect(report.deleted).toBe(1)
      const keys: string[] = []
      for await (const o of store.list(`${site}/`)) keys.push(o.key)
      expect(keys).not.toContain(orphanKey('320.webp'))
      expect(keys).toContain(orphanKey('640.webp'))
      // Everything a row names stays, however old.
      expect(keys).toContain(`${site}/originals/${item.id}.jpg`)
      const ready = await itemOf(site, item.id)
      expect(ready.variants.length).toBeGreaterThan(0)
      expect((await get(ready.url)).statusCode).toBe(404) // not public, but its objects are all there
      expect(
        (
          await admin.request({
            method: 'GET',
            url: ready.variants[0]?.url
              ? `${ready.fileUrl}?variant=${ready.variants[0].url.split('/').pop()}`
              : '',
          })
        ).statusCode,
      ).toBe(200)
    })
  })
})
