import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, rm, utimes } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyObjects, createLocalStore, createS3Store, deleteObjects, type ObjectStore } from './index.ts'
import { s3rverStoreOptions, startS3rver, type RunningS3rver } from './s3rver.fixture.ts'

/** Copying a site's objects between a local directory and s3rver, both ways, and removing them after. */

let server: RunningS3rver
let localRoot: string
let local: ObjectStore
let s3: ObjectStore
const made: string[] = []

async function temporaryDir(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `colophon-${name}-`))
  made.push(dir)
  return dir
}

beforeAll(async () => {
  server = await startS3rver(await temporaryDir('s3rver'))
  localRoot = await temporaryDir('copy-local')
  local = createLocalStore({ root: localRoot })
  // A small page, so that every copy here lists across several ListObjectsV2 calls.
  s3 = createS3Store({
    ...s3rverStoreOptions(server.port, await temporaryDir('copy-spool')),
    listPageSize: 4,
  })
})

afterAll(async () => {
  await Promise.all([local?.close(), s3?.close()])
  await server?.stop()
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })))
})

interface Seeded {
  bytes: Buffer
  contentType: string
}

/**
 * Writes a site's worth of objects of several kinds and sizes (one empty, one of 1 MiB) to `store`, and
 * one object of another site beside them; returns what the site's keys hold.
 */
async function seedSite(store: ObjectStore, site: string): Promise<Map<string, Seeded>> {
  const objects = new Map<string, Seeded>([
    [`${site}/originals/m1.jpg`, { bytes: randomBytes(1024 * 1024), contentType: 'image/jpeg' }],
    [`${site}/originals/m2.png`, { bytes: randomBytes(70_000), contentType: 'image/png' }],
    [`${site}/originals/m3.pdf`, { bytes: randomBytes(3_000), contentType: 'application/pdf' }],
    [`${site}/clean/m1.jpg`, { bytes: randomBytes(900_000), contentType: 'image/jpeg' }],
    [`${site}/clean/m2.png`, { bytes: randomBytes(60_000), contentType: 'image/png' }],
    [`${site}/variants/m1/400.webp`, { bytes: randomBytes(20_000), contentType: 'image/webp' }],
    [`${site}/variants/m1/400.avif`, { bytes: randomBytes(15_000), contentType: 'image/avif' }],
    [`${site}/variants/m1/800.webp`, { bytes: randomBytes(50_000), contentType: 'image/webp' }],
    [`${site}/variants/m2/400.webp`, { bytes: randomBytes(10_000), contentType: 'image/webp' }],
    [`${site}/variants/m2/800.webp`, { bytes: randomBytes(30_000), contentType: 'image/webp' }],
    [`${site}/originals/notes.txt`, { bytes: Buffer.from('plain words'), contentType: 'text/plain' }],
    [`${site}/originals/empty.bin`, { bytes: Buffer.alloc(0), contentType: 'application/octet-stream' }],
  ])
  for (const [key, { bytes, contentType }] of objects) {
    await store.put(key, Readable.from([bytes]), { contentType })
  }
  await store.put(`${randomUUID()}/originals/other.txt`, Readable.from([Buffer.from('another site')]), {
    contentType: 'text/plain',
  })
  return objects
}

const totalBytes = (objects: Map<string, Seeded>) =>
  [...objects.values()].reduce((sum, { bytes }) => sum + bytes.length, 0)

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

async function bytesOf(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of body) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

async function keysOf(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = []
  for await (const info of store.list(prefix)) keys.push(info.key)
  return keys.sort()
}

/** Every seeded object is in `store` with its bytes and content type, and nothing else is under `site/`. */
async function expectHolds(store: ObjectStore, site: string, objects: Map<string, Seeded>): Promise<void> {
  expect(await keysOf(store, `${site}/`)).toEqual([...objects.keys()].sort())
  for (const [key, seeded] of objects) {
    const read = await store.get(key)
    expect(read, key).toMatchObject({ size: seeded.bytes.length, contentType: seeded.contentType })
    expect(sha256(await bytesOf(read!.body)), key).toBe(sha256(seeded.bytes))
  }
}

