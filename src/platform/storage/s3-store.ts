import { createReadStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import type { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3'
import {
  DEFAULT_CONTENT_TYPE,
  assertByteRange,
  assertKeyPrefix,
  assertObjectKey,
  isObjectKey,
  type ObjectInfo,
  type ObjectRead,
  type ObjectStore,
} from './object-store.ts'
import { isNetworkErrorCode } from '../errors/index.ts'
import { destroyOnFailure, spoolToFile, temporaryPath } from './spool.ts'
import { StorageErrors } from './storage.errors.ts'

/** Options of `createS3Store`. */
export interface S3StoreOptions {
  /** The service's address, for S3-compatible providers (`https://…`); AWS itself when absent. */
  endpoint?: string
  region: string
  bucket: string
  /** `https://host/bucket/key` addressing instead of `https://bucket.host/key` (most self-hosted providers). */
  forcePathStyle: boolean
  /** Static credentials; when absent the SDK's default chain applies (instance role, AWS profile…). */
  credentials?: { accessKeyId: string; secretAccessKey: string }
  /** Where uploads are spooled before they are sent (default `os.tmpdir()`). */
  tmpDir?: string
  /** Objects per `ListObjectsV2` page (default 1000, the most S3 returns); tests set it low. */
  listPageSize?: number
  /** Tries per request, the first included (default 3); a put retries with a fresh read of its file. */
  maxAttempts?: number
  /** Time allowed to open a connection, in milliseconds (default 5000). */
  connectionTimeoutMs?: number
  /** Time a request may wait for the next response bytes, in milliseconds (default 60000). */
  requestTimeoutMs?: number
}

/** Heads sent at once to learn the content types of one listed page (a listing does not carry them). */
const HEAD_CONCURRENCY = 8

/** Provider answers that mean "not now": internal error, bad gateway, unavailable or slow down, gateway timeout. */
const UNAVAILABLE_STATUSES = new Set([500, 502, 503, 504])

interface SdkErrorLike {
  name?: unknown
  code?: unknown
  cause?: unknown
  $metadata?: { httpStatusCode?: number }
}

/** True when the failure (or what it wraps) says the provider is unreachable or refusing work for now. */
function isUnavailable(err: unknown): boolean {
  let e: unknown = err
  for (let depth = 0; depth < 8 && typeof e === 'object' && e !== null; depth++) {
    const { name, code, cause, $metadata } = e as SdkErrorLike
    if (isNetworkErrorCode(code) || name === 'TimeoutError') return true
    if (UNAVAILABLE_STATUSES.has($metadata?.httpStatusCode ?? 0)) return true
    e = cause
  }
  return false
}

/** A missing object. A missing bucket is a configuration error and stays one (HEAD cannot tell them apart). */
function isMissing(err: unknown): boolean {
  const e = err as SdkErrorLike
  if (e?.name === 'NoSuchBucket') return false
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404
}

function isInvalidRange(err: unknown): boolean {
  const e = err as SdkErrorLike
  return e?.name === 'InvalidRange' || e?.$metadata?.httpStatusCode === 416
}

/** Rethrows a provider failure, as `COLOPHON_STORAGE_UNAVAILABLE` when it is an outage. */
function storageFailure(err: unknown): never {
  if (isUnavailable(err)) throw StorageErrors.unavailable({ cause: err })
  throw err
}

/** `bytes 0-9/11` → the range and the whole size. */
function parseContentRange(
  value: string | undefined,
): { start: number; end: number; size: number } | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value ?? '')
  if (!match) return undefined
  return { start: Number(match[1]), end: Number(match[2]), size: Number(match[3]) }
}

/**
 * Objects in one bucket of S3 or an S3-compatible service. A put spools the body to a temporary file
 * first (hashing, counting, enforcing `maxBytes`), then sends it in one `PutObject` with its length:
 * memory stays flat, a failed or oversized upload never reaches the bucket, and S3 replaces an object
 * atomically. The temporary file is removed whatever happens.
 */
