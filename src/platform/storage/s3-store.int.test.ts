import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createS3Store } from './index.ts'
import { describeObjectStore } from './object-store.contract.ts'
import { s3rverStoreOptions, startS3rver } from './s3rver.fixture.ts'

/**
 * The contract against s3rver, an S3 imitation started on a free port (s3rver.fixture.ts) and stopped,
 * addressed path-style with its default credentials. A store pointed at a port where nothing listens stands for a
 * provider that is down.
 */

describeObjectStore(
  's3',
  async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'colophon-s3rver-'))
    const spool = await mkdtemp(path.join(tmpdir(), 'colophon-s3-spool-'))
    const server = await startS3rver(directory)
    return {
      // A small page, so that listing 25 objects takes several ListObjectsV2 calls.
      store: createS3Store({ ...s3rverStoreOptions(server.port, spool), listPageSize: 10 }),
      temporaryFiles: () => readdir(spool),
      async dispose() {
        await server.stop()
        await Promise.all([directory, spool].map((dir) => rm(dir, { recursive: true, force: true })))
      },
    }
  },
  {
    knownGaps: {
      firstByteOnly:
        's3rver 3.7 reads `bytes=0-0` as `bytes=0-` (its end check is `end || Infinity`); S3 serves one byte',
    },
  },
)

/** A port that was free a moment ago and has nothing listening on it now. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('s3 store without a provider', () => {
  it('answers COLOPHON_STORAGE_UNAVAILABLE when nothing listens, and leaves no spooled file', async () => {
    const spool = await mkdtemp(path.join(tmpdir(), 'colophon-s3-spool-'))
    const store = createS3Store({
      ...s3rverStoreOptions(await closedPort(), spool),
      maxAttempts: 1,
      connectionTimeoutMs: 500,
      requestTimeoutMs: 1000,
    })
    const key = '0b4e7a0e-5d3c-4a4e-9b7e-2f1c3d4e5f60/media/a.txt'
    const unavailable = { code: 'COLOPHON_STORAGE_UNAVAILABLE', status: 503 }
    try {
      await expect(store.head(key)).rejects.toMatchObject(unavailable)
      await expect(store.get(key)).rejects.toMatchObject(unavailable)
      await expect(store.delete(key)).rejects.toMatchObject(unavailable)
      const put = store.put(key, Readable.from([Buffer.from('a')]), { contentType: 'text/plain' })
      await expect(put).rejects.toMatchObject(unavailable)
      expect(await readdir(spool)).toEqual([])
      const listing = (async () => {
        for await (const _ of store.list(key)) break
      })()
      await expect(listing).rejects.toMatchObject(unavailable)
    } finally {
      await store.close()
      await rm(spool, { recursive: true, force: true })
    }
  })
})
