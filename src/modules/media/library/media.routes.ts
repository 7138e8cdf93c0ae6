import multipart from '@fastify/multipart'
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { isAppError } from '../../../platform/errors/index.ts'
import { isValidText, needs } from '../../../platform/http/index.ts'
import { MediaErrors } from './media.errors.ts'
import { MAX_FOLDER_DEPTH, type FoldersService } from './folders.service.ts'
import {
  BulkMediaBody,
  BulkMediaResult,
  CreateFolderBody,
  DeleteMediaQuery,
  FileQuery,
  FolderList,
  FolderParams,
  FolderView,
  ImportMediaBody,
  UpdateFolderBody,
  UsageView,
  ListMediaQuery,
  MediaPage,
  MediaParams,
  MediaView,
  SiteParams,
  TEXT_LIMITS,
  UpdateMediaBody,
} from './media.schema.ts'
import { sendStoredFile, type StoredFileAnswer } from './file-reply.ts'
import type { MediaService, UploadInput } from './media.service.ts'

export interface MediaRoutesOptions {
  service: MediaService
  folders: FoldersService
  /** The largest file one upload may carry (the spool enforces it; the parser stops one byte later). */
  maxUploadBytes: number
}

type SiteRoute = { Params: { site: string } }
type MediaRoute = { Params: { site: string; id: string } }
type FolderRoute = { Params: { site: string; folder: string } }
const tags = ['media']
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,200}$/
const MAX_FIELD_NAME = 100
type UploadField = keyof typeof TEXT_LIMITS

/** Fields an upload may carry besides its file (sent before it): the same limits as an edit's. */
function isUploadField(name: string): name is UploadField {
  return Object.hasOwn(TEXT_LIMITS, name)
}

function uploadField(name: UploadField, value: unknown): string {
  const text = String(value)
  const maxLength = TEXT_LIMITS[name]
  if ([...text].length > maxLength || !isValidText(text))
    throw MediaErrors.fieldInvalid({ details: { field: name, maxLength } })
  return text
}

/** The parser's own refusals of a multipart body, as our coded errors. */
const MULTIPART_ERRORS: Readonly<Record<string, () => Error>> = {
  FST_FILES_LIMIT: () => MediaErrors.tooManyFiles(),
  FST_PARTS_LIMIT: () => MediaErrors.uploadMalformed(),
  FST_FIELDS_LIMIT: () => MediaErrors.uploadMalformed(),
  FST_PROTO_VIOLATION: () => MediaErrors.uploadMalformed(),
  FST_INVALID_MULTIPART_CONTENT_TYPE: () => MediaErrors.fileMissing(),
  FST_REQ_FILE_TOO_LARGE: () => MediaErrors.fileTooLarge(),
}

function multipartError(err: unknown): unknown {
  if (isAppError(err)) return err
  const code = (err as { code?: unknown }).code
  const mapped = typeof code === 'string' ? MULTIPART_ERRORS[code] : undefined
  if (mapped) return mapped()
  // Busboy's own complaints (a malformed body, a field name past its limit) carry no code.
  if (err instanceof Error && /multipart|boundary|field|part/i.test(err.message))
    return MediaErrors.uploadMalformed()
  return err
}

/**
 * The media library's HTTP face: upload (multipart, one part named `file`), list, read, edit, delete, and
 * the file itself for editors (with Range requests and ETags). Only these routes read multipart bodies.
 */