describe.each([
  { direction: 'local to s3', source: () => local, target: () => s3 },
  { direction: 's3 to local', source: () => s3, target: () => local },
])('copying $direction', ({ source, target }) => {
  const site = randomUUID()
  let objects: Map<string, Seeded>
  beforeAll(async () => {
    objects = await seedSite(source(), site)
  })

  it('brings every object of the site with its bytes and content type, and nothing of other sites', async () => {
    const progress: string[] = []
    const result = await copyObjects({
      from: source(),
      to: target(),
      prefix: `${site}/`,
      onProgress: (p) => progress.push(p.key),
    })
    expect(result).toEqual({ copied: objects.size, skipped: 0, bytes: totalBytes(objects) })
    expect(progress.sort()).toEqual([...objects.keys()].sort())
    await expectHolds(target(), site, objects)
  })

  it('copies nothing on a second run and skips every object', async () => {
    const result = await copyObjects({ from: source(), to: target(), prefix: `${site}/` })
    expect(result).toEqual({ copied: 0, skipped: objects.size, bytes: 0 })
  })

  it('removes the site from the source afterwards, and only that site', async () => {
    const otherKeys = (await keysOf(source(), '')).filter((key) => !key.startsWith(site))
    expect(await deleteObjects(source(), `${site}/`)).toBe(objects.size)
    expect(await keysOf(source(), `${site}/`)).toEqual([])
    expect((await keysOf(source(), '')).filter((key) => !key.startsWith(site))).toEqual(otherKeys)
    await expectHolds(target(), site, objects)
  })
})

describe('a copy stopped half-way', () => {
  it('stops after the objects in flight, and a second run finishes without copying any twice', async () => {
    const site = randomUUID()
    const objects = await seedSite(local, site)
    const controller = new AbortController()
    let copiedBeforeStop = 0
    const stopped = copyObjects({
      from: local,
      to: s3,
      prefix: `${site}/`,
      concurrency: 2,
      signal: controller.signal,
      onProgress: (p) => {
        copiedBeforeStop = p.copied
        if (p.copied === 4) controller.abort()
      },
    })
    await expect(stopped).rejects.toMatchObject({ name: 'AbortError' })
    // The one other object in flight when the signal came may have finished; nothing was started after.
    expect(copiedBeforeStop).toBeGreaterThanOrEqual(4)
    expect(copiedBeforeStop).toBeLessThanOrEqual(5)
    expect(await keysOf(s3, `${site}/`)).toHaveLength(copiedBeforeStop)

    const resumed = await copyObjects({ from: local, to: s3, prefix: `${site}/` })
    expect(resumed).toMatchObject({ copied: objects.size - copiedBeforeStop, skipped: copiedBeforeStop })
    await expectHolds(s3, site, objects)
  })

  it('does not start when the signal has already fired', async () => {
    const site = randomUUID()
    await seedSite(local, site)
    const copy = copyObjects({ from: local, to: s3, prefix: `${site}/`, signal: AbortSignal.abort() })
    await expect(copy).rejects.toMatchObject({ name: 'AbortError' })
    expect(await keysOf(s3, `${site}/`)).toEqual([])
  })
})

