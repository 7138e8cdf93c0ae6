import type { MediaInclude, MediaLinker, StoredMediaInclude } from '../../content/index.ts'
import { expiryFor, filePathOf, signPath, variantPathOf, type UrlSigner } from './media.urls.ts'

/**
 * Gives the media an entry shows their URLs for readers (the reading API's `include=media`, the themes'
 * `image` filter): plain paths for items a published public entry shows, signed ones for the rest, valid
 * for `lifetimeSeconds` at most (at least half of it: links made close together are identical, so a
 * reply that carries them can be cached a little while). With a public base URL, public objects are
 * linked on it by their object key.
 */
export function createMediaLinker(deps: {
  signer: UrlSigner
  lifetimeSeconds: number
  /**
   * Where public objects are fetched from instead of the site's host (a CDN in front of the bucket or of
   * the media directory): `<base>/<object key>`. Items that are not public always go through the host.
   */
  publicBaseUrl?: string | undefined
  now?: () => number
}): MediaLinker {
  const now = deps.now ?? Date.now
  const base = deps.publicBaseUrl?.replace(/\/+$/, '')
  return (siteId: string, item: StoredMediaInclude): MediaInclude => {
    const expires = item.public ? 0 : expiryFor(now(), deps.lifetimeSeconds)
    const link = (path: string, key: string | null): string => {
      if (!item.public) return signPath(deps.signer, siteId, path, expires)
      return base !== undefined && key !== null ? `${base}/${key}` : path
    }
    return {
      id: item.id,
      via: item.via,
      url: link(filePathOf(item), item.fileKey),
      filename: item.filename,
      mimeType: item.mimeType,
      category: item.category,
      width: item.width,
      height: item.height,
      alt: item.alt,
      caption: item.caption,
      credit: item.credit,
      decorative: item.decorative,
      placeholder:
        item.dominantColor !== null && item.thumbhash !== null
          ? { dominantColor: item.dominantColor, thumbhash: item.thumbhash }
          : null,
      variants: item.variants.map((v) => ({
        url: link(variantPathOf(item, v.key), v.key),
        width: v.width,
        height: v.height,
        format: v.format,
        crop: v.crop,
      })),
    }
  }
}
