/**
 * The HTML of the themes' `image` filter: a responsive picture of a media item as the page context gives
 * it (the reading API's `include=media`). AVIF and WebP sources for browsers that take them, the
 * original format as the fallback, every width in `srcset` with the `sizes` the theme gives, `width` and
 * `height` (no layout shift), `loading="lazy"` unless told otherwise, and the item's alt text (empty for
 * a decorative image). Pure: strings in, a string out.
 */

export interface ImageMedia {
  url: string
  category: string
  mimeType: string
  width: number | null
  height: number | null
  alt: string
  decorative: boolean
  variants: ReadonlyArray<{ url: string; width: number; height: number; format: string; crop: string }>
}

export interface ImageOptions {
  /** The `sizes` attribute: how wide the image is shown (default `100vw`). */
  sizes?: string
  /** `square`: the square crops around the focal point (thumbnails); default the whole picture. */
  crop?: string
  /** `lazy` (default) or `eager` (an image in the first screenful). */
  loading?: string
  /** A class for the `<img>`. */
  class?: string
  /** Alternative text instead of the item's own. */
  alt?: string
}

const escapeAttr = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

const attr = (name: string, value: string | number): string => ` ${name}="${escapeAttr(String(value))}"`

const SOURCE_FORMATS = ['avif', 'webp'] as const

/** Whether `value` looks like a media item the filter can show. */
export function isImageMedia(value: unknown): value is ImageMedia {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Partial<ImageMedia>
  return typeof v.url === 'string' && typeof v.category === 'string' && Array.isArray(v.variants)
}

export function imageHtml(media: ImageMedia, options: ImageOptions = {}): string {
  if (media.category !== 'image' && media.category !== 'svg') return ''
  const alt = options.alt ?? (media.decorative ? '' : media.alt)
  const loading = options.loading === 'eager' ? 'eager' : 'lazy'
  const sizes = options.sizes?.trim() || '100vw'
  const crop = options.crop === 'square' ? 'square' : 'none'
  const variants = media.variants.filter((v) => v.crop === crop).sort((a, b) => a.width - b.width)
  const originalFormat = media.mimeType.replace(/^image\//, '')
  const fallback = variants.filter((v) => v.format === originalFormat)
  const largest = fallback.at(-1)
  // The image's own size, or the largest crop's: what the browser reserves before it loads.
  const width = crop === 'square' ? largest?.width : (media.width ?? largest?.width)
  const height = crop === 'square' ? largest?.height : (media.height ?? largest?.height)
  const srcset = (list: ReadonlyArray<{ url: string; width: number }>): string =>
    list.map((v) => `${v.url} ${v.width}w`).join(', ')
  // The whole picture is itself the widest candidate when no variant reaches its width.
  const candidates =
    crop === 'none' && media.width !== null && fallback.length > 0 && media.width > (largest?.width ?? 0)
      ? [...fallback, { url: media.url, width: media.width }]
      : fallback
  let img = `<img${attr('src', crop === 'square' && largest ? largest.url : media.url)}`
  if (fallback.length > 0) img += attr('srcset', srcset(candidates)) + attr('sizes', sizes)
  if (width) img += attr('width', width)
  if (height) img += attr('height', height)
  img += attr('alt', alt) + attr('loading', loading) + attr('decoding', 'async')
  if (options.class) img += attr('class', options.class)
  img += '>'
  const sources = SOURCE_FORMATS.filter((format) => format !== originalFormat)
    .map((format) => variants.filter((v) => v.format === format))
    .filter((list) => list.length > 0)
    .map(
      (list) =>
        `<source${attr('type', `image/${list[0]?.format}`)}${attr('srcset', srcset(list))}${attr('sizes', sizes)}>`,
    )
  return sources.length > 0 ? `<picture>${sources.join('')}${img}</picture>` : img
}
