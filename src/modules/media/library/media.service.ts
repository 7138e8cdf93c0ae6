import { createReadStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { requireCapability, requireSite, requireUser, type Ctx } from '../../../platform/access/index.ts'
import { DEFAULT_PAGE_LIMIT, parseRange } from '../../../platform/http/index.ts'
import { newId, pageOf, sqlStateOf, type Page } from '../../../platform/db/index.ts'
import {
  StorageErrors,
  spoolToFile,
  temporaryPath,
  type ObjectRead,
  type ObjectStore,
} from '../../../platform/storage/index.ts'
import { recordAudit } from '../../audit/index.ts'
import { QuotasErrors, type QuotasService } from '../../sites/index.ts'
import { inspectUpload } from './media.inspect.ts'
import { MediaErrors } from './media.errors.ts'
import {
  deleteMedia,
  findByIdempotencyKey,
  findMedia,
  insertMedia,
  listMedia,
  sumMediaBytes,
  updateMedia,
  type MediaRow,
} from './media.repo.ts'
import type { ListMediaQuery, MediaViewData, UpdateMediaBody } from './media.schema.ts'

/**
 * The media library of a site: uploads (streamed to a temporary file, checked from their bytes, then put
 * in the object store and recorded), the library's listing and metadata, deletion, and the file itself for
 * editors. A failed upload leaves neither an object nor a row behind.
 */

export interface MediaServiceDeps {
  store: ObjectStore
  quotas: Pick<QuotasService, 'mediaBytesLimit' | 'assertMediaBytes'>
  /** The largest file one upload may carry. */
  maxUploadBytes: number
  /** Where uploads are spooled while they are checked (on local disk, whatever the store). */
  tmpDir: string
}

export interface UploadInput {
  file: Readable
  /** The name the client gave; kept (cleaned) for downloads only, never to decide the type. */
  filename: string
  idempotencyKey?: string | undefined
  title?: string | undefined
  alt?: string | undefined
}

/** What `file` answers. */
export type FileAnswer =
  | { kind: 'not-modified'; row: MediaRow; etag: string }
  | { kind: 'unsatisfiable'; row: MediaRow; etag: string }
  | { kind: 'file'; row: MediaRow; etag: string; read: ObjectRead }

/** The library's capability to read: whoever may add files may browse them. */
const READ = 'site.media.create'

export type MediaService = ReturnType<typeof createMediaService>

export function createMediaService(deps: MediaServiceDeps) {
  const { store } = deps

  function view(row: MediaRow): MediaViewData {
    return {
      id: row.id,
      category: row.category as MediaViewData['category'],
      mimeType: row.mimeType,
      filename: row.filename,
      sizeBytes: row.sizeBytes,
      sha256: row.sha256,
      width: row.width,
      height: row.height,
      title: row.title,
      alt: row.alt,
      caption: row.caption,
      credit: row.credit,
      decorative: row.decorative,
      focalPoint: row.focalX === null || row.focalY === null ? null : { x: row.focalX, y: row.focalY },
      uploaderId: row.uploaderId,
      fileUrl: `/api/v1/sites/${row.siteId}/media/${row.id}/file`,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    }
  }

  /**
   * Stores one uploaded file. `created` is false when the Idempotency-Key names an item this uploader
   * already made (a retried upload): that item is returned and the body is not stored again.
   */
  async function upload(ctx: Ctx, input: UploadInput): Promise<{ item: MediaViewData; created: boolean }> {
    requireCapability(ctx, 'site.media.create')
    const site = requireSite(ctx)
    const actor = requireUser(ctx)
    const key = input.idempotencyKey
    if (key !== undefined) {
      const earlier = await ctx.tx((tx) =>
        findByIdempotencyKey(tx, { siteId: site.id, uploaderId: actor.userId, key }),
      )
      if (earlier) {
        input.file.resume()
        return { item: view(earlier), created: false }
      }
    }
    // What is left of the quota bounds the stream as much as the upload limit does.
    const { limit, used } = await ctx.tx(async (tx) => ({
      limit: await deps.quotas.mediaBytesLimit(ctx, tx),
      used: await sumMediaBytes(tx, site.id),
    }))
    const room = limit > 0 ? limit - used : Number.POSITIVE_INFINITY
    if (room <= 0) {
      input.file.destroy()
      throw QuotasErrors.mediaBytes({ details: { limit, used } })
    }
    const maxBytes = Math.min(deps.maxUploadBytes, room)
    await mkdir(deps.tmpDir, { recursive: true, mode: 0o700 })
    const spooled = temporaryPath(deps.tmpDir)
    try {
      let file
      try {
        file = await spoolToFile(input.file, spooled, maxBytes)
      } catch (err) {
        if (!StorageErrors.tooLarge.is(err)) throw err
        if (maxBytes < deps.maxUploadBytes) throw QuotasErrors.mediaBytes({ details: { limit, used } })
        throw MediaErrors.fileTooLarge({ details: { maxBytes: deps.maxUploadBytes } })
      }
      const checked = await inspectUpload(spooled, { filename: input.filename })
      const id = newId()
      const storageKey = `${site.id}/originals/${id}.${checked.ext}`
      await store.put(storageKey, createReadStream(spooled), { contentType: checked.mime })
      try {
        const row = await ctx.tx(async (tx) => {
          await deps.quotas.assertMediaBytes(ctx, tx, file.size, () => sumMediaBytes(tx, site.id))
          const inserted = await insertMedia(tx, {
            id,
            siteId: site.id,
            uploaderId: actor.userId,
            storageKey,
            filename: checked.filename,
            mimeType: checked.mime,
            category: checked.category,
            sizeBytes: file.size,
            sha256: file.sha256,
            width: checked.width ?? null,
            height: checked.height ?? null,
            title: input.title ?? checked.title,
            alt: input.alt ?? '',
            idempotencyKey: key ?? null,
          })
          await recordAudit(ctx, tx, {
            action: 'media.upload',
            target: { type: 'media', id },
            summary: { filename: checked.filename, mimeType: checked.mime, sizeBytes: file.size },
          })
          return inserted
        })
        return { item: view(row), created: true }
      } catch (err) {
        // Nothing of a refused upload stays in the store.
        await store.delete(storageKey)
        if (key !== undefined && sqlStateOf(err) === '23505') {
          // The same upload, retried while the first was still being stored: the first one won.
          const earlier = await ctx.tx((tx) =>
            findByIdempotencyKey(tx, { siteId: site.id, uploaderId: actor.userId, key }),
          )
          if (earlier) return { item: view(earlier), created: false }
        }
        throw err
      }
    } finally {
      await rm(spooled, { force: true })
    }
  }

  async function list(ctx: Ctx, query: ListMediaQuery): Promise<Page<MediaViewData>> {
    requireCapability(ctx, READ)
    const site = requireSite(ctx)
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT
    const rows = await ctx.tx((tx) =>
      listMedia(tx, {
        siteId: site.id,
        before: query.cursor,
        limit: limit + 1,
        category: query.category,
        uploaderId: query.uploader,
        search: query.search?.trim() || undefined,
        createdAfter: query.createdAfter,
        createdBefore: query.createdBefore,
      }),
    )
    return pageOf(rows, limit, view, (row) => row.id)
  }

  async function rowOf(ctx: Ctx, id: string): Promise<MediaRow> {
    const site = requireSite(ctx)
    const row = await ctx.tx((tx) => findMedia(tx, site.id, id))
    if (!row) throw MediaErrors.notFound()
    return row
  }

  async function get(ctx: Ctx, id: string): Promise<MediaViewData> {
    requireCapability(ctx, READ)
    return view(await rowOf(ctx, id))
  }

  async function update(ctx: Ctx, id: string, patch: UpdateMediaBody): Promise<MediaViewData> {
    const site = requireSite(ctx)
    return ctx.tx(async (tx) => {
      const before = await findMedia(tx, site.id, id)
      if (!before) throw MediaErrors.notFound()
      requireCapability(ctx, 'site.media.edit', { ownerId: before.uploaderId ?? '' })
      const focal = patch.focalPoint
      const row = await updateMedia(tx, site.id, id, {
        ...(patch.title !== undefined && { title: patch.title }),
        ...(patch.alt !== undefined && { alt: patch.alt }),
        ...(patch.caption !== undefined && { caption: patch.caption }),
        ...(patch.credit !== undefined && { credit: patch.credit }),
        ...(patch.decorative !== undefined && { decorative: patch.decorative }),
        ...(focal !== undefined && { focalX: focal?.x ?? null, focalY: focal?.y ?? null }),
      })
      if (!row) throw MediaErrors.notFound()
      await recordAudit(ctx, tx, {
        action: 'media.update',
        target: { type: 'media', id },
        summary: { fields: Object.keys(patch) },
      })
      return view(row)
    })
  }

  /** Deletes the item, then its stored object (a failure there leaves an orphan for the cleanup job). */
  async function remove(ctx: Ctx, id: string): Promise<void> {
    const site = requireSite(ctx)
    const removed = await ctx.tx(async (tx) => {
      const before = await findMedia(tx, site.id, id)
      if (!before) throw MediaErrors.notFound()
      requireCapability(ctx, 'site.media.delete', { ownerId: before.uploaderId ?? '' })
      const row = await deleteMedia(tx, site.id, id)
      await recordAudit(ctx, tx, {
        action: 'media.delete',
        target: { type: 'media', id },
        summary: { filename: before.filename, sizeBytes: before.sizeBytes },
      })
      return row
    })
    if (!removed) return
    try {
      await store.delete(removed.storageKey)
    } catch (err) {
      ctx.log.warn({ err, key: removed.storageKey }, 'media object left behind after delete')
    }
  }

  /**
   * Removes an item this very request created, whatever the caller may delete: an upload whose request
   * turned out to be invalid after its file was stored (a second file part) is undone.
   */
  async function discard(ctx: Ctx, id: string): Promise<void> {
    const site = requireSite(ctx)
    const removed = await ctx.tx((tx) => deleteMedia(tx, site.id, id))
    if (removed) await store.delete(removed.storageKey)
  }

  /**
   * The item's file for editors: 304 when `ifNoneMatch` names its ETag, one byte range when `range` asks
   * for one it can satisfy (416 when it cannot), else the whole file.
   */
  async function file(
    ctx: Ctx,
    id: string,
    request: { range?: string | undefined; ifNoneMatch?: string | undefined },
  ): Promise<FileAnswer> {
    requireCapability(ctx, READ)
    const row = await rowOf(ctx, id)
    const etag = `"${row.sha256}"`
    if (request.ifNoneMatch !== undefined && request.ifNoneMatch.split(/\s*,\s*/).includes(etag))
      return { kind: 'not-modified', row, etag }
    const range = parseRange(request.range, row.sizeBytes)
    if (range.kind === 'unsatisfiable') return { kind: 'unsatisfiable', row, etag }
    const read = await store.get(row.storageKey, range.kind === 'range' ? { range } : undefined)
    if (!read) throw MediaErrors.notFound()
    return { kind: 'file', row, etag, read }
  }

  return { upload, discard, list, get, update, remove, file }
}
