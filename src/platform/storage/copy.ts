import type { ObjectInfo, ObjectStore } from './object-store.ts'
import { siteIdOfPrefix } from './site-key.rules.ts'
import { StorageMoveErrors } from './storage-moves.errors.ts'

/** Running totals of a copy, reported after each object with the key it was about. */
export interface CopyProgress {
  copied: number
  skipped: number
  bytes: number
  key: string
}

/** Options of `copyObjects`. */
export interface CopyOptions {
  from: ObjectStore
  to: ObjectStore
  /** Copies every object whose key starts with it (a `list` prefix, usually `<site id>/`). */
  prefix: string
  onProgress?: (progress: CopyProgress) => void
  /** Stops starting new objects; the promise rejects with the signal's reason once those in flight end. */
  signal?: AbortSignal
  /** Objects copied at the same time (default 4). */
  concurrency?: number
}

/** What a copy did: objects written, objects already in place, bytes written. */
export interface CopyResult {
  copied: number
  skipped: number
  bytes: number
}

const DEFAULT_CONCURRENCY = 4

/**
 * True when `to` already holds this object: same size and content type, and written no earlier than
 * the source's last change. Puts are all or nothing, so an object that exists is a whole one; the date
 * tells an earlier copy from a source rewritten since. Dates are compared in whole seconds, since S3
 * keeps no finer ones.
 */
export function isAlreadyCopied(source: ObjectInfo, target: ObjectInfo | undefined): boolean {
  if (!target) return false
  const seconds = (date: Date) => Math.floor(date.getTime() / 1000)
  return (
    target.size === source.size &&
    target.contentType === source.contentType &&
    seconds(target.lastModified) >= seconds(source.lastModified)
  )
}

/**
 * Copies every object under `prefix` from one store to another, streaming each one (get → put, never
 * whole in memory) and checking that the size written is the size read. Resumable: an object `to`
 * already holds (`isAlreadyCopied`) is skipped, so running a stopped copy again finishes it without
 * copying anything twice. Nothing is deleted from either store. An object removed from `from` while
 * the copy runs is passed over. On a failure no new object is started and the first error is thrown
 * once those in flight end.
 */
export async function copyObjects(options: CopyOptions): Promise<CopyResult> {
  const { from, to, prefix, onProgress } = options
  const totals: CopyResult = { copied: 0, skipped: 0, bytes: 0 }

  await forEachObject(from, prefix, options, async (source) => {
    if (isAlreadyCopied(source, await to.head(source.key))) {
      totals.skipped++
    } else {
      const written = await copyOne(from, to, source.key)
      if (written === undefined) return
      totals.copied++
      totals.bytes += written
    }
    onProgress?.({ ...totals, key: source.key })
  })
  return totals
}

/** Copies one object; its size, or undefined when it is gone from `from`. */
async function copyOne(from: ObjectStore, to: ObjectStore, key: string): Promise<number | undefined> {
  const read = await from.get(key)
  if (!read) return undefined
  const stored = await to.put(key, read.body, { contentType: read.contentType })
  if (stored.size !== read.size) {
    // An object of the wrong size must not stay where the site will read it once it is moved.
    await to.delete(key)
    throw StorageMoveErrors.copyIncomplete({ details: { key, read: read.size, written: stored.size } })
  }
  return stored.size
}

/**
 * Removes every object under `prefix`, which must hold a whole site id (an empty prefix would empty the
 * store of every site). Returns how many were removed. `signal` and `concurrency` work as for
 * `copyObjects`.
 */
export async function deleteObjects(
  store: ObjectStore,
  prefix: string,
  options: { signal?: AbortSignal; concurrency?: number } = {},
): Promise<number> {
  siteIdOfPrefix(prefix)
  let deleted = 0
  await forEachObject(store, prefix, options, async ({ key }) => {
    await store.delete(key)
    deleted++
  })
  return deleted
}

/**
 * Runs `work` on every object `store` lists under `prefix`, at most `concurrency` at a time, taking the
 * next listed object only when a worker is free, so a listing of any length is never gathered. After
 * an abort or a failure no new object is started; the promise settles once the running ones end.
 */
async function forEachObject(
  store: ObjectStore,
  prefix: string,
  options: { signal?: AbortSignal; concurrency?: number },
  work: (info: ObjectInfo) => Promise<void>,
): Promise<void> {
  const { signal } = options
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number of at least 1, not ${concurrency}`)
  }
  signal?.throwIfAborted()
  const listing = store.list(prefix)[Symbol.asyncIterator]()
  // One `next` at a time: an async generator queues overlapping calls, but the contract promises only
  // an AsyncIterable, whose iterator may not.
  let pulled: Promise<unknown> = Promise.resolve()
  const pull = () => {
    const next = pulled.then(() => listing.next())
    pulled = next.catch(() => {})
    return next
  }
  let failure: { error: unknown } | undefined

  async function worker(): Promise<void> {
    while (!failure && !signal?.aborted) {
      const next = await pull()
      if (next.done || failure || signal?.aborted) return
      try {
        await work(next.value)
      } catch (error) {
        failure ??= { error }
      }
    }
  }

  try {
    await Promise.all(
      Array.from({ length: concurrency }, () =>
        worker().catch((error: unknown) => {
          failure ??= { error }
        }),
      ),
    )
  } finally {
    await listing.return?.()
  }
  if (failure) throw failure.error
  signal?.throwIfAborted()
}
