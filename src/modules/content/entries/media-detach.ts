import type { Ctx } from '../../../platform/access/index.ts'
import type { Tx } from '../../../platform/db/index.ts'
import { isLive, type EntrySnapshot, type EntryStatus } from '../content.model.ts'
import type { CompiledType } from '../types/index.ts'
import { applySnapshot, lockEntry, snapshotOf } from './entries.repo.ts'
import { headSnapshot, loadTypeOf, saveRevision } from './entries.write.ts'
import { mediaRefsOf, syncMediaRefs } from './media-refs.ts'
import { entriesShowingMedia } from './media-refs.repo.ts'
import { renderRichText, withoutMediaImages } from './rich-text.ts'

/**
 * The snapshot without `mediaId`: no featured image, the `media` fields that named it emptied, its images
 * gone from the body (the HTML rendered again). Undefined when the snapshot did not show it.
 */
export function snapshotWithoutMedia(
  type: Pick<CompiledType, 'fields'>,
  snapshot: EntrySnapshot,
  mediaId: string,
): EntrySnapshot | undefined {
  const id = mediaId.toLowerCase()
  if (!mediaRefsOf(type, snapshot).some((ref) => ref.mediaId === id)) return undefined
  const fields = { ...snapshot.fields }
  for (const def of type.fields)
    if (
      def.type === 'media' &&
      typeof fields[def.key] === 'string' &&
      (fields[def.key] as string).toLowerCase() === id
    )
      delete fields[def.key]
  const body = snapshot.body === null ? null : withoutMediaImages(snapshot.body, id)
  return {
    ...snapshot,
    featuredMediaId: snapshot.featuredMediaId?.toLowerCase() === id ? null : snapshot.featuredMediaId,
    fields,
    body,
    bodyHtml: body === snapshot.body ? snapshot.bodyHtml : renderRichText(body),
  }
}

/**
 * Takes a media item out of every entry of the site that shows it, before the item is removed for good
 * (a forced delete from the library). For each entry: its latest revision gets a new revision without the
 * item (by the caller, so the history says who and when), and a live entry's published columns lose it
 * too, at once — readers never get a page naming a file that is gone. Entries stay valid: no reference
 * to a missing item is left where a save would check it. Returns the ids of the entries changed.
 * Runs in the caller's transaction; each entry is locked first.
 */
export async function removeMediaFromEntries(
  ctx: Ctx,
  tx: Tx,
  q: { siteId: string; mediaId: string },
): Promise<string[]> {
  const changed: string[] = []
  for (const entryId of await entriesShowingMedia(tx, q.siteId, q.mediaId)) {
    const row = await lockEntry(tx, q.siteId, entryId)
    if (!row) continue
    const type = await loadTypeOf(tx, row)
    const head = await headSnapshot(tx, row)
    const newHead = snapshotWithoutMedia(type, head, q.mediaId)
    let current = row
    if (newHead)
      current = (await saveRevision(ctx, tx, { row, snapshot: newHead, type, base: head, kind: 'save' })).row
    if (isLive(row.status as EntryStatus)) {
      const columns = snapshotOf(current)
      const newColumns = snapshotWithoutMedia(type, columns, q.mediaId)
      if (newColumns) {
        await applySnapshot(tx, { siteId: q.siteId, id: entryId, snapshot: newColumns })
        await syncMediaRefs(tx, {
          siteId: q.siteId,
          entryId,
          scopes: ['live'],
          before: [mediaRefsOf(type, columns)],
          after: mediaRefsOf(type, newColumns),
        })
      }
    }
    changed.push(entryId)
  }
  return changed
}
