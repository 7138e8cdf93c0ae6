import { mkdir, open, opendir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import {
  DEFAULT_CONTENT_TYPE,
  assertKeyPrefix,
  assertObjectKey,
  isObjectKey,
  resolveByteRange,
  type ByteRange,
  type ObjectInfo,
  type ObjectRead,
  type ObjectStore,
  type StoredObject,
} from './object-store.ts'
import { destroyOnFailure, spoolToFile, temporaryPath } from './spool.ts'

/** Options of `createLocalStore`. */
export interface LocalStoreOptions {
  /** The directory that holds the objects; created when the first object is written. */
  root: string
}

/**
 * The folder beside the objects that records each one's content type, at `.meta/<key>` (same path as
 * the object, JSON inside). Keys start with a site id, so no key can reach it. Mirroring the object tree
 * exactly (no `.json` suffix) means two keys collide here only if they already collide as files.
 */
const META_DIR = '.meta'

interface MetaRecord {
  contentType: string
}

/** Error codes of a path that is missing, or that runs through a file where a directory should be. */
const ABSENT_CODES = new Set(['ENOENT', 'ENOTDIR'])

function isAbsent(err: unknown): boolean {
  return ABSENT_CODES.has((err as { code?: unknown }).code as string)
}

/**
 * Objects as files under `root`: the key is the relative path (keys are safe paths by construction).
 * A write goes to a temporary file beside the target, is flushed, then renamed over it, so a reader sees
 * the old object or the new one, never a part. The data file is the truth for existence, size and date;
 * the `.meta` record only adds the content type (a missing one reads as `application/octet-stream`).
 */
export function createLocalStore(options: LocalStoreOptions): ObjectStore {
  const root = path.resolve(options.root)
  const dataPath = (key: string) => path.join(root, ...key.split('/'))
  const metaPath = (key: string) => path.join(root, META_DIR, ...key.split('/'))

  async function readContentType(key: string): Promise<string> {
    try {
      const record = JSON.parse(await readFile(metaPath(key), 'utf8')) as Partial<MetaRecord>
      return typeof record.contentType === 'string' ? record.contentType : DEFAULT_CONTENT_TYPE
    } catch (err) {
      if (isAbsent(err) || err instanceof SyntaxError) return DEFAULT_CONTENT_TYPE
      throw err
    }
  }

  async function describe(key: string): Promise<ObjectInfo | undefined> {
    try {
      const stats = await stat(dataPath(key))
      if (!stats.isFile()) return undefined
      return { key, size: stats.size, contentType: await readContentType(key), lastModified: stats.mtime }
    } catch (err) {
      if (isAbsent(err)) return undefined
      throw err
    }
  }

  return {
    kind: 'local',

    async put(key, body, { contentType, maxBytes }) {
      const target = dataPath(key)
      const meta = metaPath(key)
      await destroyOnFailure(body, async () => {
        assertObjectKey(key)
        await mkdir(path.dirname(target), { recursive: true, mode: 0o700 })
        await mkdir(path.dirname(meta), { recursive: true, mode: 0o700 })
      })
      const dataTmp = temporaryPath(path.dirname(target))
      const metaTmp = temporaryPath(path.dirname(meta))
      let stored: StoredObject
      try {
        stored = await spoolToFile(body, dataTmp, maxBytes)
        const record: MetaRecord = { contentType }
        await writeFile(metaTmp, JSON.stringify(record), { flag: 'wx', mode: 0o600, flush: true })
        // Data first: if the process dies between the two renames, the new bytes carry the old (or no)
        // content type, which reads back as a type; the other order could leave a record without bytes.
        await rename(dataTmp, target)
        await rename(metaTmp, meta)
      } catch (err) {
        await Promise.all([rm(dataTmp, { force: true }), rm(metaTmp, { force: true })])
        throw err
      }
      await Promise.all([syncDirectory(path.dirname(target)), syncDirectory(path.dirname(meta))])
      return stored
    },

    async get(key, options = {}) {
      assertObjectKey(key)
      let handle
      try {
        handle = await open(dataPath(key), 'r')
      } catch (err) {
        if (isAbsent(err) || (err as { code?: unknown }).code === 'EISDIR') return undefined
        throw err
      }
      try {
        // Size and bytes come from the same open file: a put renaming over it meanwhile changes neither.
        const stats = await handle.stat()
        if (!stats.isFile()) {
          await handle.close()
          return undefined
        }
        const contentType = await readContentType(key)
        return readFrom(handle, stats.size, contentType, options.range)
      } catch (err) {
        await handle.close()
        throw err
      }
    },

    async head(key) {
      assertObjectKey(key)
      return describe(key)
    },

    async delete(key) {
      assertObjectKey(key)
      // A directory at the key's path is not an object: nothing to delete there.
      await unlink(dataPath(key)).catch((err: unknown) => {
        const code = (err as { code?: unknown }).code
        if (!isAbsent(err) && code !== 'EISDIR' && code !== 'EPERM') throw err
      })
      await rm(metaPath(key), { force: true }).catch((err: unknown) => {
        if (!isAbsent(err)) throw err
      })
    },

    async *list(prefix) {
      assertKeyPrefix(prefix)
      const complete = prefix.split('/').slice(0, -1)
      for await (const key of walk(path.join(root, ...complete), complete)) {
        if (!key.startsWith(prefix)) continue
        const info = await describe(key)
        if (info) yield info
      }
    },

    async close() {},
  }
}

type OpenFile = Awaited<ReturnType<typeof open>>

function readFrom(handle: OpenFile, size: number, contentType: string, range?: ByteRange): ObjectRead {
  if (!range) return { body: handle.createReadStream(), size, contentType }
  const resolved = resolveByteRange(range, size)
  const body = handle.createReadStream({ start: resolved.start, end: resolved.end })
  return { body, size, contentType, range: resolved }
}

/**
 * Keys of the files below `dir` (whose key segments are `segments`), depth first, one directory handle
 * open per level. Only names that can be keys are followed: `.meta`, temporary files and anything
 * else put there by hand are skipped.
 */
async function* walk(dir: string, segments: string[]): AsyncGenerator<string> {
  let handle
  try {
    handle = await opendir(dir)
  } catch (err) {
    if (isAbsent(err)) return
    throw err
  }
  for await (const entry of handle) {
    const key = [...segments, entry.name].join('/')
    if (entry.isDirectory()) {
      if (isObjectKey(key)) yield* walk(path.join(dir, entry.name), [...segments, entry.name])
    } else if (entry.isFile() && isObjectKey(key)) {
      yield key
    }
  }
}

/**
 * Flushes a directory's entries, so a rename survives a power cut. Some platforms cannot open a
 * directory for syncing (Windows); there the rename is as durable as the file system makes it.
 */
async function syncDirectory(dir: string): Promise<void> {
  let handle
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw err
  } finally {
    await handle?.close()
  }
}