describe('copyObjects', () => {
  it('copies again an object rewritten at the source after its copy, though its size is the same', async () => {
    const site = randomUUID()
    const key = `${site}/variants/m1/400.webp`
    await local.put(key, Readable.from([Buffer.from('first crop')]), { contentType: 'image/webp' })
    await copyObjects({ from: local, to: s3, prefix: `${site}/` })

    await local.put(key, Readable.from([Buffer.from('other crop')]), { contentType: 'image/webp' })
    // The rewrite, dated as though it came a few seconds after the copy (dates are whole seconds on S3).
    const later = new Date(Date.now() + 5000)
    await utimes(path.join(localRoot, site, 'variants', 'm1', '400.webp'), later, later)

    expect(await copyObjects({ from: local, to: s3, prefix: `${site}/` })).toEqual({
      copied: 1,
      skipped: 0,
      bytes: 10,
    })
    expect((await bytesOf((await s3.get(key))!.body)).toString()).toBe('other crop')
  })

  it('copies again an object whose content type differs at the target', async () => {
    const site = randomUUID()
    const key = `${site}/originals/a.bin`
    await local.put(key, Readable.from([Buffer.from('abc')]), { contentType: 'image/png' })
    await s3.put(key, Readable.from([Buffer.from('abc')]), { contentType: 'application/octet-stream' })
    expect(await copyObjects({ from: local, to: s3, prefix: `${site}/` })).toMatchObject({ copied: 1 })
    expect(await s3.head(key)).toMatchObject({ contentType: 'image/png' })
  })

  it('never has more than `concurrency` objects in flight', async () => {
    const site = randomUUID()
    const objects = await seedSite(local, site)
    let inFlight = 0
    let most = 0
    const full = Promise.withResolvers<void>()
    const target: ObjectStore = {
      ...s3,
      async put(key, body, options) {
        most = Math.max(most, ++inFlight)
        // Every put waits until three are running at once, so a pool allowing more would show it.
        if (inFlight === 3) full.resolve()
        await full.promise
        try {
          return await s3.put(key, body, options)
        } finally {
          inFlight--
        }
      },
    }
    const result = await copyObjects({ from: local, to: target, prefix: `${site}/`, concurrency: 3 })
    expect(result.copied).toBe(objects.size)
    expect(most).toBe(3)
  })

  it('removes a copy whose size differs from what was read, and fails with COLOPHON_STORAGE_COPY_INCOMPLETE', async () => {
    const site = randomUUID()
    const key = `${site}/originals/short.txt`
    await local.put(key, Readable.from([Buffer.from('twelve bytes')]), { contentType: 'text/plain' })
    // A source that announces more bytes than its body holds, as a read cut short would.
    const shortReads: ObjectStore = {
      ...local,
      async get(k, options) {
        const read = await local.get(k, options)
        return read && { ...read, size: read.size + 1 }
      },
    }
    await expect(copyObjects({ from: shortReads, to: s3, prefix: `${site}/` })).rejects.toMatchObject({
      code: 'COLOPHON_STORAGE_COPY_INCOMPLETE',
      status: 502,
      details: { key, read: 13, written: 12 },
    })
    expect(await s3.head(key)).toBeUndefined()
  })

  it('stops at the first failure and throws it', async () => {
    const site = randomUUID()
    await seedSite(local, site)
    let puts = 0
    const failing: ObjectStore = {
      ...s3,
      async put(_key, body) {
        puts++
        body.destroy()
        throw new Error('disk full')
      },
    }
    await expect(
      copyObjects({ from: local, to: failing, prefix: `${site}/`, concurrency: 1 }),
    ).rejects.toThrow('disk full')
    expect(puts).toBe(1)
  })
})

describe('deleteObjects', () => {
  it('refuses a prefix that holds no whole site id', async () => {
    for (const prefix of ['', '0b4e7a0e']) {
      await expect(deleteObjects(local, prefix)).rejects.toMatchObject({
        code: 'COLOPHON_STORAGE_KEY_INVALID',
      })
    }
  })

  it('stops after the deletions in flight when aborted', async () => {
    const site = randomUUID()
    const objects = await seedSite(s3, site)
    const controller = new AbortController()
    let seen = 0
    const inBucket: ObjectStore = {
      ...s3,
      async delete(key) {
        await s3.delete(key)
        if (++seen === 3) controller.abort()
      },
    }
    await expect(
      deleteObjects(inBucket, `${site}/`, { signal: controller.signal, concurrency: 1 }),
    ).rejects.toMatchObject({ name: 'AbortError' })
    expect(await keysOf(s3, `${site}/`)).toHaveLength(objects.size - 3)
    expect(await deleteObjects(s3, `${site}/`)).toBe(objects.size - 3)
  })
})
