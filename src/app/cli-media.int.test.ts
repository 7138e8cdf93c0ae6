import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable, Writable } from 'node:stream'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSite } from '../../test/harness/factories.ts'
import { mainSiteId, signInAdmin, type Session } from '../../test/harness/identity.ts'
import { multipartBody } from '../../test/harness/multipart.ts'
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts'
import { createTestDatabase } from '../../test/harness/test-db.ts'
import { configFor, type Config } from '../platform/config/index.ts'
import type { ObjectStore } from '../platform/storage/index.ts'
import { S3RVER_BUCKET, startS3rver, type RunningS3rver } from '../platform/storage/s3rver.fixture.ts'
import { runCli } from './cli-run.ts'
import { createMediaCommand, formatBytes, moveSiteMedia, progressPrinter } from './cli-media.ts'
import { createConfiguredLocalStore, createConfiguredS3Store } from './media-store.ts'

/**
 * `colophon media move`: a site's media objects go from the local disk to an S3 bucket (s3rver on
 * loopback) and back, the site's provider is switched, and the API serves the same bytes afterwards. The
 * running app remembers each site's provider for 30 s, and the test app does not hand out its store to
 * be told to forget: the bytes are read through the app restarted on the same database and data
 * directory, as a node started after the move would serve them. Refusals are coded, and a move stopped
 * half-way finishes when run again.
 */

let server: RunningS3rver
let app: TestApp
let config: Config
let local: ObjectStore
let s3: ObjectStore
let site: string
let items: { fileUrl: string; original: Buffer; clean: Buffer }[]
const made: string[] = []
let s3Settings: Record<string, unknown>

/** A stream that keeps what is written to it. */
function recorder(): Writable & { text: () => string } {
  let text = ''
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString()
      done()
    },
  })
  return Object.assign(stream, { text: () => text })
}

async function keysIn(store: ObjectStore, siteId: string): Promise<string[]> {
  const keys: string[] = []
  for await (const { key } of store.list(`${siteId}/`)) keys.push(key)
  return keys.sort()
}

async function storageOf(siteId: string): Promise<string | null> {
  const [row] = await app.db.engine.query<{ media_storage: string | null }>(
    'SELECT media_storage FROM sites WHERE id = $1',
    [siteId],
  )
  return row?.media_storage ?? null
}

async function uploadImage(session: Session, image: Buffer, filename: string): Promise<string> {
  const body = multipartBody([{ name: 'file', filename, contentType: 'image/png', body: image }])
  const res = await session.request({
    method: 'POST',
    url: `/api/v1/sites/${site}/media`,
    payload: body.payload,
    headers: body.headers,
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json().fileUrl as string
}

async function readFile(session: Session, url: string): Promise<Buffer> {
  const res = await session.request({ method: 'GET', url })
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200)
  return res.rawPayload
}

/** Each uploaded item's original and cleaned copy, as an app started now on the same data serves them. */
async function servedAfterRestart(): Promise<{ original: Buffer; clean: Buffer }[]> {
  const restarted = await createTestApp({ db: app.db, config: { ...s3Settings, dataDir: app.dataDir } })
  try {
    const admin = await signInAdmin(restarted)
    const served = []
    for (const { fileUrl } of items) {
      served.push({
        original: await readFile(admin, fileUrl),
        clean: await readFile(admin, `${fileUrl}?variant=clean`),
      })
    }
    return served
  } finally {
    await restarted.close()
  }
}

beforeAll(async () => {
  const s3rverDir = await mkdtemp(path.join(tmpdir(), 'colophon-move-s3rver-'))
  made.push(s3rverDir)
  server = await startS3rver(s3rverDir)
  s3Settings = {
    s3Bucket: S3RVER_BUCKET,
    s3Endpoint: `http://127.0.0.1:${server.port}`,
    s3Region: 'us-east-1',
    s3ForcePathStyle: true,
    s3AccessKeyId: 'S3RVER',
    s3SecretAccessKey: 'S3RVER',
  }
  app = await createTestApp({ config: s3Settings })
  config = configFor({ env: 'test', dataDir: app.dataDir, ...s3Settings })
  local = createConfiguredLocalStore(config)
  s3 = createConfiguredS3Store(config) as ObjectStore
  site = await mainSiteId(app)

  const admin = await signInAdmin(app)
  const images = [
    await sharp({ create: { width: 400, height: 300, channels: 3, background: '#3366cc' } })
      .png()
      .toBuffer(),
    await sharp({ create: { width: 330, height: 330, channels: 4, background: '#cc663380' } })
      .png()
      .toBuffer(),
  ]
  const urls = [
    await uploadImage(admin, images[0]!, 'blue.png'),
    await uploadImage(admin, images[1]!, 'red.png'),
  ]
  await app.jobs.drain(['media.process'])
  items = []
  for (const [i, fileUrl] of urls.entries()) {
    items.push({
      fileUrl,
      original: images[i]!,
      clean: await readFile(admin, `${fileUrl}?variant=clean`),
    })
  }
})

afterAll(async () => {
  await Promise.all([local?.close(), s3?.close()])
  await app?.close()
  await server?.stop()
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })))
})

