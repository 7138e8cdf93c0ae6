import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { StoredObject } from './object-store.ts'
import { StorageErrors } from './storage.errors.ts'

/**
 * A name for a temporary file in `dir`. The `~` keeps it out of the key space (keys cannot contain one),
 * so a listing never mistakes it for an object and no key can ever name it.
 */
export function temporaryPath(dir: string): string {
  return path.join(dir, `.tmp~${randomBytes(12).toString('hex')}`)
}

/**
 * Runs the steps of a `put` that come before its body is read; if one fails, the body is destroyed, since
 * a store owns the stream it is given and a source nobody reads (an upload) would otherwise hang.
 */
export async function destroyOnFailure<T>(body: Readable, step: () => Promise<T>): Promise<T> {
  try {
    return await step()
  } catch (err) {
    body.destroy()
    throw err
  }
}

/**
 * Streams `body` into a new file (mode 0600), hashing and counting on the way, and flushes it to disk
 * before resolving. Past `maxBytes` it fails with `COLOPHON_STORAGE_TOO_LARGE` at once: the body is
 * destroyed (nothing more is read) and nothing is buffered beyond the stream's own chunks. On any
 * failure the file is removed before the promise rejects. `file` must not exist yet; its directory must.
 */
export async function spoolToFile(body: Readable, file: string, maxBytes?: number): Promise<StoredObject> {
  const hash = createHash('sha256')
  let size = 0
  const meter = new Transform({
    transform(chunk: Buffer | string, _encoding, callback) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      size += bytes.length
      if (maxBytes !== undefined && size > maxBytes) {
        callback(StorageErrors.tooLarge({ details: { maxBytes } }))
        return
      }
      hash.update(bytes)
      callback(null, bytes)
    },
  })
  try {
    // `flush` fsyncs before the descriptor closes: the bytes are on disk before anyone renames or reads them.
    await pipeline(body, meter, createWriteStream(file, { flags: 'wx', mode: 0o600, flush: true }))
  } catch (err) {
    await rm(file, { force: true })
    throw err
  }
  return { size, sha256: hash.digest('hex') }
}
