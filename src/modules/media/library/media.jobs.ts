import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { requireSite, type Ctx } from '../../../platform/access/index.ts'
import { newId } from '../../../platform/db/index.ts'
import type { JobInfo, Jobs } from '../../../platform/jobs/index.ts'
import { temporaryPath, type ObjectStore } from '../../../platform/storage/index.ts'
import { cleanOriginal, makeVariant, placeholderOf, type VariantFormat } from '../files/index.ts'
import { findMedia, replaceVariants, setProcessing, type NewVariantRow } from './media.repo.ts'

/**
 * The image work of a media item, in the `media.process` job (never in the request): the cleaned original
 * (orientation applied, EXIF, GPS and other metadata removed), the variants at every width in AVIF, WebP
 * and the original's format (never wider than the image), and the placeholder (dominant colour and
 * ThumbHash). Object keys follow from the item, the width and the format, so a job run again (a retry, a
 * worker that died) overwrites the same objects and ends in the same rows: the work is resumable.
 */

export const MEDIA_PROCESS_QUEUE = 'media.process'

export interface MediaProcessJob {
  mediaId: string
}

/** The widths variants are made at, in pixels: phones to wide screens at twice their density. */
export const VARIANT_WIDTHS: readonly number[] = [320, 640, 960, 1280, 1920, 2560]
const VARIANT_FORMATS: readonly VariantFormat[] = ['avif', 'webp', 'original']

/** The file extension of each written format. */
const EXT: Readonly<Record<string, string>> = {
  jpeg: 'jpg',
  png: 'png',
  gif: 'gif',
  webp: 'webp',
  avif: 'avif',
}

export interface MediaProcessorDeps {
  store: ObjectStore
  /** Local disk for the files the work reads and writes. */
  tmpDir: string
}

export type MediaProcessor = ReturnType<typeof createMediaProcessor>

export function createMediaProcessor(deps: MediaProcessorDeps) {
  const { store } = deps

  async function download(key: string, file: string): Promise<void> {
    const read = await store.get(key)
    if (!read) throw new TypeError(`media object ${key} is missing`)
    await pipeline(read.body, createWriteStream(file, { flags: 'wx', mode: 0o600 }))
  }

  async function upload(file: string, key: string, contentType: string): Promise<number> {
    return (await store.put(key, createReadStream(file), { contentType })).size
  }

  /** Makes everything readers are given of one image item; marks it failed after the last attempt. */
  async function processMedia(ctx: Ctx, job: MediaProcessJob, info: JobInfo): Promise<void> {
    const site = requireSite(ctx)
    const row = await ctx.tx((tx) => findMedia(tx, site.id, job.mediaId))
    // Deleted meanwhile, or nothing to do: the job is done.
    if (!row || row.category !== 'image') return
    await mkdir(deps.tmpDir, { recursive: true, mode: 0o700 })
    const made: string[] = []
    const temp = (): string => {
      const file = temporaryPath(deps.tmpDir)
      made.push(file)
      return file
    }
    try {
      const original = temp()
      await download(row.storageKey, original)
      const clean = temp()
      const cleaned = await cleanOriginal({ input: original, output: clean, keepMetadata: false })
      const format = row.mimeType.replace(/^image\//, '')
      const cleanKey = `${site.id}/clean/${row.id}.${EXT[format] ?? 'bin'}`
      await upload(clean, cleanKey, row.mimeType)
      const placeholder = await placeholderOf(clean)
      const focal = row.focalX !== null && row.focalY !== null ? { x: row.focalX, y: row.focalY } : undefined
      const variants: NewVariantRow[] = []
      for (const width of VARIANT_WIDTHS) {
        for (const wanted of VARIANT_FORMATS) {
          const output = temp()
          const written = await makeVariant({
            input: clean,
            output,
            width,
            format: wanted,
            ...(focal && { focal }),
          })
          if (!written) continue
          const ext = EXT[written.format] ?? written.format
          const storageKey = `${site.id}/variants/${row.id}/${width}.${ext}`
          const sizeBytes = await upload(output, storageKey, `image/${written.format}`)
          variants.push({
            id: newId(),
            siteId: site.id,
            mediaId: row.id,
            width: written.width,
            height: written.height,
            format: written.format,
            storageKey,
            sizeBytes,
          })
        }
      }
      await ctx.tx(async (tx) => {
        // The item may have gone while the work ran: its rows go with it (the cleanup job takes the objects).
        if (!(await findMedia(tx, site.id, row.id))) return
        await replaceVariants(tx, site.id, row.id, variants)
        await setProcessing(tx, site.id, row.id, {
          processing: 'ready',
          cleanKey,
          width: cleaned.width,
          height: cleaned.height,
          dominantColor: placeholder.dominantColor,
          thumbhash: placeholder.thumbhash,
        })
      })
    } catch (err) {
      if (info.isLastAttempt)
        await ctx.tx((tx) => setProcessing(tx, site.id, row.id, { processing: 'failed' }))
      throw err
    } finally {
      await Promise.all(made.map((file) => rm(file, { force: true })))
    }
  }

  return { processMedia }
}

/**
 * The `media.process` queue. A few retries, spaced out: a failure is more likely the storage than the
 * image (a broken image was refused at upload). Image work on a large photo takes seconds, not minutes.
 */
export function registerMediaJobs(jobs: Pick<Jobs, 'define'>, processor: MediaProcessor): void {
  jobs.define<MediaProcessJob>(
    MEDIA_PROCESS_QUEUE,
    (ctx, job, info) => processor.processMedia(ctx, job, info),
    {
      retryLimit: 3,
      retryDelaySeconds: 30,
      timeoutSeconds: 600,
    },
  )
}