describe('moving a site between providers', () => {
  it('moves local → s3: objects in the bucket, none on disk, the site switched, same bytes served', async () => {
    const before = await keysIn(local, site)
    // Originals, cleaned copies and variants of both images.
    expect(before.length).toBeGreaterThan(6)
    expect(await keysIn(s3, site)).toEqual([])
    const out = recorder()

    const result = await moveSiteMedia({
      config,
      orm: app.db.appEngine.orm,
      siteRef: 'main',
      to: 's3',
      waitMs: 0,
      out,
    })

    expect(result).toMatchObject({ site: { id: site, slug: 'main' }, from: 'local', to: 's3', moved: true })
    expect(result.copied).toMatchObject({ copied: before.length, skipped: 0 })
    expect(result.recopied).toMatchObject({ copied: 0, skipped: before.length })
    expect(result.deleted).toBe(before.length)
    expect(await keysIn(s3, site)).toEqual(before)
    expect(await keysIn(local, site)).toEqual([])
    expect(await storageOf(site)).toBe('s3')
    expect(out.text()).toContain('Switched: the site now keeps its media on s3.')
    expect(out.text()).toContain(`Deleted ${before.length} objects from local.`)

    const served = await servedAfterRestart()
    for (const [i, item] of items.entries()) {
      expect(served[i]?.original.equals(item.original)).toBe(true)
      expect(served[i]?.clean.equals(item.clean)).toBe(true)
    }
  })

  it('moves s3 → local with --keep-source: objects on disk and still in the bucket', async () => {
    const before = await keysIn(s3, site)
    expect(before.length).toBeGreaterThan(6)
    const out = recorder()

    const result = await moveSiteMedia({
      config,
      orm: app.db.appEngine.orm,
      siteRef: site,
      to: 'local',
      keepSource: true,
      waitMs: 0,
      out,
    })

    expect(result).toMatchObject({ from: 's3', to: 'local', moved: true, copied: { copied: before.length } })
    expect(result.deleted).toBeUndefined()
    expect(await keysIn(local, site)).toEqual(before)
    expect(await keysIn(s3, site)).toEqual(before)
    expect(await storageOf(site)).toBe('local')
    expect(out.text()).toContain("Kept the site's objects on s3 (--keep-source).")

    const served = await servedAfterRestart()
    for (const [i, item] of items.entries()) {
      expect(served[i]?.original.equals(item.original)).toBe(true)
      expect(served[i]?.clean.equals(item.clean)).toBe(true)
    }
  })

  it('finishes a move stopped half-way when run again, skipping what was copied', async () => {
    const { id: other, keys } = await siteWithNotes(12)
    // The bucket stops the copy after its third write, as an operator's Ctrl-C would.
    const stop = new AbortController()
    let writes = 0
    const stopping: ObjectStore = {
      kind: 's3',
      async put(key, body, options) {
        const stored = await s3.put(key, body, options)
        if (++writes === 3) stop.abort(new Error('stopped by the test'))
        return stored
      },
      get: (key, options) => s3.get(key, options),
      head: (key) => s3.head(key),
      delete: (key) => s3.delete(key),
      list: (prefix) => s3.list(prefix),
      close: async () => {},
    }
    const first = recorder()
    await expect(
      moveSiteMedia({
        config,
        orm: app.db.appEngine.orm,
        siteRef: other,
        to: 's3',
        waitMs: 0,
        out: first,
        signal: stop.signal,
        stores: { s3: stopping },
      }),
    ).rejects.toThrow('stopped by the test')
    const copiedBefore = (await keysIn(s3, other)).length
    expect(copiedBefore).toBeGreaterThanOrEqual(3)
    expect(copiedBefore).toBeLessThan(keys.length)
    expect(await storageOf(other)).toBeNull()
    expect(await keysIn(local, other)).toEqual(keys)
    expect(first.text()).toContain('Run the same command again to finish the copy.')

    const result = await moveSiteMedia({
      config,
      orm: app.db.appEngine.orm,
      siteRef: other,
      to: 's3',
      waitMs: 0,
      out: recorder(),
    })

    expect(result.copied).toMatchObject({ skipped: copiedBefore, copied: keys.length - copiedBefore })
    expect(await keysIn(s3, other)).toEqual(keys)
    expect(await keysIn(local, other)).toEqual([])
    expect(await storageOf(other)).toBe('s3')
  })
})

