/**
 * The image work of the media library, on files on local disk (it runs inside background jobs): checking
 * an upload decodes within the limits, writing the cleaned original, the resized variants and the
 * placeholder.
 *
 * Every call opens its input through `readHeader` and `openImage`, so every call applies the same limits:
 * the type is sniffed from the bytes (libvips is never handed SVG, PDF or anything outside the image
 * list), the header's size is checked before any decoder runs, sharp's pixel limit and truncation check
 * are on, reads are sequential and each pipeline has a time limit. sharp's global settings (concurrency,
 * cache) are set once for the process by `limitImageMemory`, never per call.
 */
import { writeFile } from 'node:fs/promises'
import sharp, { type OutputInfo, type Sharp } from 'sharp'
import { rgbaToThumbHash } from 'thumbhash'
import { MediaFileErrors } from './files.errors.ts'
import { focalCrop, type FocalPoint } from './images.crop.ts'
import { keptExifFields } from './images.exif.ts'
import { claimedSize } from './images.header.ts'
import { detectMediaType, mediaTypeError, readFileHead } from './sniff.ts'

/** The most pixels an image may have (all frames of an animation together): 100 megapixels. */
export const MAX_INPUT_PIXELS = 100_000_000
/** The longest side an image may have, in pixels. */
export const MAX_SIDE = 30_000
/** How long one sharp pipeline may run before it is stopped. */
export const IMAGE_TIMEOUT_SECONDS = 120
/** The largest side of the picture a thumbhash is computed from (thumbhash's own bound). */
const PLACEHOLDER_SIDE = 100

/**
 * Sets libvips for a server that runs image work beside other work, once per process (build-app calls
 * it): no operation cache (it keeps decoded images around for reuse a job never makes) and one worker
 * thread per pipeline (the encoders keep their own threads). Measured on a 2-core machine with a
 * 3,600 × 2,700 JPEG, the variants job peaked at 494 MB above idle with libvips' defaults, 324 MB without
 * the cache and 255 MB with one thread as well, and took the same time (about 17.5 s).
 */
export function limitImageMemory(): void {
  sharp.cache(false)
  sharp.concurrency(1)
}

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'avif'
export type VariantFormat = 'avif' | 'webp' | 'original'

export interface InspectedImage {
  format: ImageFormat
  /** Width and height as a reader sees the image, EXIF orientation applied (90° and 270° swap them). */
  width: number
  height: number
  /** Frames: 1 for a still image, more for an animated GIF or WebP. `height` is one frame's. */
  pages: number
}

export interface WrittenImage {
  width: number
  /** One frame's height for an animation. */
  height: number
  bytes: number
}

export interface WrittenVariant extends WrittenImage {
  format: ImageFormat
}

export interface Placeholder {
  /** The most common colour, as `#rrggbb`. */
  dominantColor: string
  /** A ThumbHash (a tiny blurred preview) in base64. */
  thumbhash: string
}

interface ImageHeader extends InspectedImage {
  exif: Buffer | undefined
}

const FORMAT_BY_EXT: Readonly<Record<string, ImageFormat>> = {
  jpg: 'jpeg',
  png: 'png',
  gif: 'gif',
  webp: 'webp',
  avif: 'avif',
}
// What sharp's metadata calls each format (AVIF is one kind of HEIF to libvips).
const SHARP_FORMAT: Readonly<Record<ImageFormat, string>> = {
  jpeg: 'jpeg',
  png: 'png',
  gif: 'gif',
  webp: 'webp',
  avif: 'heif',
}

function checkLimits(width: number, height: number, pages: number): void {
  if (width > MAX_SIDE || height > MAX_SIDE || width * height * pages > MAX_INPUT_PIXELS) {
    throw MediaFileErrors.imageTooLarge({
      details: { width, height, pages, maxSide: MAX_SIDE, maxPixels: MAX_INPUT_PIXELS },
    })
  }
}

