import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { createS3Store, type S3StoreOptions } from './index.ts'
import { describeObjectStore } from './object-store.contract.ts'

/**
 * The contract against s3rver, an S3 imitation this file starts on a free port and stops, addressed
 * path-style with its default credentials. A store pointed at a port where nothing listens stands for a
 * provider that is down.
 */

const BUCKET = 'colophon-test'

// s3rver 3.7 seals ListObjectsV2 continuation tokens with DES, which OpenSSL 3 offers only through its
// legacy provider: in this process every truncated listing would fail with InternalError. So it runs in
// a child Node started with --openssl-legacy-provider, which also keeps its memory out of the
// large-object measurement.
const SERVER_SCRIPT = `
const S3rver = require('s3rver')
const server = new S3rver(JSON.parse(process.argv[1]))
server.run().then(({ port }) => process.stdout.write(JSON.stringify({ port }) + '\\n'))
process.on('SIGTERM', () => server.close().then(() => process.exit(0)))
`

interface RunningServer {
  port: number
  stop(): Promise<void>
}

async function startS3rver(directory: string): Promise<RunningServer> {
  const options = {
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: BUCKET }],
  }
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '-e', SERVER_SCRIPT, JSON.stringify(options)],
    { cwd: fileURLToPath(new URL('../../../', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const exited = once(child, 'exit')
  const started = once(createInterface({ input: child.stdout }), 'line') as Promise<[string]>
  const failed = exited.then(([code]) => {
    throw new Error(`s3rver exited (${String(code)}) before listening`)
  })
  const [line] = await Promise.race([started, failed])
  return {
    port: (JSON.parse(line) as { port: number }).port,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}

function storeOptions(port: number, tmpDir: string): S3StoreOptions {
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    bucket: BUCKET,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    tmpDir,
  }
}

describeObjectStore(
  's3',
  async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'colophon-s3rver-'))
    const spool = await mkdtemp(path.join(tmpdir(), 'colophon-s3-spool-'))
    const server = await startS3rver(directory)
    return {
      // A small page, so that listing 25 objects takes several ListObjectsV2 calls.
      store: createS3Store({ ...storeOptions(server.port, spool), listPageSize: 10 }),
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
      ...storeOptions(await closedPort(), spool),
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
