import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { requireSite, type Ctx } from '../../../platform/access/index.ts'
import { newId } from '../../../platform/db/index.ts'
import type { JobInfo, Jobs } from '../../../platform/jobs/index.ts'
import { temporaryPath, type ObjectStore } from '../../../platform/storage/index.ts'
import {
  MEDIA_CLEANUP_QUEUE,
  MEDIA_PURGE_SITE_QUEUE,
  cleanupOrphanObjects,
  purgeSiteObjects,
  type PurgeSiteJob,
} from './media.cleanup.ts'
import { cleanOriginal, makeVariant, placeholderOf, type VariantFormat } from '../files/index.ts'
import {
  findMedia,
  replaceVariants,
  setProcessing,
  siteMediaSettings,
  type NewVariantRow,
} from './media.repo.ts'

/**
 * The image work of a media item, in the `media.process` job (never in the request): the cleaned original
 * (orientation applied, EXIF, GPS and other metadata removed, unless the site keeps camera details) and
 * the placeholder (dominant colour and ThumbHash), recorded at once so readers may have the image; then
 * the variants at every width in AVIF, WebP and the original's format (never wider than the image) and
 * square crops around the focal point. Object keys follow from the item, the width and the format, so a job run again (a retry, a
 * worker that died) overwrites the same objects and ends in the same rows: the work is resumable.
 */

export const MEDIA_PROCESS_QUEUE = 'media.process'

export interface MediaProcessJob {
  mediaId: string
}

/** The widths variants are made at, in pixels: phones to wide screens at twice their density. */
export const VARIANT_WIDTHS: readonly number[] = [320, 640, 960, 1280, 1920, 2560]
const VARIANT_FORMATS: readonly VariantFormat[] = ['avif', 'webp', 'original']

/** Square crops (around the focal point) for thumbnails and cards: fewer widths, no AVIF (time). */
export const SQUARE_WIDTHS: readonly number[] = [320, 640]
const SQUARE_FORMATS: readonly VariantFormat[] = ['webp', 'original']

interface PlannedVariant {
  /** The object's name without extension: the width, `square-<width>-f<x>x<y>` for crops. */
  name: string
  width: number
  format: VariantFormat
  crop: 'none' | 'square'
  aspect?: number
}

/**
 * Every variant the job makes. A crop's name carries its focal point (in ten-thousandths), so a new focal
 * point makes new names: a crop's URL never changes content, and browsers may keep it for good.
 */
export function variantPlan(focal: { x: number; y: number } | undefined): PlannedVariant[] {
  const plan: PlannedVariant[] = []
  for (const width of VARIANT_WIDTHS)
    for (const format of VARIANT_FORMATS) plan.push({ name: String(width), width, format, crop: 'none' })
  const tag = `f${Math.round((focal?.x ?? 0.5) * 10000)}x${Math.round((focal?.y ?? 0.5) * 10000)}`
  for (const width of SQUARE_WIDTHS)
    for (const format of SQUARE_FORMATS)
      plan.push({ name: `square-${width}-${tag}`, width, format, crop: 'square', aspect: 1 })
  return plan
}

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
    const found = await ctx.tx(async (tx) => ({
      row: await findMedia(tx, site.id, job.mediaId),
      settings: await siteMediaSettings(tx, site.id),
    }))
    const { row } = found
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
      const cleaned = await cleanOriginal({
        input: original,
        output: clean,
        keepMetadata: found.settings.keepMetadata,
      })
      const format = row.mimeType.replace(/^image\//, '')
      const cleanKey = `${site.id}/clean/${row.id}.${EXT[format] ?? 'bin'}`
      await upload(clean, cleanKey, row.mimeType)
      const placeholder = await placeholderOf(clean)
      // Readers may have the cleaned original at once; the variants follow.
      const stillThere = await ctx.tx(async (tx) => {
        if (!(await findMedia(tx, site.id, row.id))) return false
        await setProcessing(tx, site.id, row.id, {
          cleanKey,
          width: cleaned.width,
          height: cleaned.height,
          dominantColor: placeholder.dominantColor,
          thumbhash: placeholder.thumbhash,
        })
        return true
      })
      if (!stillThere) return
      const focal = row.focalX !== null && row.focalY !== null ? { x: row.focalX, y: row.focalY } : undefined
      const variants: NewVariantRow[] = []
      for (const plan of variantPlan(focal)) {
        const output = temp()
        const written = await makeVariant({
          input: clean,
          output,
          width: plan.width,
          format: plan.format,
          ...(focal && { focal }),
          ...(plan.aspect !== undefined && { aspect: plan.aspect }),
        })
        if (!written) continue
        const ext = EXT[written.format] ?? written.format
        const storageKey = `${site.id}/variants/${row.id}/${plan.name}.${ext}`
        const sizeBytes = await upload(output, storageKey, `image/${written.format}`)
        variants.push({
          id: newId(),
          siteId: site.id,
          mediaId: row.id,
          width: written.width,
          height: written.height,
          format: written.format,
          crop: plan.crop,
          storageKey,
          sizeBytes,
        })
        await rm(output, { force: true })
      }
      await ctx.tx(async (tx) => {
        // The item may have gone while the work ran: its rows go with it (the cleanup job takes the objects).
        if (!(await findMedia(tx, site.id, row.id))) return
        await replaceVariants(tx, site.id, row.id, variants)
        await setProcessing(tx, site.id, row.id, { processing: 'ready' })
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
export function registerMediaJobs(
  jobs: Pick<Jobs, 'define' | 'every'>,
  processor: MediaProcessor,
  cleanup: { store: ObjectStore; providers: readonly ObjectStore[]; clock?: () => Date },
): void {
  jobs.define<PurgeSiteJob>(
    MEDIA_PURGE_SITE_QUEUE,
    async (ctx, job) => {
      await purgeSiteObjects(ctx, cleanup.providers, job.siteId)
    },
    { retryLimit: 10, retryDelaySeconds: 300 },
  )
  // Once an hour, at a minute of its own: orphaned objects past the grace period.
  jobs.define(MEDIA_CLEANUP_QUEUE, async (ctx) => {
    await cleanupOrphanObjects(ctx, cleanup.store, { now: (cleanup.clock ?? (() => new Date()))() })
  })
  jobs.every(MEDIA_CLEANUP_QUEUE, '41 * * * *')
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