/** `store` with `beforeList(n)` run before its n-th listing (1, 2, …): a write, or a failure. */
function listingHook(store: ObjectStore, beforeList: (n: number) => Promise<void>): ObjectStore {
  let listings = 0
  return {
    kind: store.kind,
    put: (key, body, options) => store.put(key, body, options),
    get: (key, options) => store.get(key, options),
    head: (key) => store.head(key),
    delete: (key) => store.delete(key),
    async *list(prefix) {
      await beforeList(++listings)
      yield* store.list(prefix)
    },
    close: async () => {},
  }
}

async function siteWithNotes(count: number): Promise<{ id: string; keys: string[] }> {
  const id = await createSite(app)
  const keys = Array.from({ length: count }, (_, i) => `${id}/originals/note-${i}.txt`)
  for (const key of keys) {
    await local.put(key, Readable.from([Buffer.from(`object ${key}`)]), { contentType: 'text/plain' })
  }
  return { id, keys: keys.sort() }
}

describe('after the switch', () => {
  it('copies what was written to the old provider between the two copies, then deletes it there', async () => {
    const { id, keys } = await siteWithNotes(3)
    const late = `${id}/originals/late.txt`
    // Before the second listing of the old provider: a server that had not yet seen the switch writes.
    const source = listingHook(local, async (n) => {
      if (n === 2) await local.put(late, Readable.from([Buffer.from('late')]), { contentType: 'text/plain' })
    })
    const result = await moveSiteMedia({
      config,
      orm: app.db.appEngine.orm,
      siteRef: id,
      to: 's3',
      waitMs: 0,
      out: recorder(),
      stores: { local: source },
    })
    expect(result.recopied).toMatchObject({ copied: 1, skipped: keys.length })
    expect(result.deleted).toBe(keys.length + 1)
    expect(await keysIn(s3, id)).toEqual([...keys, late].sort())
    expect(await keysIn(local, id)).toEqual([])
  })

  it('says how to finish when a step after the switch fails', async () => {
    const { id, keys } = await siteWithNotes(2)
    const source = listingHook(local, async (n) => {
      if (n === 2) throw new Error('disk gone')
    })
    const out = recorder()
    await expect(
      moveSiteMedia({
        config,
        orm: app.db.appEngine.orm,
        siteRef: id,
        to: 's3',
        waitMs: 0,
        out,
        stores: { local: source },
      }),
    ).rejects.toThrow('disk gone')
    expect(await storageOf(id)).toBe('s3')
    expect(await keysIn(local, id)).toEqual(keys)
    expect(out.text()).toContain('To finish, move the site back with --to local --keep-source')
  })
})

