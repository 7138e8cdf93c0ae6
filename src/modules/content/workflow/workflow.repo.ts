import { and, asc, desc, eq, inArray, isNotNull, lt, lte, ne, sql } from 'drizzle-orm'
import { schema, type Tx, rowsOf } from '../../../platform/db/index.ts'
import { readSiteSettings } from '../../sites/index.ts'

const { entries, entryApprovals, entryTransitions, media, sites } = schema

export type TransitionRow = typeof entryTransitions.$inferSelect
export type ApprovalRow = typeof entryApprovals.$inferSelect

/** What the workflow needs of its site: the publish setting, the time zone, and a reference for contexts. */
export interface WorkflowSite {
  id: string
  slug: string
  name: string
  timezone: string
  authorsMayPublish: boolean
}

/**
 * Every query filters on the site too: row-level security hides other sites' rows from a site-bound
 * transaction, and the explicit filter keeps that true in network-scope ones (the sweep jobs).
 */

export async function findWorkflowSite(tx: Tx, siteId: string): Promise<WorkflowSite | undefined> {
  const [row] = await tx
    .select({
      id: sites.id,
      slug: sites.slug,
      name: sites.name,
      timezone: sites.timezone,
      settings: sites.settings,
    })
    .from(sites)
    .where(eq(sites.id, siteId))
  if (!row) return undefined
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    timezone: row.timezone,
    authorsMayPublish: readSiteSettings(row.settings).authorsMayPublish,
  }
}

export async function insertTransition(
  tx: Tx,
  row: typeof entryTransitions.$inferInsert,
): Promise<TransitionRow> {
  const [inserted] = await tx.insert(entryTransitions).values(row).returning()
  if (!inserted) throw new TypeError('insert into entry_transitions returned no row')
  return inserted
}

/** Newest first, `limit + 1` rows (the extra one says another page exists). */
export async function listTransitions(
  tx: Tx,
  q: { siteId: string; entryId: string; cursor?: string | undefined; limit: number },
): Promise<TransitionRow[]> {
  return tx
    .select()
    .from(entryTransitions)
    .where(
      and(
        eq(entryTransitions.siteId, q.siteId),
        eq(entryTransitions.entryId, q.entryId),
        q.cursor ? lt(entryTransitions.id, q.cursor) : undefined,
      ),
    )
    .orderBy(desc(entryTransitions.id))
    .limit(q.limit + 1)
}

/** The latest move to `scheduled`: who scheduled the entry (the sweep acts on their behalf). */
export async function lastScheduling(
  tx: Tx,
  siteId: string,
  entryId: string,
): Promise<TransitionRow | undefined> {
  const [row] = await tx
    .select()
    .from(entryTransitions)
    .where(
      and(
        eq(entryTransitions.siteId, siteId),
        eq(entryTransitions.entryId, entryId),
        eq(entryTransitions.toStatus, 'scheduled'),
      ),
    )
    .orderBy(desc(entryTransitions.id))
    .limit(1)
  return row
}

/** Approvals of one revision by users other than `authorId`, oldest first. */
export async function approvalsOf(
  tx: Tx,
  q: { siteId: string; entryId: string; revisionId: string; authorId: string | null },
): Promise<ApprovalRow[]> {
  return tx
    .select()
    .from(entryApprovals)
    .where(
      and(
        eq(entryApprovals.siteId, q.siteId),
        eq(entryApprovals.entryId, q.entryId),
        eq(entryApprovals.revisionId, q.revisionId),
        q.authorId ? ne(entryApprovals.userId, q.authorId) : undefined,
      ),
    )
    .orderBy(asc(entryApprovals.id))
}

/** Records an approval; approving the same revision twice keeps the first (idempotent). */
export async function insertApproval(tx: Tx, row: typeof entryApprovals.$inferInsert): Promise<boolean> {
  const inserted = await tx
    .insert(entryApprovals)
    .values(row)
    .onConflictDoNothing()
    .returning({ id: entryApprovals.id })
  return inserted.length > 0
}

