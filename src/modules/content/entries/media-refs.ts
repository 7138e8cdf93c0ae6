import type { Tx } from '../../../platform/db/index.ts'
import type { EntrySnapshot } from '../content.model.ts'
import { ContentErrors } from '../content.errors.ts'
import { mediaIdsOf, type CompiledType } from '../types/index.ts'
import { replaceEntryMedia, type EntryMediaScope } from './media-refs.repo.ts'
import { imagesInRichText } from './rich-text.ts'

/**
 * The media items an entry shows, kept in `entry_media` so the library can tell where a file is used
 * without reading every entry. Every write that changes an entry's head revision or its columns calls
 * `syncMediaRefs` in the same transaction; the rows cannot drift from the content.
 */

/** One way an entry shows a media item. `alt` is the text an image node of the body gives, if any. */
export interface MediaRef {
  mediaId: string
  via: 'featured' | 'field' | 'body'
  alt?: string
}

/** The media an entry's snapshot shows: its featured image, its `media` fields, the images of its body. */
export function mediaRefsOf(type: Pick<CompiledType, 'fields'>, snapshot: EntrySnapshot): MediaRef[] {
  const refs: MediaRef[] = []
  if (snapshot.featuredMediaId)
    refs.push({ mediaId: snapshot.featuredMediaId.toLowerCase(), via: 'featured' })
  for (const def of type.fields) {
    const value = snapshot.fields[def.key]
    if (def.type === 'media' && typeof value === 'string' && value !== '')
      refs.push({ mediaId: value.toLowerCase(), via: 'field' })
  }
  for (const image of imagesInRichText(snapshot.body))
    refs.push({ mediaId: image.mediaId, via: 'body', ...(image.alt !== undefined && { alt: image.alt }) })
  return refs
}

const keyOf = (ref: MediaRef): string => `${ref.via}:${ref.mediaId}`

function sameRefs(a: readonly MediaRef[], b: readonly MediaRef[]): boolean {
  const left = new Set(a.map(keyOf))
  const right = new Set(b.map(keyOf))
  return left.size === right.size && [...left].every((key) => right.has(key))
}

/**
 * Records that the entry's `scopes` now show `after` (the head revision; `live` too when the columns
 * took the same snapshot). `before` lists what each of those scopes showed until now (the head's
 * snapshot, the columns' snapshot): when all show the same as `after`, nothing is written, so a save
 * that leaves the images alone costs no statement.
 */
export async function syncMediaRefs(
  tx: Tx,
  q: {
    siteId: string
    entryId: string
    scopes: readonly EntryMediaScope[]
    before: ReadonlyArray<readonly MediaRef[]>
    after: readonly MediaRef[]
  },
): Promise<void> {
  if (q.scopes.length === 0 || q.before.every((refs) => sameRefs(refs, q.after))) return
  await replaceEntryMedia(tx, q)
}

/**
 * Refuses a snapshot that shows a media item the site no longer has (an old revision restored after
 * its image was removed): COLOPHON_CONTENT_FIELDS_INVALID, code `reference` on the field it was in
 * (`featuredMediaId`, the field's key, or `body`). One statement, none without references.
 */
export async function assertMediaRefsExist(
  tx: Tx,
  siteId: string,
  type: Pick<CompiledType, 'fields'>,
  snapshot: EntrySnapshot,
): Promise<void> {
  const refs = mediaRefsOf(type, snapshot)
  if (refs.length === 0) return
  const found = await mediaIdsOf(tx, siteId, [...new Set(refs.map((r) => r.mediaId))])
  const problems: Record<string, { code: string; message: string }> = {}
  for (const ref of refs) {
    if (found.has(ref.mediaId)) continue
    const key =
      ref.via === 'featured'
        ? 'featuredMediaId'
        : ref.via === 'body'
          ? 'body'
          : (type.fields.find((f) => f.type === 'media' && snapshot.fields[f.key] === ref.mediaId)?.key ??
            'fields')
    problems[key] = { code: 'reference', message: `No such media item on this site: ${ref.mediaId}.` }
  }
  if (Object.keys(problems).length > 0) throw ContentErrors.fieldsInvalid({ details: { fields: problems } })
}
