/**
 * s3rver, an S3 imitation, started in a child process on a free port, and the store options that reach
 * it (path-style, its default credentials, one bucket). For tests only.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { S3StoreOptions } from './s3-store.ts'

export const S3RVER_BUCKET = 'colophon-test'

// s3rver 3.7 seals ListObjectsV2 continuation tokens with DES, which OpenSSL 3 offers only through its
// legacy provider: in the test process every truncated listing would fail with InternalError. So it runs
// in a child Node started with --openssl-legacy-provider, which also keeps its memory out of the tests'
// measurements.
const SERVER_SCRIPT = `
const S3rver = require('s3rver')
const server = new S3rver(JSON.parse(process.argv[1]))
server.run().then(({ port }) => process.stdout.write(JSON.stringify({ port }) + '\\n'))
process.on('SIGTERM', () => server.close().then(() => process.exit(0)))
`

export interface RunningS3rver {
  port: number
  stop(): Promise<void>
}

/** Starts s3rver keeping its objects in `directory`, with the bucket `S3RVER_BUCKET` made. */
export async function startS3rver(directory: string): Promise<RunningS3rver> {
  const options = {
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: S3RVER_BUCKET }],
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
  // Once the server listens, its later exit (on `stop`) is no failure: nobody waits on `failed` then.
  failed.catch(() => {})
  const [line] = await Promise.race([started, failed])
  return {
    port: (JSON.parse(line) as { port: number }).port,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}

/** Options of a store on the s3rver at `port`, spooling uploads to `tmpDir`. */
export function s3rverStoreOptions(port: number, tmpDir: string): S3StoreOptions {
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    bucket: S3RVER_BUCKET,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    tmpDir,
  }
}
