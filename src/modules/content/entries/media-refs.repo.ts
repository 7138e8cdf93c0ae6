import { and, eq, inArray, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import { schema, type Tx } from '../../../platform/db/index.ts'

const { entryMedia } = schema

export type EntryMediaScope = 'live' | 'head'

/**
 * Replaces the entry's rows of `scopes` with `after`. References to items that no longer exist are left
 * out (an old revision restored after its image was removed is refused earlier; this keeps the foreign
 * key from failing a write that raced with a delete).
 */
export async function replaceEntryMedia(
  tx: Tx,
  q: {
    siteId: string
    entryId: string
    scopes: readonly EntryMediaScope[]
    after: ReadonlyArray<{ mediaId: string; via: string }>
  },
): Promise<void> {
  await tx
    .delete(entryMedia)
    .where(
      and(
        eq(entryMedia.siteId, q.siteId),
        eq(entryMedia.entryId, q.entryId),
        inArray(entryMedia.scope, [...q.scopes]),
      ),
    )
  if (q.after.length === 0) return
  const refs = sql.join(
    q.after.map((r) => sql`(${r.mediaId}::uuid, ${r.via})`),
    sql`, `,
  )
  const scopes = sql.join(
    q.scopes.map((scope) => sql`(${scope})`),
    sql`, `,
  )
  await tx.execute(sql`
    insert into entry_media (site_id, entry_id, media_id, via, scope)
    select m.site_id, ${q.entryId}::uuid, m.id, refs.via, scopes.scope
    from (values ${refs}) as refs(media_id, via)
    join media m on m.site_id = ${q.siteId}::uuid and m.id = refs.media_id
    cross join (values ${scopes}) as scopes(scope)
    on conflict do nothing`)
}

/** The entries of the site that show the media item, in their head revision or their columns. */
export async function entriesShowingMedia(tx: Tx, siteId: string, mediaId: string): Promise<string[]> {
  const rows = await tx
    .selectDistinct({ entryId: entryMedia.entryId })
    .from(entryMedia)
    .where(and(eq(entryMedia.siteId, siteId), eq(entryMedia.mediaId, mediaId)))
    .orderBy(entryMedia.entryId)
  return rows.map((r) => r.entryId)
}

/**
 * Whether readers may fetch the media item `mediaId` of site `siteId` without a signed link: a published,
 * public entry shows it in its columns (what readers of that entry get). The one statement of that rule,
 * for the media module's file route and the reading API alike.
 */
export function shownPublicly(siteId: SQLWrapper, mediaId: SQLWrapper): SQL {
  return sql`exists (
    select 1 from entry_media em
    join entries e on e.site_id = em.site_id and e.id = em.entry_id
    where em.site_id = ${siteId} and em.media_id = ${mediaId} and em.scope = 'live'
      and e.status = 'published' and e.visibility = 'public' and e.trashed_at is null)`
}
