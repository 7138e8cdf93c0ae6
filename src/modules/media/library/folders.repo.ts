import { and, asc, count, eq, isNull, sql } from 'drizzle-orm'
import { rowsOf, schema, type Tx } from '../../../platform/db/index.ts'

const { media, mediaFolders } = schema

/** The media library's folders: a tree per site, held there by row-level security too. */

export type FolderRow = typeof mediaFolders.$inferSelect

export async function listFolders(tx: Tx, siteId: string): Promise<Array<FolderRow & { items: number }>> {
  const rows = await tx
    .select({ folder: mediaFolders, items: count(media.id) })
    .from(mediaFolders)
    .leftJoin(media, and(eq(media.siteId, mediaFolders.siteId), eq(media.folderId, mediaFolders.id)))
    .where(eq(mediaFolders.siteId, siteId))
    .groupBy(mediaFolders.id)
    .orderBy(asc(sql`lower(${mediaFolders.name})`), asc(mediaFolders.id))
  return rows.map((r) => ({ ...r.folder, items: Number(r.items) }))
}

export async function findFolder(
  tx: Tx,
  siteId: string,
  id: string,
  lock = false,
): Promise<FolderRow | undefined> {
  const query = tx
    .select()
    .from(mediaFolders)
    .where(and(eq(mediaFolders.siteId, siteId), eq(mediaFolders.id, id)))
    .limit(1)
  const [row] = lock ? await query.for('update') : await query
  return row
}

export async function insertFolder(tx: Tx, row: typeof mediaFolders.$inferInsert): Promise<FolderRow> {
  const [inserted] = await tx.insert(mediaFolders).values(row).returning()
  if (!inserted) throw new TypeError('insert into media_folders returned no row')
  return inserted
}

export async function updateFolder(
  tx: Tx,
  siteId: string,
  id: string,
  patch: Partial<Pick<FolderRow, 'name' | 'parentId'>>,
): Promise<FolderRow | undefined> {
  const [row] = await tx
    .update(mediaFolders)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(and(eq(mediaFolders.siteId, siteId), eq(mediaFolders.id, id)))
    .returning()
  return row
}

export async function deleteFolder(tx: Tx, siteId: string, id: string): Promise<void> {
  await tx.delete(mediaFolders).where(and(eq(mediaFolders.siteId, siteId), eq(mediaFolders.id, id)))
}

/** The folder and its ancestors' ids, the folder first (bounded: the tree is never deeper than that). */
export async function folderPath(tx: Tx, siteId: string, id: string): Promise<string[]> {
  const result = await tx.execute(sql`
    with recursive up(id, parent_id, depth) as (
      select id, parent_id, 0 from media_folders where site_id = ${siteId} and id = ${id}
      union all
      select f.id, f.parent_id, up.depth + 1 from media_folders f join up on f.id = up.parent_id
      where f.site_id = ${siteId} and up.depth < 64
    )
    select id from up order by depth`)
  return rowsOf<{ id: string }>(result).map((r) => r.id)
}

/** How many levels of folders lie below the folder (0 for one without sub-folders). */
export async function subtreeDepth(tx: Tx, siteId: string, id: string): Promise<number> {
  const result = await tx.execute(sql`
    with recursive down(id, depth) as (
      select id, 0 from media_folders where site_id = ${siteId} and id = ${id}
      union all
      select f.id, down.depth + 1 from media_folders f join down on f.parent_id = down.id
      where f.site_id = ${siteId} and down.depth < 64
    )
    select max(depth) as depth from down`)
  return Number(rowsOf<{ depth: number | string | null }>(result)[0]?.depth ?? 0)
}

/** What the folder holds directly: files and sub-folders. */
export async function folderContents(
  tx: Tx,
  siteId: string,
  id: string,
): Promise<{ items: number; folders: number }> {
  const [items] = await tx
    .select({ n: count() })
    .from(media)
    .where(and(eq(media.siteId, siteId), eq(media.folderId, id)))
  const [folders] = await tx
    .select({ n: count() })
    .from(mediaFolders)
    .where(and(eq(mediaFolders.siteId, siteId), eq(mediaFolders.parentId, id)))
  return { items: Number(items?.n ?? 0), folders: Number(folders?.n ?? 0) }
}

/** Whether a folder of that name (any case) sits in `parentId` already, other than `exceptId`. */
export async function siblingNamed(
  tx: Tx,
  q: { siteId: string; parentId: string | null; name: string; exceptId?: string },
): Promise<boolean> {
  const [row] = await tx
    .select({ id: mediaFolders.id })
    .from(mediaFolders)
    .where(
      and(
        eq(mediaFolders.siteId, q.siteId),
        q.parentId === null ? isNull(mediaFolders.parentId) : eq(mediaFolders.parentId, q.parentId),
        sql`lower(${mediaFolders.name}) = lower(${q.name})`,
        q.exceptId ? sql`${mediaFolders.id} <> ${q.exceptId}` : undefined,
      ),
    )
    .limit(1)
  return row !== undefined
}