/** The slugs of `parentId` and its ancestors, root first (bounded depth, so a corrupt loop cannot spin). */
export async function ancestorSlugs(tx: Tx, siteId: string, parentId: string | null): Promise<string[]> {
  if (!parentId) return []
  const result = await tx.execute(sql`
    with recursive up(id, parent_id, slug, depth) as (
      select id, parent_id, slug, 0 from entries where site_id = ${siteId} and id = ${parentId}
      union all
      select e.id, e.parent_id, e.slug, up.depth + 1 from entries e join up on e.id = up.parent_id
      where e.site_id = ${siteId} and up.depth < 100
    )
    select slug from up order by depth desc`)
  return rowsOf<{ slug: string }>(result).map((r) => r.slug)
}

/** A published descendant and the slugs between the entry and it (`between`: children first, itself last). */
export interface PublishedDescendant {
  id: string
  publishedAt: Date | null
  between: string[]
}

/** The published entries below `entryId` in its tree (for hierarchical types). */
export async function publishedDescendants(
  tx: Tx,
  siteId: string,
  entryId: string,
): Promise<PublishedDescendant[]> {
  const result = await tx.execute(sql`
    with recursive down(id, status, published_at, trashed_at, between, depth) as (
      select id, status, published_at, trashed_at, array[slug], 1 from entries
      where site_id = ${siteId} and parent_id = ${entryId}
      union all
      select e.id, e.status, e.published_at, e.trashed_at, down.between || e.slug, down.depth + 1
      from entries e join down on e.parent_id = down.id
      where e.site_id = ${siteId} and down.depth < 100
    )
    select id, published_at, between from down where status = 'published' and trashed_at is null`)
  return rowsOf<{ id: string; published_at: Date | string | null; between: string[] }>(result).map((r) => ({
    id: r.id,
    publishedAt: r.published_at === null ? null : new Date(r.published_at),
    between: r.between,
  }))
}

export async function deleteEntry(tx: Tx, siteId: string, id: string): Promise<void> {
  await tx.delete(entries).where(and(eq(entries.siteId, siteId), eq(entries.id, id)))
}

export interface DueEntry {
  id: string
  siteId: string
}

/** Scheduled entries whose time has come (network scope: every site), oldest first. */
export async function duePublishes(tx: Tx, now: Date, limit: number): Promise<DueEntry[]> {
  return tx
    .select({ id: entries.id, siteId: entries.siteId })
    .from(entries)
    .where(and(eq(entries.status, 'scheduled'), lte(entries.publishAt, now)))
    .orderBy(asc(entries.publishAt))
    .limit(limit)
}

/** Published entries whose unpublish time has come (network scope: every site). */
export async function dueUnpublishes(tx: Tx, now: Date, limit: number): Promise<DueEntry[]> {
  return tx
    .select({ id: entries.id, siteId: entries.siteId })
    .from(entries)
    .where(
      and(eq(entries.status, 'published'), isNotNull(entries.unpublishAt), lte(entries.unpublishAt, now)),
    )
    .orderBy(asc(entries.unpublishAt))
    .limit(limit)
}

/** Entries trashed before `before` (network scope: every site). */
export async function expiredTrash(tx: Tx, before: Date, limit: number): Promise<DueEntry[]> {
  return tx
    .select({ id: entries.id, siteId: entries.siteId })
    .from(entries)
    .where(and(isNotNull(entries.trashedAt), lt(entries.trashedAt, before)))
    .orderBy(asc(entries.trashedAt))
    .limit(limit)
}

/**
 * Which of `ids` are pictures (images, SVG) of the site with no alternative text that are not marked
 * decorative: what an entry may not be published showing.
 */
export async function mediaWithoutAlt(
  tx: Tx,
  siteId: string,
  ids: readonly string[],
): Promise<Array<{ id: string; title: string }>> {
  if (ids.length === 0) return []
  return tx
    .select({ id: media.id, title: media.title })
    .from(media)
    .where(
      and(
        eq(media.siteId, siteId),
        inArray(media.id, [...ids]),
        inArray(media.category, ['image', 'svg']),
        eq(media.decorative, false),
        sql`btrim(${media.alt}) = ''`,
      ),
    )
}
