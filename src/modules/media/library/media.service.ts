import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { can, requireCapability, requireSite, requireUser, type Ctx } from '../../../platform/access/index.ts'
import {
  DEFAULT_PAGE_LIMIT,
  RemoteFetchErrors,
  fetchRemoteFile,
  parseRange,
  type RemoteAllowList,
  type RemoteFetchOptions,
} from '../../../platform/http/index.ts'
import { newId, pageOf, sqlStateOf, type Page } from '../../../platform/db/index.ts'
import {
  StorageErrors,
  spoolToFile,
  temporaryPath,
  type ObjectRead,
  type ObjectStore,
} from '../../../platform/storage/index.ts'
import type { Jobs } from '../../../platform/jobs/index.ts'
import { recordAudit } from '../../audit/index.ts'
import { QuotasErrors, type QuotasService } from '../../sites/index.ts'
import { inspectUpload } from './media.inspect.ts'
import { MediaErrors } from './media.errors.ts'
import { removeMediaFromEntries } from '../../content/index.ts'
import { assertFolder } from './folders.service.ts'
import {
  deleteMedia,
  deleteMediaRows,
  lockMediaRows,
  moveMedia,
  usageOf,
  findByIdempotencyKey,
  findMedia,
  insertMedia,
  listMedia,
  listVariantsOf,
  siteMediaSettings,
  sumMediaBytes,
  updateMedia,
  type MediaRow,
  type VariantRow,
} from './media.repo.ts'
import { MEDIA_PROCESS_QUEUE } from './media.jobs.ts'
import type {
  BulkMediaBody,
  BulkMediaResultData,
  ListMediaQuery,
  MediaViewData,
  UpdateMediaBody,
  UsageViewData,
} from './media.schema.ts'
import { VARIANT_NAME, filePathOf, variantKeyOf, variantNameOf, variantPathOf } from './media.urls.ts'

/**
 * The media library of a site: uploads (streamed to a temporary file, checked from their bytes, then put
 * in the object store and recorded), the library's listing and metadata, deletion, and the file itself for
 * editors. A failed upload leaves neither an object nor a row behind.
 */

export interface MediaServiceDeps {
  store: ObjectStore
  quotas: Pick<QuotasService, 'mediaBytesLimit' | 'assertMediaBytes'>
  /** Queues the image work of new images (`media.process`), in the upload's transaction. */
  jobs: Pick<Jobs, 'sendWithin'>
  /** The largest file one upload may carry. */
  maxUploadBytes: number
  /** Where uploads are spooled while they are checked (on local disk, whatever the store). */
  tmpDir: string
  /** Imports from URLs: the deadline, the operator's allow-list, and (tests) a DNS resolver. */
  importer: {
    timeoutMs: number
    allow: RemoteAllowList
    resolve?: RemoteFetchOptions['resolve']
  }
}

/** A file on the spool: its size and hash, and for an import where it came from and its name there. */
interface SpooledFile {
  size: number
  sha256: string
  url?: string
  name?: string
}

export interface ImportInput {
  url: string
  idempotencyKey?: string | undefined
  title?: string | undefined
  alt?: string | undefined
}

export interface UploadInput {
  file: Readable
  /** The name the client gave; kept (cleaned) for downloads only, never to decide the type. */
  filename: string
  idempotencyKey?: string | undefined
  title?: string | undefined
  alt?: string | undefined
}

/**
 * Whether an `If-None-Match` header names `etag`: answered before the store is read, so a 304 costs no
 * object read (the ETag plugin would only compare after the body was opened).
 */
function namesTag(ifNoneMatch: string | undefined, etag: string): boolean {
  return ifNoneMatch !== undefined && ifNoneMatch.split(/\s*,\s*/).includes(etag)
}