/** The coded error for a failure inside sharp: an image that is too big, or one that cannot be decoded. */
function imageError(err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err)
  if (/pixel limit/i.test(message)) {
    return MediaFileErrors.imageTooLarge({
      details: { maxSide: MAX_SIDE, maxPixels: MAX_INPUT_PIXELS },
      cause: err,
    })
  }
  if (/timeout/i.test(message)) {
    return MediaFileErrors.imageTooLarge({ details: { timeoutSeconds: IMAGE_TIMEOUT_SECONDS }, cause: err })
  }
  return MediaFileErrors.imageInvalid({ cause: err })
}

/** Runs a sharp promise, turning its failures into coded errors. */
async function run<T>(work: Promise<T>): Promise<T> {
  try {
    return await work
  } catch (err) {
    throw imageError(err)
  }
}

/**
 * Encodes to memory, then writes: a failure to write (a full disk, a missing folder) then surfaces as
 * itself rather than being taken for a damaged image.
 */
async function writeImage(image: Sharp, output: string): Promise<WrittenImage> {
  const { data, info } = await run(image.toBuffer({ resolveWithObject: true }))
  await writeFile(output, data)
  return { width: info.width, height: frameHeight(info), bytes: data.length }
}

// For an animation sharp reports the height of all frames stacked; a frame's height is what callers need.
const frameHeight = (info: OutputInfo): number => info.pageHeight ?? info.height

/** The sharp input for `path`, with the limits every pipeline here runs under. */
function openImage(path: string, options: { animated: boolean }): Sharp {
  return sharp(path, {
    limitInputPixels: MAX_INPUT_PIXELS,
    // 'error' refuses truncated files and decoder errors; mere warnings (common in camera JPEGs) pass.
    failOn: 'error',
    sequentialRead: true,
    autoOrient: true,
    animated: options.animated,
  }).timeout({ seconds: IMAGE_TIMEOUT_SECONDS })
}

/**
 * Sniffs the type and reads the header, refusing before any pixel is decoded: a type outside the image
 * list, a size the header claims past the limits (read from the bytes first, then from sharp's header
 * read, which also applies the pixel limit).
 */
async function readHeader(path: string): Promise<ImageHeader> {
  const head = await readFileHead(path)
  const type = await detectMediaType(head, { allowed: ['image'] })
  if (!type.ok) throw mediaTypeError(type)
  const format = FORMAT_BY_EXT[type.ext]
  if (format === undefined) throw mediaTypeError({ ok: false, reason: 'unknown_type', detected: type.ext })
  const claimed = claimedSize(head)
  if (claimed) checkLimits(claimed.width, claimed.height, 1)
  const meta = await run(openImage(path, { animated: false }).metadata())
  if (meta.format !== SHARP_FORMAT[format] || (format === 'avif' && meta.compression !== 'av1')) {
    throw MediaFileErrors.imageInvalid({ details: { expected: format, decoder: meta.format } })
  }
  // Only GIF and WebP animate here; for any other format (an AVIF image sequence) the first image is
  // the one processed.
  const pages = format === 'gif' || format === 'webp' ? (meta.pages ?? 1) : 1
  checkLimits(meta.width, meta.height, pages)
  return {
    format,
    width: meta.autoOrient.width,
    height: meta.autoOrient.height,
    pages,
    exif: meta.exif,
  }
}

/**
 * What the image at `path` is, once it is known to decode whole within the limits: its format, its
 * oriented size and its number of frames. Throws `COLOPHON_MEDIA_TYPE_*` for a file that is not an
 * allowed image, `COLOPHON_MEDIA_IMAGE_TOO_LARGE` past the limits (refused from the header, before
 * decoding) and `COLOPHON_MEDIA_IMAGE_INVALID` for a damaged or truncated file.
 */
export async function inspectImage(path: string): Promise<InspectedImage> {
  const header = await readHeader(path)
  // A full read of every frame, shrunk on load where the format allows: only decoding to the end
  // shows a file is not cut short.
  await run(
    openImage(path, { animated: header.pages > 1 })
      .resize({ width: 64, height: 64, fit: 'inside', withoutEnlargement: true })
      .raw()
      .toBuffer(),
  )
  return { format: header.format, width: header.width, height: header.height, pages: header.pages }
}

