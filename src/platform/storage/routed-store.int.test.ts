import { randomUUID } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  createLocalStore,
  createRoutedStore,
  createS3Store,
  type ObjectStore,
  type StoreKind,
} from './index.ts'
import { describeObjectStore } from './object-store.contract.ts'
import { s3rverStoreOptions, startS3rver, type RunningS3rver } from './s3rver.fixture.ts'

/**
 * The router over a local directory and s3rver: the contract suite through it to each provider, then
 * what only routing shows (which provider holds a site's objects, the per-site cache, refusals).
 */

let server: RunningS3rver
const made: string[] = []

async function temporaryDir(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `colophon-${name}-`))
  made.push(dir)
  return dir
}

beforeAll(async () => {
  server = await startS3rver(await temporaryDir('s3rver'))
})

afterAll(async () => {
  await server?.stop()
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })))
})

interface Providers {
  local: ObjectStore
  s3: ObjectStore
  /** Temporary files either provider left behind. */
  temporaryFiles(): Promise<string[]>
}

/** A local store and an s3rver store of their own (each router closes the stores it is given). */
async function makeProviders(): Promise<Providers> {
  const root = await temporaryDir('routed-local')
  const spool = await temporaryDir('routed-spool')
  return {
    local: createLocalStore({ root }),
    // A small page, so that the contract's listing of 25 objects takes several ListObjectsV2 calls.
    s3: createS3Store({ ...s3rverStoreOptions(server.port, spool), listPageSize: 10 }),
    async temporaryFiles() {
      const local = await readdir(root, { recursive: true }).catch(() => [])
      return [...local.filter((file) => file.includes('~')), ...(await readdir(spool))]
    },
  }
}

describeObjectStore('routed to local (a site naming no provider gets the default)', async () => {
  const providers = await makeProviders()
  return {
    store: createRoutedStore({
      stores: { local: providers.local, s3: providers.s3 },
      defaultKind: 'local',
      kindOf: async () => undefined,
    }),
    temporaryFiles: providers.temporaryFiles,
  }
})

describeObjectStore(
  'routed to s3',
  async () => {
    const providers = await makeProviders()
    return {
      store: createRoutedStore({
        stores: { local: providers.local, s3: providers.s3 },
        defaultKind: 'local',
        kindOf: async () => 's3',
      }),
      temporaryFiles: providers.temporaryFiles,
    }
  },
  {
    knownGaps: {
      firstByteOnly:
        's3rver 3.7 reads `bytes=0-0` as `bytes=0-` (its end check is `end || Infinity`); S3 serves one byte',
    },
  },
)

function bodyOf(text: string): Readable {
  return Readable.from([Buffer.from(text)])
}

async function textOf(body: Readable): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of body) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString()
}

async function keysOf(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = []
  for await (const info of store.list(prefix)) keys.push(info.key)
  return keys.sort()
}

/** A `kindOf` answering from a table that a test changes, counting its calls. */
function kindTable(entries: Record<string, StoreKind> = {}) {
  const kinds = new Map(Object.entries(entries))
  const kindOf = vi.fn(async (siteId: string) => kinds.get(siteId))
  return { kinds, kindOf }
}