export function createS3Store(options: S3StoreOptions): ObjectStore {
  const { bucket } = options
  const tmpDir = options.tmpDir ?? tmpdir()
  const maxAttempts = options.maxAttempts ?? 3
  const client = new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    maxAttempts,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 5000,
      requestTimeout: options.requestTimeoutMs ?? 60_000,
    },
    // Checksums only where an operation requires them: several S3-compatible services refuse the
    // streamed trailing checksums the SDK would otherwise add to every upload.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // The SDK warns on the console when it will not retry a streamed upload; put retries on its own.
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  })

  async function send<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request()
    } catch (err) {
      return storageFailure(err)
    }
  }

  async function head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
      return {
        key,
        size: out.ContentLength ?? 0,
        contentType: out.ContentType ?? DEFAULT_CONTENT_TYPE,
        lastModified: out.LastModified ?? new Date(0),
      }
    } catch (err) {
      if (isMissing(err)) return undefined
      return storageFailure(err)
    }
  }

  /** Sends the spooled file, reading it afresh for each try (a consumed stream cannot be sent again). */
  async function upload(key: string, file: string, size: number, contentType: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: createReadStream(file),
            ContentLength: size,
            ContentType: contentType,
          }),
        )
        return
      } catch (err) {
        if (attempt >= maxAttempts || !isUnavailable(err)) storageFailure(err)
        await sleep(100 * 2 ** (attempt - 1))
      }
    }
  }

  return {
    kind: 's3',

    async put(key, body, { contentType, maxBytes }) {
      await destroyOnFailure(body, async () => {
        assertObjectKey(key)
        await mkdir(tmpDir, { recursive: true, mode: 0o700 })
      })
      const file = temporaryPath(tmpDir)
      try {
        const stored = await spoolToFile(body, file, maxBytes)
        await upload(key, file, stored.size, contentType)
        return stored
      } finally {
        await rm(file, { force: true })
      }
    },

    async get(key, options = {}) {
      assertObjectKey(key)
      const { range } = options
      if (range) assertByteRange(range)
      let out: GetObjectCommandOutput
      try {
        out = await client.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: key,
            Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined,
          }),
        )
      } catch (err) {
        if (isMissing(err)) return undefined
        if (range && isInvalidRange(err)) {
          const info = await head(key)
          if (!info) return undefined
          throw StorageErrors.rangeNotSatisfiable({ details: { size: info.size } })
        }
        return storageFailure(err)
      }
      return readOf(out, range !== undefined)
    },

    async head(key) {
      assertObjectKey(key)
      return head(key)
    },

    async delete(key) {
      assertObjectKey(key)
      await send(() => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })))
    },

    async *list(prefix) {
      assertKeyPrefix(prefix)
      let token: string | undefined
      do {
        const page = await send(() =>
          client.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: prefix,
              ContinuationToken: token,
              MaxKeys: options.listPageSize ?? 1000,
            }),
          ),
        )
        const keys = (page.Contents ?? []).map((c) => c.Key ?? '').filter(isObjectKey)
        // A listing has no content types; an object deleted since the listing is left out.
        for (let i = 0; i < keys.length; i += HEAD_CONCURRENCY) {
          const infos = await Promise.all(keys.slice(i, i + HEAD_CONCURRENCY).map(head))
          for (const info of infos) if (info) yield info
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined
      } while (token)
    },

    async close() {
      client.destroy()
    },
  }
}

function readOf(out: GetObjectCommandOutput, ranged: boolean): ObjectRead {
  const body = out.Body as Readable
  const contentType = out.ContentType ?? DEFAULT_CONTENT_TYPE
  const span = parseContentRange(out.ContentRange)
  // A ranged request may be answered in full (206 is optional for a server): then there is no range.
  if (!ranged || !span) return { body, size: out.ContentLength ?? 0, contentType }
  return { body, size: span.size, contentType, range: { start: span.start, end: span.end } }
}