/** Sets the encoder: the same format as the input for originals, web settings for variants. */
function encode(image: Sharp, format: ImageFormat, purpose: 'original' | 'variant'): Sharp {
  const original = purpose === 'original'
  switch (format) {
    case 'jpeg':
      return image.jpeg({ quality: original ? 90 : 82, mozjpeg: true })
    case 'png':
      return image.png()
    case 'gif':
      return image.gif()
    case 'webp':
      return image.webp({ quality: original ? 90 : 80 })
    case 'avif':
      // Effort 3 of 9: AVIF encoding is slow, and these machines have two cores.
      return image.avif({ quality: original ? 70 : 55, effort: 3 })
  }
}

/**
 * Writes a cleaned copy of the original: EXIF orientation applied to the pixels, colours converted to
 * sRGB, every piece of metadata removed (EXIF with GPS, XMP, IPTC, ICC profile), same format as the
 * input, animations with all their frames.
 *
 * With `keepMetadata`, a fixed list of descriptive EXIF fields is kept (camera, lens, exposure, dates,
 * artist, copyright, description: see images.exif.ts); the GPS block, XMP and IPTC are still removed.
 */
export async function cleanOriginal(options: {
  input: string
  output: string
  keepMetadata: boolean
}): Promise<WrittenImage> {
  const header = await readHeader(options.input)
  let image = openImage(options.input, { animated: header.pages > 1 })
  const exif = options.keepMetadata ? keptExifFields(header.exif) : undefined
  if (exif) image = image.withExif(exif)
  return writeImage(encode(image, header.format, 'original'), options.output)
}

/**
 * Writes a variant `width` pixels wide, metadata stripped. With `aspect` (width ÷ height) the image is
 * first cropped to that shape around `focal` (fractions of the oriented image; the centre when
 * missing). Returns undefined, writing nothing, when the source (or its crop) is narrower than `width`:
 * variants are never upscaled. Animations stay animated in GIF and WebP; an AVIF variant of one is its
 * first frame, since sharp writes no animated AVIF.
 */
export async function makeVariant(options: {
  input: string
  output: string
  width: number
  format: VariantFormat
  focal?: FocalPoint
  aspect?: number
}): Promise<WrittenVariant | undefined> {
  const { width, aspect } = options
  if (!Number.isInteger(width) || width < 1 || width > MAX_SIDE) {
    throw new RangeError(`variant width must be an integer from 1 to ${MAX_SIDE}`)
  }
  const header = await readHeader(options.input)
  const crop =
    aspect === undefined
      ? undefined
      : focalCrop({ width: header.width, height: header.height, aspect, focal: options.focal })
  if (width > (crop?.width ?? header.width)) return undefined
  const format = options.format === 'original' ? header.format : options.format
  const animated = header.pages > 1 && (format === 'gif' || format === 'webp')
  let image = openImage(options.input, { animated })
  if (crop) image = image.extract(crop)
  image = image.resize({
    width,
    height: crop && aspect !== undefined ? Math.max(1, Math.round(width / aspect)) : undefined,
    fit: 'cover',
    withoutEnlargement: true,
  })
  return { ...(await writeImage(encode(image, format, 'variant'), options.output)), format }
}

const hex = (n: number): string => Math.round(n).toString(16).padStart(2, '0')

/** The colour and blurred preview shown while an image loads, from its first frame. */
export async function placeholderOf(input: string): Promise<Placeholder> {
  await readHeader(input)
  const { data, info } = await run(
    openImage(input, { animated: false })
      .resize({ width: PLACEHOLDER_SIDE, height: PLACEHOLDER_SIDE, fit: 'inside', withoutEnlargement: true })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true }),
  )
  const hash = rgbaToThumbHash(info.width, info.height, data)
  // stats() reads its own input, not a pipeline's result: give it the small render, not the original.
  const { dominant } = await run(
    sharp(data, { raw: { width: info.width, height: info.height, channels: 4 } }).stats(),
  )
  return {
    dominantColor: `#${hex(dominant.r)}${hex(dominant.g)}${hex(dominant.b)}`,
    thumbhash: Buffer.from(hash).toString('base64'),
  }
}
