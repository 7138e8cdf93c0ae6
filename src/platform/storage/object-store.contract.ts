import { createHash, randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ObjectStore } from './object-store.ts'

/**
 * The behaviour every provider owes the `ObjectStore` contract, registered once per provider by its
 * integration test. Each test works under a fresh site id, so tests share one store and never see each
 * other's objects.
 */

/** A provider under test, with what the suite cannot see through the contract. */
export interface StoreSubject {
  store: ObjectStore
  /** Temporary files the provider left behind (spool or write files); empty after every put. */
  temporaryFiles(): Promise<string[]>
  /** Removes what the provider wrote (directories, server); the store is closed before. */
  dispose?(): Promise<void>
}

const KiB = 1024
const MiB = 1024 * KiB

function bodyOf(...chunks: (string | Buffer)[]): Readable {
  return Readable.from(chunks.map((c) => Buffer.from(c)))
}

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex')
}

async function bytesOf(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of body) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** A body that never ends; `counter.pulled` tells how many chunks the store asked for. */
function endless(chunk: Buffer, counter: { pulled: number }): Readable {
  return Readable.from(
    (function* () {
      for (;;) {
        counter.pulled++
        yield chunk
      }
    })(),
  )
}

/** A body that fails after `chunks` chunks, as an upload whose connection drops. */
function failingAfter(chunks: number, chunk: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < chunks; i++) yield chunk
      throw new Error('connection lost half-way')
    })(),
  )
}

// Streaming leaves garbage (a buffer per chunk) that V8 collects only once tens of megabytes wait, so in the
// resident set an honest streamer looks like a provider holding the whole object. Collecting at every
// sample tells them apart; this is how test tools reach `gc` without starting Node with a flag.
setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

/**
 * What the process holds in JavaScript objects and buffers (the heap and the memory behind Buffers), its
 * peak growth over its size at `start()`, sampled after collecting garbage. Not the resident set: the
 * allocator keeps freed pages, and other work in the process (an SDK warming up) moves it by megabytes.
 */
function held(): number {
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}

function memoryProbe() {
  let before = 0
  let peak = 0
  return {
    start() {
      collectGarbage()
      before = peak = held()
    },
    sample() {
      collectGarbage()
      peak = Math.max(peak, held())
    },
    growth: () => peak - before,
  }
}

type MemoryProbe = ReturnType<typeof memoryProbe>

/** Samples every this many chunks of 64 KiB (every 4 MiB). */
const SAMPLE_EVERY = 64

/**
 * `total` bytes in 64 KiB chunks made as they are read (never all in memory), sampling `probe` on the way;
 * `sha256()` gives their hash once read.
 */
function generated(total: number, probe: MemoryProbe): { body: Readable; sha256: () => string } {
  const hash = createHash('sha256')
  const block = Buffer.alloc(64 * KiB, 'colophon ')
  const body = Readable.from(
    (function* () {
      for (let offset = 0, n = 0; offset < total; offset += block.length, n++) {
        if (n % SAMPLE_EVERY === 0) probe.sample()
        const chunk = Buffer.from(block.subarray(0, Math.min(block.length, total - offset)))
        chunk.writeUInt32BE(n % 2 ** 32, 0)
        hash.update(chunk)
        yield chunk
      }
    })(),
  )
  return { body, sha256: () => hash.digest('hex') }
}

/** The SHA-256 of a body, sampling `probe` while reading it. */
async function hashOf(body: Readable, probe: MemoryProbe): Promise<string> {
  const hash = createHash('sha256')
  let n = 0
  for await (const chunk of body) {
    if (n++ % SAMPLE_EVERY === 0) probe.sample()
    hash.update(chunk as Buffer)
  }
  probe.sample()
  return hash.digest('hex')
}

async function listKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = []
  for await (const info of store.list(prefix)) keys.push(info.key)
  return keys.sort()
}