describe('routed store', () => {
  let providers: Providers
  beforeAll(async () => {
    providers = await makeProviders()
  })
  afterAll(async () => {
    await Promise.all([providers.local.close(), providers.s3.close()])
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  /** A router over the shared providers; closing it is left to the suite, which owns them. */
  function routerOf(kindOf: (siteId: string) => Promise<StoreKind | undefined>, cacheMs?: number) {
    return createRoutedStore({
      stores: { local: providers.local, s3: providers.s3 },
      defaultKind: 'local',
      kindOf,
      ...(cacheMs !== undefined && { cacheMs }),
    })
  }

  it('puts the objects of each site with the provider the site names, and reads them back there', async () => {
    const onDisk = randomUUID()
    const inBucket = randomUUID()
    const unnamed = randomUUID()
    const { kindOf } = kindTable({ [onDisk]: 'local', [inBucket]: 's3' })
    const store = routerOf(kindOf)
    for (const site of [onDisk, inBucket, unnamed]) {
      await store.put(`${site}/originals/a.txt`, bodyOf(`from ${site}`), { contentType: 'text/plain' })
    }

    expect(await providers.local.head(`${onDisk}/originals/a.txt`)).toMatchObject({ size: 41 })
    expect(await providers.s3.head(`${onDisk}/originals/a.txt`)).toBeUndefined()
    expect(await providers.s3.head(`${inBucket}/originals/a.txt`)).toMatchObject({ size: 41 })
    expect(await providers.local.head(`${inBucket}/originals/a.txt`)).toBeUndefined()
    expect(await providers.local.head(`${unnamed}/originals/a.txt`)).toMatchObject({ size: 41 })

    const read = await store.get(`${inBucket}/originals/a.txt`)
    expect(await textOf(read!.body)).toBe(`from ${inBucket}`)
    expect(await keysOf(store, `${inBucket}/`)).toEqual([`${inBucket}/originals/a.txt`])
    await store.delete(`${inBucket}/originals/a.txt`)
    expect(await providers.s3.head(`${inBucket}/originals/a.txt`)).toBeUndefined()
  })

  it('keeps using the remembered provider until the site is forgotten', async () => {
    const site = randomUUID()
    const key = `${site}/originals/moved.txt`
    const { kinds, kindOf } = kindTable({ [site]: 'local' })
    const store = routerOf(kindOf)
    await store.put(key, bodyOf('on disk'), { contentType: 'text/plain' })

    kinds.set(site, 's3')
    expect(await store.head(key)).toMatchObject({ size: 7 })
    expect(kindOf).toHaveBeenCalledTimes(1)

    store.forget(site)
    expect(await store.head(key)).toBeUndefined()
    expect(kindOf).toHaveBeenCalledTimes(2)
  })

  it('forgets every site at once', async () => {
    const [a, b] = [randomUUID(), randomUUID()]
    const { kindOf } = kindTable()
    const store = routerOf(kindOf)
    await store.head(`${a}/x`)
    await store.head(`${b}/x`)
    store.forget()
    await store.head(`${a}/x`)
    await store.head(`${b}/x`)
    expect(kindOf).toHaveBeenCalledTimes(4)
  })

  it('asks again once cacheMs has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const site = randomUUID()
    const { kindOf } = kindTable()
    const store = routerOf(kindOf, 1000)
    await store.head(`${site}/x`)
    vi.setSystemTime(Date.now() + 999)
    await store.head(`${site}/x`)
    expect(kindOf).toHaveBeenCalledTimes(1)
    vi.setSystemTime(Date.now() + 2)
    await store.head(`${site}/x`)
    expect(kindOf).toHaveBeenCalledTimes(2)
  })

  it('shares one lookup between operations that miss the cache at the same time', async () => {
    const site = randomUUID()
    const answer = Promise.withResolvers<StoreKind | undefined>()
    const kindOf = vi.fn(() => answer.promise)
    const store = routerOf(kindOf)
    const heads = Array.from({ length: 5 }, (_, i) => store.head(`${site}/media/${i}`))
    answer.resolve('s3')
    expect(await Promise.all(heads)).toEqual([undefined, undefined, undefined, undefined, undefined])
    expect(kindOf).toHaveBeenCalledTimes(1)
  })

  it('does not remember a failed lookup', async () => {
    const site = randomUUID()
    const kindOf = vi
      .fn<(siteId: string) => Promise<StoreKind | undefined>>()
      .mockRejectedValueOnce(new Error('database went away'))
      .mockResolvedValue('local')
    const store = routerOf(kindOf)
    await expect(store.head(`${site}/x`)).rejects.toThrow('database went away')
    expect(await store.head(`${site}/x`)).toBeUndefined()
    expect(kindOf).toHaveBeenCalledTimes(2)
  })

  it('refuses a site whose provider is not configured here, and does not read the body', async () => {
    const site = randomUUID()
    const store = createRoutedStore({
      stores: { local: providers.local },
      defaultKind: 'local',
      kindOf: async () => 's3',
    })
    const refused = {
      code: 'COLOPHON_STORAGE_PROVIDER_NOT_CONFIGURED',
      status: 503,
      details: { kind: 's3', siteId: site },
    }
    const body = bodyOf('x')
    await expect(store.put(`${site}/a.txt`, body, { contentType: 'text/plain' })).rejects.toMatchObject(
      refused,
    )
    expect(body.destroyed).toBe(true)
    await expect(store.get(`${site}/a.txt`)).rejects.toMatchObject(refused)
    await expect(store.head(`${site}/a.txt`)).rejects.toMatchObject(refused)
    await expect(store.delete(`${site}/a.txt`)).rejects.toMatchObject(refused)
    await expect(keysOf(store, `${site}/`)).rejects.toMatchObject(refused)
  })

  it('refuses at creation a default provider that is not configured', () => {
    expect(() =>
      createRoutedStore({
        stores: { local: providers.local },
        defaultKind: 's3',
        kindOf: async () => undefined,
      }),
    ).toThrow(
      expect.objectContaining({ code: 'COLOPHON_STORAGE_PROVIDER_NOT_CONFIGURED', details: { kind: 's3' } }),
    )
  })

  it.each(['', '0b4e7a0e', '0b4e7a0e-5d3c-4a4e-9b7e-2f1c3d4e5f60x', 'media/'])(
    'refuses to list the prefix %j, which holds no whole site id, without asking for a provider',
    async (prefix) => {
      const { kindOf } = kindTable()
      await expect(keysOf(routerOf(kindOf), prefix)).rejects.toMatchObject({
        code: 'COLOPHON_STORAGE_KEY_INVALID',
      })
      expect(kindOf).not.toHaveBeenCalled()
    },
  )

  it('lists under a bare site id', async () => {
    const site = randomUUID()
    const store = routerOf(kindTable({ [site]: 's3' }).kindOf)
    await store.put(`${site}/clean/a.txt`, bodyOf('a'), { contentType: 'text/plain' })
    expect(await keysOf(store, site)).toEqual([`${site}/clean/a.txt`])
  })

  it('reports the default provider as its kind, and closes a store given for both kinds once', async () => {
    const closes = vi.fn(async () => {})
    const shared: ObjectStore = { ...createLocalStore({ root: await temporaryDir('shared') }), close: closes }
    const store = createRoutedStore({
      stores: { local: shared, s3: shared },
      defaultKind: 's3',
      kindOf: async () => undefined,
    })
    expect(store.kind).toBe('s3')
    await store.close()
    await store.close()
    expect(closes).toHaveBeenCalledTimes(1)
  })
})