/** Every object an item has in the store: its original, its cleaned copy, its variants. */
function objectKeysOf(row: MediaRow, variants: readonly VariantRow[]): string[] {
  return [row.storageKey, ...(row.cleanKey ? [row.cleanKey] : []), ...variants.map((v) => v.storageKey)]
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

  function view(row: MediaRow, variants: readonly VariantRow[] = []): MediaViewData {
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
      folderId: row.folderId,
      url: filePathOf(row),
      fileUrl: `/api/v1/sites/${row.siteId}/media/${row.id}/file`,
      processing: row.processing as MediaViewData['processing'],
      placeholder:
        row.dominantColor !== null && row.thumbhash !== null
          ? { dominantColor: row.dominantColor, thumbhash: row.thumbhash }
          : null,
      variants: variants.map((v) => ({
        width: v.width,
        height: v.height,
        format: v.format as MediaViewData['variants'][number]['format'],
        crop: v.crop as MediaViewData['variants'][number]['crop'],
        sizeBytes: v.sizeBytes,
        url: variantPathOf(row, v.storageKey),
        fileUrl: `/api/v1/sites/${row.siteId}/media/${row.id}/file?variant=${encodeURIComponent(variantNameOf(v.storageKey))}`,
      })),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    }
  }

  /** Views of `rows` with their variants: one more statement for any number of rows. */
  async function viewsOf(ctx: Ctx, rows: readonly MediaRow[]): Promise<MediaViewData[]> {
    const site = requireSite(ctx)
    const variants = await ctx.tx((tx) =>
      listVariantsOf(
        tx,
        site.id,
        rows.filter((r) => r.processing === 'ready').map((r) => r.id),
      ),
    )
    return rows.map((row) =>
      view(
        row,
        variants.filter((v) => v.mediaId === row.id),
      ),
    )
  }

  /**
   * What every new file goes through, however its bytes arrive (`fill` writes them to the spool file,
   * bounded by `maxBytes`): the retry check (Idempotency-Key), the quota's room, the type and content
   * checks, the store, then the row, quota and audit in one transaction. Nothing of a refused file stays:
   * no row, no object, no temporary file. `created` is false for a retry of an upload already made.
   */
  async function receive(
    ctx: Ctx,
    input: {
      filename: (fetched: SpooledFile) => string
      idempotencyKey?: string | undefined
      title?: string | undefined
      alt?: string | undefined
      source: 'upload' | 'url'
      discard: () => void
      fill: (spooled: string, maxBytes: number, room: number) => Promise<SpooledFile>
    },
  ): Promise<{ item: MediaViewData; created: boolean }> {
    requireCapability(ctx, 'site.media.create')
    const site = requireSite(ctx)
    const actor = requireUser(ctx)
    const key = input.idempotencyKey
    if (key !== undefined) {
      const earlier = await ctx.tx((tx) =>
        findByIdempotencyKey(tx, { siteId: site.id, uploaderId: actor.userId, key }),
      )
      if (earlier) {
        input.discard()
        return { item: (await viewsOf(ctx, [earlier]))[0] as MediaViewData, created: false }
      }
    }
    // What is left of the quota bounds the stream as much as the upload limit does.
    const { limit, used, settings } = await ctx.tx(async (tx) => ({
      limit: await deps.quotas.mediaBytesLimit(ctx, tx),
      used: await sumMediaBytes(tx, site.id),
      settings: await siteMediaSettings(tx, site.id),
    }))
    const room = limit > 0 ? limit - used : Number.POSITIVE_INFINITY
    if (room <= 0) {
      input.discard()
      throw QuotasErrors.mediaBytes({ details: { limit, used } })
    }
    const maxBytes = Math.min(deps.maxUploadBytes, room)
    await mkdir(deps.tmpDir, { recursive: true, mode: 0o700 })
    const spooled = temporaryPath(deps.tmpDir)
    try {
      let file: SpooledFile
      try {
        file = await input.fill(spooled, maxBytes, room)
      } catch (err) {
        if (!StorageErrors.tooLarge.is(err) && !RemoteFetchErrors.tooLarge.is(err)) throw err
        if (maxBytes < deps.maxUploadBytes) throw QuotasErrors.mediaBytes({ details: { limit, used } })
        throw MediaErrors.fileTooLarge({ details: { maxBytes: deps.maxUploadBytes } })
      }
      const checked = await inspectUpload(spooled, {
        filename: input.filename(file),
        allowed: settings.allowedCategories,
      })
      if (checked.replacement) {
        // A sanitised SVG is kept instead of the upload: its own size and hash.
        await writeFile(spooled, checked.replacement)
        file = {
          size: checked.replacement.length,
          sha256: createHash('sha256').update(checked.replacement).digest('hex'),
        }
      }
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
            // Images get a cleaned original and variants from a job; other files are ready as they are.
            processing: checked.category === 'image' ? 'pending' : 'none',
          })
          if (checked.category === 'image')
            await deps.jobs.sendWithin(tx, ctx, MEDIA_PROCESS_QUEUE, { mediaId: id })
          await recordAudit(ctx, tx, {
            action: input.source === 'url' ? 'media.import' : 'media.upload',
            target: { type: 'media', id },
            summary: {
              filename: checked.filename,
              mimeType: checked.mime,
              sizeBytes: file.size,
              ...(file.url !== undefined && { url: file.url }),
            },
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
          if (earlier) return { item: (await viewsOf(ctx, [earlier]))[0] as MediaViewData, created: false }
        }
        throw err
      }
    } finally {
      await rm(spooled, { force: true })
    }
  }

  /** Stores one uploaded file, streamed from the request (see `receive`). */
  function upload(ctx: Ctx, input: UploadInput): Promise<{ item: MediaViewData; created: boolean }> {
    return receive(ctx, {
      source: 'upload',
      filename: () => input.filename,
      idempotencyKey: input.idempotencyKey,
      title: input.title,
      alt: input.alt,
      discard: () => input.file.resume(),
      fill: (spooled, maxBytes) => spoolToFile(input.file, spooled, maxBytes),
    })
  }

  /**
   * Imports a file from a URL (see `receive`): fetched by the server within the upload limit and the
   * import deadline, from public addresses only (after DNS, at every redirect) unless the operator's
   * allow-list names the host or range.
   */
  function importUrl(ctx: Ctx, input: ImportInput): Promise<{ item: MediaViewData; created: boolean }> {
    return receive(ctx, {
      source: 'url',
      filename: (fetched) => fetched.name ?? 'download',
      idempotencyKey: input.idempotencyKey,
      title: input.title,
      alt: input.alt,
      discard: () => undefined,
      fill: async (spooled, maxBytes) => {
        const fetched = await fetchRemoteFile({
          url: input.url,
          destination: spooled,
          maxBytes,
          timeoutMs: deps.importer.timeoutMs,
          allow: deps.importer.allow,
          userAgent: 'Colophon media import',
          ...(deps.importer.resolve && { resolve: deps.importer.resolve }),
        })
        return {
          size: fetched.size,
          sha256: fetched.sha256,
          url: fetched.finalUrl,
          ...(fetched.fileName !== undefined && { name: fetched.fileName }),
        }
      },
    })
  }

  async function list(ctx: Ctx, query: ListMediaQuery): Promise<Page<MediaViewData>> {
    requireCapability(ctx, READ)
    const site = requireSite(ctx)
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT
    const rows = await ctx.tx((tx) =>
      listMedia(tx, {
        folder: query.folder,
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
    const page = pageOf(
      rows,
      limit,
      (row) => row,
      (row) => row.id,
    )
    return { items: await viewsOf(ctx, page.items), nextCursor: page.nextCursor }
  }

  async function rowOf(ctx: Ctx, id: string): Promise<MediaRow> {
    const site = requireSite(ctx)
    const row = await ctx.tx((tx) => findMedia(tx, site.id, id))
    if (!row) throw MediaErrors.notFound()
    return row
  }

  async function get(ctx: Ctx, id: string): Promise<MediaViewData> {
    requireCapability(ctx, READ)
    return (await viewsOf(ctx, [await rowOf(ctx, id)]))[0] as MediaViewData
  }

  async function update(ctx: Ctx, id: string, patch: UpdateMediaBody): Promise<MediaViewData> {
    const site = requireSite(ctx)
    return ctx
      .tx(async (tx) => {
        const before = await findMedia(tx, site.id, id)
        if (!before) throw MediaErrors.notFound()
        requireCapability(ctx, 'site.media.edit', { ownerId: before.uploaderId ?? '' })
        const focal = patch.focalPoint
        const folderId = patch.folderId === undefined ? undefined : (patch.folderId?.toLowerCase() ?? null)
        if (folderId !== undefined) await assertFolder(tx, site.id, folderId)
        const row = await updateMedia(tx, site.id, id, {
          ...(folderId !== undefined && { folderId }),
          ...(patch.title !== undefined && { title: patch.title }),
          ...(patch.alt !== undefined && { alt: patch.alt }),
          ...(patch.caption !== undefined && { caption: patch.caption }),
          ...(patch.credit !== undefined && { credit: patch.credit }),
          ...(patch.decorative !== undefined && { decorative: patch.decorative }),
          ...(focal !== undefined && { focalX: focal?.x ?? null, focalY: focal?.y ?? null }),
        })
        if (!row) throw MediaErrors.notFound()
        // A new focal point makes new crops (under new names; the old ones go with the cleanup job).
        const movedFocus =
          focal !== undefined && (row.focalX !== before.focalX || row.focalY !== before.focalY)
        if (movedFocus && row.category === 'image')
          await deps.jobs.sendWithin(tx, ctx, MEDIA_PROCESS_QUEUE, { mediaId: id })
        await recordAudit(ctx, tx, {
          action: 'media.update',
          target: { type: 'media', id },
          summary: { fields: Object.keys(patch) },
        })
        return row
      })
      .then(async (row) => (await viewsOf(ctx, [row]))[0] as MediaViewData)
  }

  /**
   * Deletes items, then their stored objects (a failure there leaves orphans for the cleanup job). All or
   * nothing: an item missing, not the caller's to delete, or shown by entries (unless `force`) refuses the
   * whole call. With `force`, each item is first taken out of the entries that show them (which needs
   * `site.content.edit.any`), in the same transaction.
   */
  async function deleteItems(
    ctx: Ctx,
    ids: readonly string[],
    force: boolean,
  ): Promise<{ ids: string[]; entriesChanged: string[] }> {
    const site = requireSite(ctx)
    const wanted = [...new Set(ids.map((id) => id.toLowerCase()))]
    const { keys, entriesChanged } = await ctx.tx(async (tx) => {
      const rows = await lockMediaRows(tx, site.id, wanted)
      const missing = wanted.filter((id) => !rows.some((r) => r.id === id))
      if (missing.length > 0) throw MediaErrors.notFound({ details: { ids: missing } })
      for (const row of rows) requireCapability(ctx, 'site.media.delete', { ownerId: row.uploaderId ?? '' })
      const usage = await usageOf(tx, site.id, wanted)
      const changed = new Set<string>()
      if (usage.length > 0) {
        if (!force)
          throw MediaErrors.inUse({
            details: {
              entries: usage.slice(0, 20).map((u) => ({
                mediaId: u.mediaId,
                entryId: u.entryId,
                title: u.title,
                status: u.status,
              })),
              count: usage.length,
            },
          })
        if (!can(ctx, 'site.content.edit.any')) throw MediaErrors.forceNotAllowed()
        for (const mediaId of new Set(usage.map((u) => u.mediaId)))
          for (const entryId of await removeMediaFromEntries(ctx, tx, { siteId: site.id, mediaId }))
            changed.add(entryId)
      }
      const variants = await listVariantsOf(tx, site.id, wanted)
      const removed = await deleteMediaRows(tx, site.id, wanted)
      for (const row of removed) {
        const shownBy = [...new Set(usage.filter((u) => u.mediaId === row.id).map((u) => u.entryId))]
        await recordAudit(ctx, tx, {
          action: 'media.delete',
          target: { type: 'media', id: row.id },
          summary: {
            filename: row.filename,
            sizeBytes: row.sizeBytes,
            ...(shownBy.length > 0 && { forced: true, entries: shownBy }),
          },
        })
      }
      return {
        keys: removed.flatMap((row) =>
          objectKeysOf(
            row,
            variants.filter((v) => v.mediaId === row.id),
          ),
        ),
        entriesChanged: [...changed],
      }
    })
    for (const key of keys) {
      try {
        await store.delete(key)
      } catch (err) {
        ctx.log.warn({ err, key }, 'media object left behind after delete')
      }
    }
    return { ids: wanted, entriesChanged }
  }

  async function remove(ctx: Ctx, id: string, options: { force?: boolean } = {}): Promise<void> {
    await deleteItems(ctx, [id], options.force === true)
  }

  /** Files items in a folder (null: the top), all or none; each must be the caller's to edit. */
  async function moveItems(ctx: Ctx, ids: readonly string[], folderId: string | null): Promise<string[]> {
    const site = requireSite(ctx)
    const wanted = [...new Set(ids.map((id) => id.toLowerCase()))]
    const folder = folderId?.toLowerCase() ?? null
    return ctx.tx(async (tx) => {
      const rows = await lockMediaRows(tx, site.id, wanted)
      const missing = wanted.filter((id) => !rows.some((r) => r.id === id))
      if (missing.length > 0) throw MediaErrors.notFound({ details: { ids: missing } })
      for (const row of rows) requireCapability(ctx, 'site.media.edit', { ownerId: row.uploaderId ?? '' })
      await assertFolder(tx, site.id, folder)
      await moveMedia(tx, site.id, wanted, folder)
      await recordAudit(ctx, tx, {
        action: 'media.move',
        target: { type: 'media_folder', id: folder ?? 'root' },
        summary: { ids: wanted, folderId: folder },
      })
      return wanted
    })
  }

  /** Moves or deletes up to 100 items in one call: all of them, or none with the reason. */
  async function bulk(ctx: Ctx, input: BulkMediaBody): Promise<BulkMediaResultData> {
    if (input.action === 'move') {
      if (input.folderId === undefined)
        throw MediaErrors.folderNotFound({ details: { reason: 'a move names its folderId (null: the top)' } })
      return { action: 'move', ids: await moveItems(ctx, input.ids, input.folderId), entriesChanged: [] }
    }
    return { action: 'delete', ...(await deleteItems(ctx, input.ids, input.force === true)) }
  }

  /** The entries that show the item, and how: the library's "used in" list. */
  async function usage(ctx: Ctx, id: string): Promise<UsageViewData> {
    requireCapability(ctx, READ)
    const row = await rowOf(ctx, id)
    const rows = await ctx.tx((tx) => usageOf(tx, row.siteId, [row.id]))
    return {
      items: rows.map((u) => ({
        entryId: u.entryId,
        title: u.title,
        type: u.type,
        status: u.status,
        via: u.via as UsageViewData['items'][number]['via'],
        live: u.live,
      })),
    }
  }

  /**
   * Removes an item this very request created, whatever the caller may delete: an upload whose request
   * turned out to be invalid after its file was stored (a second file part) is undone.
   */
  async function discard(ctx: Ctx, id: string): Promise<void> {
    const site = requireSite(ctx)
    const removed = await ctx.tx(async (tx) => {
      const variants = await listVariantsOf(tx, site.id, [id])
      const row = await deleteMedia(tx, site.id, id)
      return row && objectKeysOf(row, variants)
    })
    for (const key of removed ?? []) await store.delete(key)
  }

  /**
   * The item's file for editors: 304 when `ifNoneMatch` names its ETag, one byte range when `range` asks
   * for one it can satisfy (416 when it cannot), else the whole file.
   */
  async function file(
    ctx: Ctx,
    id: string,
    request: { range?: string | undefined; ifNoneMatch?: string | undefined; variant?: string | undefined },
  ): Promise<FileAnswer> {
    requireCapability(ctx, READ)
    const row = await rowOf(ctx, id)
    if (request.variant !== undefined) return variantFile(ctx, row, request)
    const etag = `"${row.sha256}"`
    if (namesTag(request.ifNoneMatch, etag)) return { kind: 'not-modified', row, etag }
    const range = parseRange(request.range, row.sizeBytes)
    if (range.kind === 'unsatisfiable') return { kind: 'unsatisfiable', row, etag }
    const read = await store.get(row.storageKey, range.kind === 'range' ? { range } : undefined)
    if (!read) throw MediaErrors.notFound()
    return { kind: 'file', row, etag, read }
  }

  /**
   * The cleaned original (`clean`) or one variant (its name, as in its `url`) of an image, once made;
   * unknown or not yet made: 404. Their ETag is their key (objects at a key are only ever rewritten with
   * the same content, by a job run again).
   */
  async function variantFile(
    ctx: Ctx,
    row: MediaRow,
    request: { range?: string | undefined; ifNoneMatch?: string | undefined; variant?: string | undefined },
  ): Promise<FileAnswer> {
    let key: string | null = null
    let mimeType = row.mimeType
    const name = request.variant ?? ''
    if (name === 'clean') key = row.cleanKey
    else if (VARIANT_NAME.test(name)) {
      const wanted = variantKeyOf(row.siteId, row.id, name)
      const variants = await ctx.tx((tx) => listVariantsOf(tx, row.siteId, [row.id]))
      const found = variants.find((v) => v.storageKey === wanted)
      key = found?.storageKey ?? null
      if (found) mimeType = `image/${found.format}`
    }
    if (key === null) throw MediaErrors.notFound({ details: { variant: request.variant } })
    const etag = `"${createHash('sha256').update(key).digest('hex').slice(0, 32)}"`
    const shown = { ...row, mimeType }
    if (namesTag(request.ifNoneMatch, etag)) return { kind: 'not-modified', row: shown, etag }
    const info = await store.head(key)
    if (!info) throw MediaErrors.notFound({ details: { variant: request.variant } })
    const range = parseRange(request.range, info.size)
    if (range.kind === 'unsatisfiable')
      return { kind: 'unsatisfiable', row: { ...shown, sizeBytes: info.size }, etag }
    const read = await store.get(key, range.kind === 'range' ? { range } : undefined)
    if (!read) throw MediaErrors.notFound({ details: { variant: request.variant } })
    return { kind: 'file', row: shown, etag, read }
  }

  return { upload, importUrl, discard, list, get, update, remove, bulk, usage, file }
}
