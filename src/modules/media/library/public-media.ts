import { createHash } from 'node:crypto'
import { createCtx, type CtxLogger, type SiteRef } from '../../../platform/access/index.ts'
import type { Orm } from '../../../platform/db/index.ts'
import { parseRange } from '../../../platform/http/index.ts'
import type { ObjectRead, ObjectStore } from '../../../platform/storage/index.ts'
import { MediaErrors } from './media.errors.ts'
import { VARIANT_NAME, variantKeyOf, verifyPath, type UrlSigner } from './media.urls.ts'
import { readPublicItem } from './public-media.repo.ts'

/**
 * Media for readers, on the site's own host (`/media/...`, see media.urls.ts): an item a published public
 * entry shows, to anyone; any other item only with a valid signature for this site, path and time. An
 * image is only ever given cleaned (orientation applied, metadata removed) or as a variant; never as
 * uploaded. Another site's items do not exist here: the read is bound to the host's site.
 */

export interface PublicMediaDeps {
  orm: Orm
  store: ObjectStore
  signer: UrlSigner
  now?: () => number
}

export interface PublicMediaRequest {
  site: SiteRef
  id: string
  /** What follows `/media/{id}/`: a file name, or `v/{variant}`. */
  rest: string
  /** The path as asked, without its query (what a signature covers). */
  path: string
  expires?: string | undefined
  signature?: string | undefined
  range?: string | undefined
  ifNoneMatch?: string | undefined
  requestId: string
  ip: string
  log: CtxLogger
}

/** How a reader may keep the answer. */
export type Caching = 'immutable' | 'public' | { privateSeconds: number }

export type PublicMediaAnswer =
  | { kind: 'not-modified'; etag: string; caching: Caching }
  | { kind: 'unsatisfiable'; etag: string; size: number; caching: Caching }
  | {
      kind: 'file'
      etag: string
      caching: Caching
      read: ObjectRead
      mimeType: string
      category: string
      filename: string
    }

/** A signed answer is kept no longer than this, nor past its link's expiry. */
const PRIVATE_MAX_SECONDS = 300

function namesTag(ifNoneMatch: string | undefined, etag: string): boolean {
  return ifNoneMatch !== undefined && ifNoneMatch.split(/\s*,\s*/).includes(etag)
}

const tagOfKey = (key: string): string => `"${createHash('sha256').update(key).digest('hex').slice(0, 32)}"`

export type PublicMedia = ReturnType<typeof createPublicMedia>

export function createPublicMedia(deps: PublicMediaDeps) {
  const now = deps.now ?? Date.now

  /** Undefined when the link is unsigned; else its remaining seconds (refusing a bad or stale one). */
  function signedFor(q: PublicMediaRequest): number | undefined {
    if (q.expires === undefined && q.signature === undefined) return undefined
    const expires = Number(q.expires)
    if (!Number.isSafeInteger(expires) || q.signature === undefined || q.signature === '')
      throw MediaErrors.urlInvalid()
    if (!verifyPath(deps.signer, { siteId: q.site.id, path: q.path, expires, signature: q.signature }))
      throw MediaErrors.urlInvalid()
    const remaining = expires - Math.floor(now() / 1000)
    if (remaining <= 0) throw MediaErrors.urlExpired({ details: { expires } })
    return remaining
  }

  async function serve(q: PublicMediaRequest): Promise<PublicMediaAnswer> {
    const variantName = q.rest.startsWith('v/') ? q.rest.slice(2) : undefined
    if (variantName !== undefined && !VARIANT_NAME.test(variantName)) throw MediaErrors.notFound()
    if (variantName === undefined && (q.rest === '' || q.rest.includes('/'))) throw MediaErrors.notFound()
    const remaining = signedFor(q)
    const ctx = createCtx({
      orm: deps.orm,
      actor: { kind: 'anonymous' },
      site: q.site,
      requestId: q.requestId,
      ip: q.ip,
      log: q.log,
    })
    const item = await readPublicItem(ctx.read, {
      siteId: q.site.id,
      id: q.id,
      variantKey: variantName === undefined ? null : variantKeyOf(q.site.id, q.id, variantName),
    })
    if (!item) throw MediaErrors.notFound()
    // Unsigned, an item no published public entry shows does not exist for the reader.
    if (remaining === undefined && !item.isPublic) throw MediaErrors.notFound()
    const caching: Caching =
      remaining !== undefined
        ? { privateSeconds: Math.min(remaining, PRIVATE_MAX_SECONDS) }
        : variantName !== undefined
          ? 'immutable'
          : 'public'
    let key: string
    let etag: string
    let size: number | undefined
    let mimeType = item.mimeType
    if (variantName !== undefined) {
      if (!item.variant) throw MediaErrors.notFound()
      key = item.variant.storageKey
      size = item.variant.sizeBytes
      mimeType = `image/${item.variant.format}`
      etag = tagOfKey(key)
    } else {
      let decoded: string
      try {
        decoded = decodeURIComponent(q.rest)
      } catch {
        throw MediaErrors.notFound()
      }
      if (decoded !== item.filename) throw MediaErrors.notFound()
      if (item.category === 'image') {
        // Never the upload itself: it may carry the camera's location.
        if (item.cleanKey === null) {
          if (item.processing === 'pending') throw MediaErrors.notReady()
          throw MediaErrors.notFound()
        }
        key = item.cleanKey
        etag = tagOfKey(`${key}\n${item.sha256}`)
      } else {
        key = item.storageKey
        size = item.sizeBytes
        etag = `"${item.sha256}"`
      }
    }
    if (namesTag(q.ifNoneMatch, etag)) return { kind: 'not-modified', etag, caching }
    if (size === undefined) {
      const info = await deps.store.head(key)
      if (!info) throw MediaErrors.notFound()
      size = info.size
    }
    const range = parseRange(q.range, size)
    if (range.kind === 'unsatisfiable') return { kind: 'unsatisfiable', etag, size, caching }
    const read = await deps.store.get(key, range.kind === 'range' ? { range } : undefined)
    if (!read) throw MediaErrors.notFound()
    return { kind: 'file', etag, caching, read, mimeType, category: item.category, filename: item.filename }
  }

  return { serve }
}
