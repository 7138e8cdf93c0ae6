import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import {
  DEFAULT_ALLOWED_CATEGORIES,
  MARKUP_SCANNED_CATEGORIES,
  MarkupScanner,
  SVG_LIMITS,
  inspectZipContainer,
  sanitizeSvg,
  MediaFileErrors,
  detectMediaType,
  inspectImage,
  mediaTypeError,
  readFileHead,
  type MediaCategory,
} from '../files/index.ts'
const MAX_FILENAME = 200

/** What an upload turned out to be, once spooled: decided from its bytes alone. */
export interface InspectedUpload {
  mime: string
  ext: string
  category: MediaCategory
  /** The client's name, cleaned for a download's Content-Disposition. */
  filename: string
  /** A title for editors: the cleaned name without its extension. */
  title: string
  width?: number
  height?: number
  /** What to store instead of the upload (a sanitised SVG), when the upload itself may not be kept. */
  replacement?: Buffer
}

/** Office documents are zip archives: each is opened and inflated under limits before it is kept. */
const ZIP_DOCUMENTS = new Set(['docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp'])

/**
 * Decides what the spooled file at `file` is, or refuses it with a coded error: its type from its first
 * bytes (and the site's allow-list), markup hidden in an image (a polyglot), for images a full decode
 * within the pixel limits, for office documents their archive within its limits (zip bombs), and for
 * SVG a sanitised copy (a drawing with script or outside references is refused).
 */
export async function inspectUpload(
  file: string,
  options: { filename: string; allowed?: readonly MediaCategory[] },
): Promise<InspectedUpload> {
  const head = await readFileHead(file)
  const type = await detectMediaType(head, {
    allowed: options.allowed ?? DEFAULT_ALLOWED_CATEGORIES,
    name: options.filename,
  })
  if (!type.ok) throw mediaTypeError(type)
  const filename = cleanFilename(options.filename, type.ext)
  const inspected: InspectedUpload = {
    mime: type.mime,
    ext: type.ext,
    category: type.category,
    filename,
    title: filename.replace(/\.[^.]*$/, '') || filename,
  }
  if (MARKUP_SCANNED_CATEGORIES.includes(type.category)) {
    const marker = await scanForMarkup(file)
    if (marker !== undefined) throw MediaFileErrors.polyglot({ details: { marker } })
  }
  if (type.category === 'image') {
    const image = await inspectImage(file)
    inspected.width = image.width
    inspected.height = image.height
  }
  if (type.category === 'document' && ZIP_DOCUMENTS.has(type.ext)) await inspectZipContainer(file)
  if (type.category === 'svg') {
    const { size } = await stat(file)
    if (size > SVG_LIMITS.maxBytes)
      throw MediaFileErrors.svgUnsafe({ details: { reason: 'too_large', maxBytes: SVG_LIMITS.maxBytes } })
    const svg = await sanitizeSvg(await readFile(file))
    inspected.replacement = svg.svg
    if (svg.width !== undefined) inspected.width = Math.round(svg.width)
    if (svg.height !== undefined) inspected.height = Math.round(svg.height)
  }
  return inspected
}

async function scanForMarkup(file: string): Promise<string | undefined> {
  const scanner = new MarkupScanner()
  for await (const chunk of createReadStream(file)) {
    scanner.push(chunk as Buffer)
    if (scanner.found !== undefined) return scanner.found
  }
  return scanner.found
}

/**
 * A file name safe to hand back in a header: its last path segment, without control characters or
 * separators, at most 200 characters; `file.<ext>` when nothing is left.
 */
export function cleanFilename(name: string, ext: string): string {
  const base = path.posix.basename(name.replace(/\\/g, '/'))
  const cleaned = base
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f"/\\]/g, '')
    .trim()
    .slice(0, MAX_FILENAME)
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? `file.${ext}` : cleaned
}
