/**
 * Where readers fetch media on a site's host, and the signatures that let them fetch what is not public.
 * Pure: paths from rows, signatures through the key ring's MAC (`SecretBox.mac`).
 *
 * - `/media/{id}/{file name}`: the file (an image's cleaned original: orientation applied, metadata gone).
 * - `/media/{id}/v/{variant}`: a variant, named like its object (`640.webp`, `square-320-f5000x2500.webp`);
 *   the name changes whenever its content could (a new focal point names new crops), so it is cached for
 *   good.
 * - `?expires={unix seconds}&signature={mac}`: a link to an item no published public entry shows,
 *   valid on its site's host until `expires`.
 */

export const SIGNED_URL_PURPOSE = 'media-url'

/** The variant part of an object key: what follows `<site>/variants/<id>/`. */
export function variantNameOf(storageKey: string): string {
  return storageKey.slice(storageKey.lastIndexOf('/') + 1)
}

/** The object key of a variant named `name` of item `id` of site `siteId`. */
export function variantKeyOf(siteId: string, id: string, name: string): string {
  return `${siteId}/variants/${id}/${name}`
}

export function filePathOf(item: { id: string; filename: string }): string {
  return `/media/${item.id}/${encodeURIComponent(item.filename)}`
}

export function variantPathOf(item: { id: string }, storageKey: string): string {
  return `/media/${item.id}/v/${encodeURIComponent(variantNameOf(storageKey))}`
}

/** A variant's name: a width, optionally `square-` before it and a focal tag after it, and a format. */
export const VARIANT_NAME = /^(?:square-)?\d{1,5}(?:-f\d{1,5}x\d{1,5})?\.(?:avif|webp|jpg|png|gif)$/

/** What a signature covers: the site, the path (without query) and the expiry. */
function signedMessage(siteId: string, path: string, expires: number): string {
  return `${siteId}\n${path}\n${expires}`
}

export interface UrlSigner {
  mac(purpose: string, message: string): string
  verifyMac(purpose: string, message: string, code: string): boolean
}

/** `path` with a signature valid on site `siteId` until `expires` (unix seconds). */
export function signPath(signer: UrlSigner, siteId: string, path: string, expires: number): string {
  const signature = signer.mac(SIGNED_URL_PURPOSE, signedMessage(siteId, path, expires))
  return `${path}?expires=${expires}&signature=${signature}`
}

/** Whether `signature` signs `path` on site `siteId` until `expires`. */
export function verifyPath(
  signer: UrlSigner,
  q: { siteId: string; path: string; expires: number; signature: string },
): boolean {
  return signer.verifyMac(SIGNED_URL_PURPOSE, signedMessage(q.siteId, q.path, q.expires), q.signature)
}

/**
 * The expiry for links made now: the next multiple of half the lifetime past `now + lifetime / 2`. Links
 * made within the same half-period are identical, so pages and API replies that carry them stay cacheable
 * for a while, and every link lives between half and the whole of its lifetime.
 */
export function expiryFor(nowMs: number, lifetimeSeconds: number): number {
  const half = Math.max(1, Math.floor(lifetimeSeconds / 2))
  const now = Math.floor(nowMs / 1000)
  return (Math.floor(now / half) + 2) * half
}