describe('refusals and nothing to do', () => {
  it('refuses a site that does not exist, by slug or by id', async () => {
    for (const siteRef of ['no-such-site', '0190c3a0-0000-7000-8000-000000000000']) {
      await expect(
        moveSiteMedia({ config, orm: app.db.appEngine.orm, siteRef, to: 's3', waitMs: 0, out: recorder() }),
      ).rejects.toMatchObject({ code: 'COLOPHON_SITES_NOT_FOUND' })
    }
  })

  it('refuses --to s3 on a server without S3 settings, and leaves the site as it was', async () => {
    const other = await createSite(app)
    const withoutS3 = configFor({ env: 'test', dataDir: app.dataDir })
    await expect(
      moveSiteMedia({
        config: withoutS3,
        orm: app.db.appEngine.orm,
        siteRef: other,
        to: 's3',
        waitMs: 0,
        out: recorder(),
      }),
    ).rejects.toMatchObject({ code: 'COLOPHON_STORAGE_PROVIDER_NOT_CONFIGURED', details: { kind: 's3' } })
    expect(await storageOf(other)).toBeNull()
  })

  it('does nothing when the site already uses the provider asked for', async () => {
    const other = await createSite(app)
    const out = recorder()
    const result = await moveSiteMedia({
      config,
      orm: app.db.appEngine.orm,
      siteRef: other,
      to: 'local',
      out,
    })
    expect(result).toMatchObject({ from: 'local', to: 'local', moved: false })
    expect(out.text()).toMatch(/already keeps its media on local: nothing to do/)
    expect(await storageOf(other)).toBeNull()
  })
})

describe('the command', () => {
  const env = () => ({ COLOPHON_DATA_DIR: app.dataDir })

  it.each([
    [['media', 'move', '--to', 's3']],
    [['media', 'move', '--site', 'main', '--to', 'ftp']],
    [['media', 'shift', '--site', 'main', '--to', 's3']],
  ])('answers %j with its usage (exit 64)', async (argv) => {
    const stderr = recorder()
    expect(await runCli(argv, { stdout: recorder(), stderr, stdin: Readable.from([]), env: env() })).toBe(64)
    expect(stderr.text()).toMatch(/^usage: colophon media move --site/)
  })

  it('refuses a database whose migrations are pending, with a coded error', async () => {
    const empty = await createTestDatabase('empty')
    try {
      const command = createMediaCommand(config, {
        out: recorder(),
        err: recorder(),
        openDatabase: async () => ({ ...empty.appEngine, close: async () => undefined }),
      })
      await expect(command({ action: 'move', site: 'main', to: 's3' })).rejects.toMatchObject({
        code: 'COLOPHON_DB_SCHEMA_BEHIND',
      })
    } finally {
      await empty.destroy()
    }
  })

  it('runs a move that has nothing to do (exit 0)', async () => {
    const slug = `quiet-${Date.now()}`
    await createSite(app, { slug })
    const out = recorder()
    const command = createMediaCommand(config, {
      out,
      err: recorder(),
      openDatabase: async () => ({ ...app.db.appEngine, close: async () => undefined }),
    })
    expect(await command({ action: 'move', site: slug, to: 'local' })).toBe(0)
    expect(out.text()).toContain(`Site "${slug}"`)
    expect(out.text()).toContain('nothing to do')
  })

  it('prints a progress line every 100 objects or every 2 s, not one per object', () => {
    const out = recorder()
    let clock = 0
    const report = progressPrinter(out, () => clock)
    for (let n = 1; n <= 250; n++) report({ copied: n, skipped: 0, bytes: n * 1024, key: `k${n}` })
    expect(out.text().split('\n').filter(Boolean)).toEqual([
      '  100 copied (100.0 KiB), 0 already there',
      '  200 copied (200.0 KiB), 0 already there',
    ])
    clock = 2_000
    report({ copied: 250, skipped: 1, bytes: 250 * 1024, key: 'slow' })
    expect(out.text()).toMatch(/ {2}250 copied \(250\.0 KiB\), 1 already there\n$/)
  })

  it('prints sizes for people', () => {
    expect([0, 1023, 1536, 12.5 * 1024 * 1024].map(formatBytes)).toEqual([
      '0 B',
      '1023 B',
      '1.5 KiB',
      '12.5 MiB',
    ])
  })
})
