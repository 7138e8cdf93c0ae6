import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLocalStore } from './index.ts'
import { describeObjectStore } from './object-store.contract.ts'

/** The contract on a temporary directory, plus what only files on disk can show. */

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)))
}

async function temporaryRoot(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'colophon-storage-'))
}

describeObjectStore('local', async () => {
  const root = await temporaryRoot()
  return {
    store: createLocalStore({ root }),
    temporaryFiles: async () => (await filesUnder(root)).filter((file) => file.includes('~')),
    dispose: () => rm(root, { recursive: true, force: true }),
  }
})

describe('local store on disk', () => {
  let root: string
  beforeAll(async () => {
    root = await temporaryRoot()
  })
  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })
  const site = '0b4e7a0e-5d3c-4a4e-9b7e-2f1c3d4e5f60'

  it('keeps objects at their key and content types under .meta, readable by the owner only', async () => {
    const store = createLocalStore({ root })
    await store.put(`${site}/media/a.txt`, Readable.from([Buffer.from('a')]), { contentType: 'text/plain' })
    expect((await filesUnder(root)).sort()).toEqual([
      path.join('.meta', site, 'media', 'a.txt'),
      path.join(site, 'media', 'a.txt'),
    ])
    expect((await stat(path.join(root, site, 'media', 'a.txt'))).mode & 0o777).toBe(0o600)
    expect((await stat(path.join(root, site))).mode & 0o777).toBe(0o700)
  })

  it('reads an object whose content type record is missing as application/octet-stream', async () => {
    const store = createLocalStore({ root })
    const key = `${site}/no-record.bin`
    await store.put(key, Readable.from([Buffer.from('x')]), { contentType: 'image/png' })
    await rm(path.join(root, '.meta', site, 'no-record.bin'))
    expect(await store.head(key)).toMatchObject({ size: 1, contentType: 'application/octet-stream' })
  })
})