export async function mediaRoutes(app: FastifyInstance, options: MediaRoutesOptions): Promise<void> {
  const { service, folders } = options
  await app.register(multipart, {
    limits: {
      fieldNameSize: MAX_FIELD_NAME,
      fieldSize: 5000,
      fields: 8,
      fileSize: options.maxUploadBytes + 1,
      files: 1,
      parts: 10,
      headerPairs: 20,
    },
  })

  app.post<SiteRoute>(
    '/api/v1/sites/:site/media',
    {
      config: { access: needs('site.media.create') },
      schema: {
        tags,
        summary: 'Upload a file',
        description:
          'A `multipart/form-data` body with one part named `file` (and, before it, optional `title` and `alt` fields). The file is streamed to storage, never held in memory. Its type is decided from its bytes, not its name or the client’s Content-Type; HTML, scripts and executables are refused, and so is anything past the upload limit (413 COLOPHON_MEDIA_FILE_TOO_LARGE) or the site’s media quota (413 COLOPHON_SITES_QUOTA_MEDIA_BYTES). Images are decoded once to refuse broken or oversized ones. A refused upload leaves nothing stored. Send an `Idempotency-Key` header to make retries safe: a repeated key answers 200 with the item the first attempt created.',
        params: SiteParams,
        headers: Type.Object({
          'idempotency-key': Type.Optional(
            Type.String({
              description: 'Any 8–200 letters, digits, `-`, `_`, `.` or `:`, unique per upload.',
            }),
          ),
        }),
        consumes: ['multipart/form-data'],
        response: { 200: MediaView, 201: MediaView },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw MediaErrors.fileMissing()
      const key = request.headers['idempotency-key']
      if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)))
        throw MediaErrors.idempotencyKeyInvalid()
      const fields: Partial<Record<UploadField, string>> = {}
      let result: Awaited<ReturnType<MediaService['upload']>> | undefined
      try {
        for await (const part of request.parts()) {
          // The parser cuts values past their limit but not a multipart part's name: both are checked here.
          if (part.fieldname.length > MAX_FIELD_NAME) throw MediaErrors.uploadMalformed()
          if (part.type === 'field') {
            if (part.fieldnameTruncated || part.valueTruncated) throw MediaErrors.uploadMalformed()
            if (!result && isUploadField(part.fieldname))
              fields[part.fieldname] = uploadField(part.fieldname, part.value)
            continue
          }
          if (part.fieldname !== 'file') {
            part.file.resume()
            throw MediaErrors.fileMissing({ details: { part: part.fieldname } })
          }
          const input: UploadInput = {
            file: part.file,
            filename: part.filename,
            idempotencyKey: key,
            ...fields,
          }
          result = await service.upload(request.ctx, input)
        }
      } catch (err) {
        // A body found invalid after its file was stored undoes that upload: nothing half-made stays.
        if (result?.created) await service.discard(request.ctx, result.item.id)
        throw multipartError(err)
      }
      if (!result) throw MediaErrors.fileMissing()
      return reply.code(result.created ? 201 : 200).send(result.item)
    },
  )

  app.post<SiteRoute & { Body: ImportMediaBody }>(
    '/api/v1/sites/:site/media/import',
    {
      config: { access: needs('site.media.create') },
      schema: {
        tags,
        summary: 'Import a file from a URL',
        description:
          'The server fetches the file (http or https, at most 5 redirects, within the upload limit and the import deadline) and takes it like an upload: the same type checks, quota and `Idempotency-Key`. Only public addresses are reached: a host that resolves to a loopback, private, link-local or otherwise reserved address, at the start or after a redirect, is refused (422 COLOPHON_REMOTE_ADDRESS_REFUSED) unless the operator’s allow-list (`COLOPHON_MEDIA_IMPORT_ALLOW`) names it.',
        params: SiteParams,
        headers: Type.Object({
          'idempotency-key': Type.Optional(
            Type.String({
              description: 'Any 8–200 letters, digits, `-`, `_`, `.` or `:`, unique per import.',
            }),
          ),
        }),
        body: ImportMediaBody,
        response: { 200: MediaView, 201: MediaView },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key']
      if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)))
        throw MediaErrors.idempotencyKeyInvalid()
      const { url, title, alt } = request.body
      const result = await service.importUrl(request.ctx, {
        url,
        idempotencyKey: key,
        ...(title !== undefined && { title: uploadField('title', title) }),
        ...(alt !== undefined && { alt: uploadField('alt', alt) }),
      })
      return reply.code(result.created ? 201 : 200).send(result.item)
    },
  )

  app.get<SiteRoute & { Querystring: ListMediaQuery }>(
    '/api/v1/sites/:site/media',
    {
      config: { access: needs('site.media.create') },
      schema: {
        tags,
        summary: 'List the media library',
        description:
          'The site’s files, newest first. Filter by `category`, `uploader`, `search` (title or alt text) and creation time; page with `cursor`.',
        params: SiteParams,
        querystring: ListMediaQuery,
        response: { 200: MediaPage },
      },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.get<MediaRoute>(
    '/api/v1/sites/:site/media/:id',
    {
      config: { access: needs('site.media.create') },
      schema: {
        tags,
        summary: 'Get a media item',
        description: 'One file of the library, with what editors said of it.',
        params: MediaParams,
        response: { 200: MediaView },
      },
    },
    async (request) => service.get(request.ctx, request.params.id),
  )

  app.patch<MediaRoute & { Body: UpdateMediaBody }>(
    '/api/v1/sites/:site/media/:id',
    {
      config: { access: needs('site.media.edit.own') },
      schema: {
        tags,
        summary: 'Edit a media item',
        description:
          'Title, alt text, caption, credit, whether the image is decorative, and its focal point. Needs `site.media.edit.any`, or `.own` for the uploader.',
        params: MediaParams,
        body: UpdateMediaBody,
        response: { 200: MediaView },
      },
    },
    async (request) => service.update(request.ctx, request.params.id, request.body),
  )

  app.delete<MediaRoute & { Querystring: DeleteMediaQuery }>(
    '/api/v1/sites/:site/media/:id',
    {
      config: { access: needs('site.media.delete.own') },
      schema: {
        tags,
        summary: 'Delete a media item',
        description:
          'Removes the item, its variants and its stored files. Needs `site.media.delete.any`, or `.own` for the uploader. An item that entries show is refused (409 COLOPHON_MEDIA_IN_USE, with the entries) unless `force=true`, which first takes it out of each entry (and needs `site.content.edit.any`).',
        params: MediaParams,
        querystring: DeleteMediaQuery,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await service.remove(request.ctx, request.params.id, { force: request.query.force === true })
      return reply.code(204).send()
    },
  )

  app.get<MediaRoute>(
    '/api/v1/sites/:site/media/:id/usage',
    {
      config: { access: needs('site.media.create') },
      schema: {
        tags,
        summary: 'Where a media item is used',
        description:
          'The entries that show the item (featured image, a media field, an image in the body), in their published columns (`live`) or their latest draft, newest entries first. Trashed entries count: they may come back.',
        params: MediaParams,
        response: { 200: UsageView },
      },
    },
    async (request) => service.usage(request.ctx, request.params.id),
  )

  app.post<SiteRoute & { Body: BulkMediaBody }>(
    '/api/v1/sites/:site/media/bulk',
    {
      config: { access: needs('site.media.create') },
      schema: {
        tags,
        summary: 'Move or delete several media items',
        description:
          '`move` files up to 100 items in `folderId` (null: the top; each item must be the caller’s to edit); `delete` removes them as a single delete would (`force` too). All or nothing: one item missing, not the caller’s, or in use refuses the whole call.',
        params: SiteParams,
        body: BulkMediaBody,
        response: { 200: BulkMediaResult },
      },
    },
    async (request) => service.bulk(request.ctx, request.body),
  )

  app.get<SiteRoute>(
    '/api/v1/sites/:site/media-folders',
    {
      config: { access: needs('site.media.create') },
      schema: {
        tags,
        summary: 'List the media folders',
        description:
          'Every folder of the library (a tree: each names its parent), by name, with its file count.',
        params: SiteParams,
        response: { 200: FolderList },
      },
    },
    async (request) => ({ items: await folders.list(request.ctx) }),
  )

  app.post<SiteRoute & { Body: CreateFolderBody }>(
    '/api/v1/sites/:site/media-folders',
    {
      config: { access: needs('site.media.edit.any') },
      schema: {
        tags,
        summary: 'Create a media folder',
        description: `A folder at the top (no \`parentId\`) or inside another, at most ${MAX_FOLDER_DEPTH} deep.`,
        params: SiteParams,
        body: CreateFolderBody,
        response: { 201: FolderView },
      },
    },
    async (request, reply) => reply.code(201).send(await folders.create(request.ctx, request.body)),
  )

  app.patch<FolderRoute & { Body: UpdateFolderBody }>(
    '/api/v1/sites/:site/media-folders/:folder',
    {
      config: { access: needs('site.media.edit.any') },
      schema: {
        tags,
        summary: 'Rename or move a media folder',
        description: 'A new name, or a new parent (null: the top); never into itself or its own folders.',
        params: FolderParams,
        body: UpdateFolderBody,
        response: { 200: FolderView },
      },
    },
    async (request) => folders.update(request.ctx, request.params.folder, request.body),
  )

  app.delete<FolderRoute>(
    '/api/v1/sites/:site/media-folders/:folder',
    {
      config: { access: needs('site.media.edit.any') },
      schema: {
        tags,
        summary: 'Delete a media folder',
        description: 'Only an empty folder: one holding files or folders is refused (409, with the counts).',
        params: FolderParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await folders.remove(request.ctx, request.params.folder)
      return reply.code(204).send()
    },
  )

  app.get<MediaRoute & { Querystring: FileQuery }>(
    '/api/v1/sites/:site/media/:id/file',
    {
      // Byte ranges count stored bytes: never re-encoded on the way.
      compress: false,
      config: { access: needs('site.media.create') },
      schema: {
        tags,
        summary: 'Read a media item’s file',
        description:
          'The stored bytes, for editors. Supports `Range: bytes=…` (206, or 416 when the range starts past the end) and `If-None-Match` (304; the ETag is the file’s SHA-256). Anything but an image, audio or video is sent as an attachment; SVG and PDF under a sandboxing Content-Security-Policy.',
        params: MediaParams,
        querystring: FileQuery,
      },
    },
    async (request, reply) => {
      const answer = await service.file(request.ctx, request.params.id, {
        variant: request.query.variant,
        range: request.headers.range,
        ifNoneMatch: request.headers['if-none-match'],
      })
      const stored: StoredFileAnswer =
        answer.kind === 'file'
          ? {
              kind: 'file',
              etag: answer.etag,
              read: answer.read,
              mimeType: answer.row.mimeType,
              category: answer.row.category,
              filename: answer.row.filename,
            }
          : answer.kind === 'unsatisfiable'
            ? { kind: 'unsatisfiable', etag: answer.etag, size: answer.row.sizeBytes }
            : { kind: 'not-modified', etag: answer.etag }
      return sendStoredFile(reply, stored, 'private, no-cache')
    },
  )
}
