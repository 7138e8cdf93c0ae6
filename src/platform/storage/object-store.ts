import type { Readable } from 'node:stream'
import { StorageErrors } from './storage.errors.ts'

/** What a successful `put` wrote. */
export interface StoredObject {
  /** Bytes stored. */
  size: number
  /** SHA-256 of the stored bytes, lowercase hex. */
  sha256: string
}

/** An object's description, without its bytes. */
export interface ObjectInfo {
  key: string
  size: number
  contentType: string
  lastModified: Date
}

/** An object being read. The caller must consume `body` or destroy it, or its file or socket stays open. */
export interface ObjectRead {
  /** The object's bytes, or only the range's when one was asked for. */
  body: Readable
  /** Size of the whole object, also when a range was asked for (for `Content-Range`). */
  size: number
  contentType: string
  /**
   * Inclusive offsets of the bytes in `body`, present when a range was asked for. A server may answer a
   * ranged request in full (HTTP allows it); then `range` is absent and `body` holds the whole object.
   */
  range?: { start: number; end: number }
}

/** Inclusive byte offsets, as in an HTTP `Range: bytes=start-end` header; no `end` means to the last byte. */
export interface ByteRange {
  start: number
  end?: number
}

/**
 * Where media bytes live: one contract, two providers (`local` files, `s3`-compatible buckets). Every key
 * passes `assertObjectKey`; objects of a site live under keys that start with its site id.
 */
export interface ObjectStore {
  readonly kind: 'local' | 's3'
  /**
   * Streams `body` to `key` and returns its size and SHA-256. All or nothing: if the stream errors,
   * exceeds `maxBytes` (`COLOPHON_STORAGE_TOO_LARGE`, the stream is destroyed at once) or the write fails,
   * no object and no temporary file is left, and the previous object at `key` (if any) is intact. The
   * store takes `body` over: it is read to its end or destroyed.
   */
  put(key: string, body: Readable, options: { contentType: string; maxBytes?: number }): Promise<StoredObject>
  /**
   * The object, or undefined when absent. `range` follows HTTP Range semantics: inclusive offsets, `end`
   * clamped to `size - 1`; a range starting at or past `size` (every range of an empty object) rejects
   * with `COLOPHON_STORAGE_RANGE_NOT_SATISFIABLE`, whose `details.size` is the object's size.
   */
  get(key: string, options?: { range?: ByteRange }): Promise<ObjectRead | undefined>
  /** The object's description, or undefined when absent. */
  head(key: string): Promise<ObjectInfo | undefined>
  /** Removes the object; absent is not an error. */
  delete(key: string): Promise<void>
  /**
   * Every object whose key starts with `prefix` (a plain string prefix, not only whole segments), in no
   * particular order, paginated inside. For cleanup jobs and moves. `prefix` passes `assertKeyPrefix`.
   */
  list(prefix: string): AsyncIterable<ObjectInfo>
  /** Closes clients and handles. The store is not used afterwards. */
  close(): Promise<void>
}

const MAX_KEY_LENGTH = 512
const SEGMENT = /^[A-Za-z0-9._-]+$/
const PARTIAL_SEGMENT = /^[A-Za-z0-9._-]*$/
// Lowercase only: a site's objects must have one prefix, and PostgreSQL prints uuids in lowercase.
const SITE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

function isSegment(segment: string): boolean {
  return SEGMENT.test(segment) && segment !== '.' && segment !== '..'
}

/** True when `key` follows the key rules of `assertObjectKey`. */
export function isObjectKey(key: string): boolean {
  if (typeof key !== 'string' || key.length > MAX_KEY_LENGTH) return false
  const segments = key.split('/')
  return SITE_ID.test(segments[0] ?? '') && segments.every(isSegment)
}

/**
 * Refuses a key that breaks the rules with `COLOPHON_STORAGE_KEY_INVALID`: segments of `[A-Za-z0-9._-]`
 * separated by `/`, no empty, `.` or `..` segment, at most 512 characters, and the first segment a
 * lowercase UUID (the site id). The rules keep every key a safe relative path on disk and in a bucket.
 */
export function assertObjectKey(key: string): void {
  if (!isObjectKey(key)) throw StorageErrors.keyInvalid({ details: { key: String(key).slice(0, 600) } })
}

/**
 * Refuses a `list` prefix that no valid key could start with (`COLOPHON_STORAGE_KEY_INVALID`): every
 * complete segment (before the last `/`) must be a valid one, the first a site id; the text after the
 * last `/` may be any start of a segment. The empty prefix (every object of every site) is allowed.
 */
export function assertKeyPrefix(prefix: string): void {
  const parts = typeof prefix === 'string' ? prefix.split('/') : []
  const complete = parts.slice(0, -1)
  const partial = parts.at(-1)
  const ok =
    prefix.length <= MAX_KEY_LENGTH &&
    partial !== undefined &&
    PARTIAL_SEGMENT.test(partial) &&
    complete.every(isSegment) &&
    (complete.length === 0 || SITE_ID.test(complete[0] ?? ''))
  if (!ok) throw StorageErrors.keyInvalid({ details: { prefix: String(prefix).slice(0, 600) } })
}

/** Refuses a malformed range (negative or fractional offsets, `end` before `start`). */
export function assertByteRange(range: ByteRange): void {
  const { start, end } = range
  const ok =
    Number.isSafeInteger(start) &&
    start >= 0 &&
    (end === undefined || (Number.isSafeInteger(end) && end >= start))
  if (!ok) throw StorageErrors.rangeNotSatisfiable({ details: { start, end } })
}

/** The inclusive offsets a range covers in an object of `size` bytes: `end` clamped, nothing past the end. */
export function resolveByteRange(range: ByteRange, size: number): { start: number; end: number } {
  assertByteRange(range)
  if (range.start >= size) throw StorageErrors.rangeNotSatisfiable({ details: { size } })
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) }
}

/** The content type recorded when a provider has none for an object. */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream'