/** How a provider's run of the suite differs. */
export interface ContractOptions {
  /**
   * Cases the provider's test double gets wrong, each with the reason; they show as skipped. Only for a
   * stand-in's bug, never for the provider's own behaviour.
   */
  knownGaps?: { firstByteOnly?: string }
}

/** Registers the contract suite for one provider. `make` runs once, before the first test. */
export function describeObjectStore(
  name: string,
  make: () => Promise<StoreSubject>,
  options: ContractOptions = {},
): void {
  describe(`object store contract: ${name}`, () => {
    let subject: StoreSubject
    let store: ObjectStore
    beforeAll(async () => {
      subject = await make()
      store = subject.store
    })
    afterAll(async () => {
      await store?.close()
      await subject?.dispose?.()
    })
    const site = () => randomUUID()

    it('stores a stream and reads it back with its size, hash and content type', async () => {
      const key = `${site()}/media/hello.txt`
      const stored = await store.put(key, bodyOf('hello ', 'world'), { contentType: 'text/plain' })
      expect(stored).toEqual({ size: 11, sha256: sha256('hello world') })

      const read = await store.get(key)
      expect(read).toMatchObject({ size: 11, contentType: 'text/plain' })
      expect(read?.range).toBeUndefined()
      expect((await bytesOf(read!.body)).toString()).toBe('hello world')
    })

    it('stores an empty object', async () => {
      const key = `${site()}/empty`
      expect(await store.put(key, bodyOf(), { contentType: 'text/plain' })).toEqual({
        size: 0,
        sha256: sha256(''),
      })
      const read = await store.get(key)
      expect(read?.size).toBe(0)
      expect((await bytesOf(read!.body)).length).toBe(0)
    })

    it('replaces an object and its content type on overwrite', async () => {
      const key = `${site()}/media/a.bin`
      await store.put(key, bodyOf('first version'), { contentType: 'text/plain' })
      await store.put(key, bodyOf('second'), { contentType: 'application/octet-stream' })
      const read = await store.get(key)
      expect(read).toMatchObject({ size: 6, contentType: 'application/octet-stream' })
      expect((await bytesOf(read!.body)).toString()).toBe('second')
    })

    it('accepts a body of exactly maxBytes', async () => {
      const key = `${site()}/exact`
      expect((await store.put(key, bodyOf('12345'), { contentType: 'text/plain', maxBytes: 5 })).size).toBe(5)
    })

    it('refuses a body past maxBytes, stops reading it, and keeps the previous object', async () => {
      const key = `${site()}/media/big.bin`
      await store.put(key, bodyOf('previous'), { contentType: 'text/plain' })
      const counter = { pulled: 0 }
      const put = store.put(key, endless(Buffer.alloc(16 * KiB, 1), counter), {
        contentType: 'image/png',
        maxBytes: 64 * KiB,
      })
      await expect(put).rejects.toMatchObject({ code: 'COLOPHON_STORAGE_TOO_LARGE', status: 413 })
      // Read-ahead may pull a few chunks past the limit, never the stream's whole (endless) length.
      expect(counter.pulled).toBeLessThan(64)

      const read = await store.get(key)
      expect(read).toMatchObject({ size: 8, contentType: 'text/plain' })
      expect((await bytesOf(read!.body)).toString()).toBe('previous')
      expect(await subject.temporaryFiles()).toEqual([])
    })

    it('leaves no object when the limit is passed on a new key', async () => {
      const key = `${site()}/new.bin`
      const put = store.put(key, bodyOf('x'.repeat(100)), { contentType: 'text/plain', maxBytes: 99 })
      await expect(put).rejects.toMatchObject({ code: 'COLOPHON_STORAGE_TOO_LARGE' })
      expect(await store.head(key)).toBeUndefined()
      expect(await subject.temporaryFiles()).toEqual([])
    })

    it('leaves nothing when the body fails half-way, and keeps the previous object', async () => {
      const fresh = `${site()}/broken.bin`
      const chunk = Buffer.alloc(32 * KiB, 7)
      await expect(store.put(fresh, failingAfter(4, chunk), { contentType: 'text/plain' })).rejects.toThrow(
        'connection lost half-way',
      )
      expect(await store.head(fresh)).toBeUndefined()

      const kept = `${site()}/kept.bin`
      await store.put(kept, bodyOf('intact'), { contentType: 'text/plain' })
      await expect(store.put(kept, failingAfter(4, chunk), { contentType: 'text/plain' })).rejects.toThrow(
        'connection lost half-way',
      )
      expect((await bytesOf((await store.get(kept))!.body)).toString()).toBe('intact')
      expect(await subject.temporaryFiles()).toEqual([])
    })

    describe('byte ranges', () => {
      let key: string
      beforeAll(async () => {
        key = `${site()}/digits.txt`
        await store.put(key, bodyOf('0123456789'), { contentType: 'text/plain' })
      })

      it.skipIf(options.knownGaps?.firstByteOnly)('reads the first byte alone', async () => {
        const read = await store.get(key, { range: { start: 0, end: 0 } })
        expect(read).toMatchObject({ size: 10, range: { start: 0, end: 0 } })
        expect((await bytesOf(read!.body)).toString()).toBe('0')
      })

      it.each([
        ['the first bytes', { start: 0, end: 1 }, '01', { start: 0, end: 1 }],
        ['a middle span', { start: 3, end: 5 }, '345', { start: 3, end: 5 }],
        ['an open end', { start: 7 }, '789', { start: 7, end: 9 }],
        ['an end past the size, clamped', { start: 8, end: 100 }, '89', { start: 8, end: 9 }],
        ['the whole object', { start: 0, end: 9 }, '0123456789', { start: 0, end: 9 }],
      ])('reads %s', async (_label, range, text, served) => {
        const read = await store.get(key, { range })
        expect(read).toMatchObject({ size: 10, contentType: 'text/plain', range: served })
        expect((await bytesOf(read!.body)).toString()).toBe(text)
      })

      it('refuses a range that starts past the last byte, naming the size', async () => {
        await expect(store.get(key, { range: { start: 10 } })).rejects.toMatchObject({
          code: 'COLOPHON_STORAGE_RANGE_NOT_SATISFIABLE',
          status: 416,
          details: { size: 10 },
        })
      })

      it('refuses a malformed range', async () => {
        for (const range of [{ start: -1 }, { start: 5, end: 4 }, { start: 1.5 }]) {
          await expect(store.get(key, { range })).rejects.toMatchObject({
            code: 'COLOPHON_STORAGE_RANGE_NOT_SATISFIABLE',
          })
        }
      })
    })

    it('describes an object without reading it', async () => {
      const key = `${site()}/media/photo.jpg`
      const before = Date.now()
      await store.put(key, bodyOf('jpeg bytes'), { contentType: 'image/jpeg' })
      const info = await store.head(key)
      expect(info).toMatchObject({ key, size: 10, contentType: 'image/jpeg' })
      // Some providers keep whole seconds only.
      expect(info!.lastModified.getTime()).toBeGreaterThanOrEqual(before - 2000)
      expect(info!.lastModified.getTime()).toBeLessThanOrEqual(Date.now() + 2000)
    })

    it('answers undefined for an absent object', async () => {
      const key = `${site()}/nothing-here`
      expect(await store.get(key)).toBeUndefined()
      expect(await store.get(key, { range: { start: 0 } })).toBeUndefined()
      expect(await store.head(key)).toBeUndefined()
    })

    it('deletes an object, and deleting an absent one is not an error', async () => {
      const key = `${site()}/media/gone.txt`
      await store.put(key, bodyOf('bye'), { contentType: 'text/plain' })
      await store.delete(key)
      expect(await store.head(key)).toBeUndefined()
      expect(await store.get(key)).toBeUndefined()
      await expect(store.delete(key)).resolves.toBeUndefined()
      await expect(store.delete(`${site()}/never/was`)).resolves.toBeUndefined()
    })

    it('lists every object under a prefix, across pages, and nothing else', async () => {
      const id = site()
      const inside = Array.from({ length: 25 }, (_, i) => `${id}/media/${String(i).padStart(3, '0')}.txt`)
      const outside = [`${id}/mediate.txt`, `${id}/other/1.txt`, `${site()}/media/000.txt`]
      for (const key of [...inside, ...outside]) {
        await store.put(key, bodyOf(key), { contentType: 'text/plain' })
      }

      const infos = []
      for await (const info of store.list(`${id}/media/`)) infos.push(info)
      expect(infos.map((i) => i.key).sort()).toEqual(inside)
      expect(infos.every((i) => i.size === i.key.length && i.contentType === 'text/plain')).toBe(true)

      // A prefix is a string prefix, not only whole segments.
      expect(await listKeys(store, `${id}/media`)).toEqual([...inside, `${id}/mediate.txt`].sort())
      expect(await listKeys(store, `${id}/`)).toHaveLength(27)
      expect(await listKeys(store, `${id}/none/`)).toEqual([])
    })

    const SAMPLE = '0b4e7a0e-5d3c-4a4e-9b7e-2f1c3d4e5f60'
    const badKeys = [
      ['empty', ''],
      ['no site id first', 'media/a.txt'],
      ['an uppercase site id', `${SAMPLE.toUpperCase()}/a.txt`],
      ['a leading slash', `/${SAMPLE}/a.txt`],
      ['a trailing slash', `${SAMPLE}/media/`],
      ['an empty segment', `${SAMPLE}//a.txt`],
      ['a dot segment', `${SAMPLE}/./a.txt`],
      ['a dot-dot segment', `${SAMPLE}/../a.txt`],
      ['a space', `${SAMPLE}/a b.txt`],
      ['a backslash', `${SAMPLE}/a\\b.txt`],
      ['a non-ASCII letter', `${SAMPLE}/é.txt`],
      ['a tilde', `${SAMPLE}/.tmp~1`],
      ['more than 512 characters', `${SAMPLE}/${'a'.repeat(512)}`],
    ]

    it.each(badKeys)('refuses a key with %s', async (_label, key) => {
      const code = { code: 'COLOPHON_STORAGE_KEY_INVALID' }
      const body = bodyOf('x')
      await expect(store.put(key, body, { contentType: 'text/plain' })).rejects.toMatchObject(code)
      expect(body.destroyed).toBe(true)
      await expect(store.get(key)).rejects.toMatchObject(code)
      await expect(store.head(key)).rejects.toMatchObject(code)
      await expect(store.delete(key)).rejects.toMatchObject(code)
    })

    it.each(['../', `${SAMPLE}/../`, 'media/', `${SAMPLE}//`, `${SAMPLE}/a b/`])(
      'refuses to list the prefix %j',
      async (prefix) => {
        await expect(listKeys(store, prefix)).rejects.toMatchObject({ code: 'COLOPHON_STORAGE_KEY_INVALID' })
      },
    )

    it('streams a large object in and out without holding it in memory', async () => {
      const size = 20 * MiB
      const key = `${site()}/media/large.bin`
      const writing = memoryProbe()
      writing.start()
      const source = generated(size, writing)
      const stored = await store.put(key, source.body, { contentType: 'application/octet-stream' })
      writing.sample()
      expect(stored).toEqual({ size, sha256: source.sha256() })

      const reading = memoryProbe()
      reading.start()
      const read = await store.get(key)
      expect(await hashOf(read!.body, reading)).toBe(stored.sha256)
      // Generous, for noisy machines; a provider that held the object would grow by at least its size.
      expect(writing.growth()).toBeLessThan(size / 2)
      expect(reading.growth()).toBeLessThan(size / 2)
    })
  })
}
