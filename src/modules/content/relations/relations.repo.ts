import { and, eq, inArray, sql, type SQL } from 'drizzle-orm'
import { schema, type Tx, rowsOf } from '../../../platform/db/index.ts'
import { visibleTo, type Audience } from '../audience.repo.ts'

const { entries, entryRelations } = schema

export type { Audience } from '../audience.repo.ts'

/** Another entry as shown beside the one asked for (a relation's other end, a series member). */
export interface LinkedEntryRow {
  id: string
  type: string
  slug: string
  title: string
  status: string
  publishedAt: string | null
}

export interface RelationRow {
  kind: string
  position: number
  entry: LinkedEntryRow
}

/**
 * Every query filters on the site explicitly; row-level security is the second wall.
 */

/** The JSON of a linked entry `alias` (joined with its content type `typeAlias`). */
export function linkedEntryJson(alias: string, typeAlias: string): SQL {
  const a = sql.raw(alias)
  const t = sql.raw(typeAlias)
  return sql`json_build_object('id', ${a}.id, 'type', ${t}.key, 'slug', ${a}.slug, 'title', ${a}.title,
    'status', ${a}.status, 'publishedAt', ${a}.published_at)`
}

/** The entry's author, with the entry row locked so concurrent replacements of its relations queue. */
export async function lockEntryAuthor(
  tx: Tx,
  siteId: string,
  id: string,
): Promise<{ authorId: string | null } | undefined> {
  const [row] = await tx
    .select({ authorId: entries.authorId })
    .from(entries)
    .where(and(eq(entries.siteId, siteId), eq(entries.id, id)))
    .for('update')
  return row
}

/** The ids among `ids` that are entries of the site. */
export async function existingEntryIds(tx: Tx, siteId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await tx
    .select({ id: entries.id })
    .from(entries)
    .where(and(eq(entries.siteId, siteId), inArray(entries.id, [...ids])))
  return new Set(rows.map((r) => r.id))
}

export async function replaceOutgoingRelations(
  tx: Tx,
  q: {
    siteId: string
    fromEntryId: string
    ids: readonly string[]
    relations: ReadonlyArray<{ kind: string; entryId: string }>
  },
): Promise<number> {
  const removed = await tx
    .delete(entryRelations)
    .where(and(eq(entryRelations.siteId, q.siteId), eq(entryRelations.fromEntryId, q.fromEntryId)))
    .returning({ id: entryRelations.id })
  if (q.relations.length > 0)
    await tx.insert(entryRelations).values(
      q.relations.map((r, position) => ({
        id: q.ids[position] as string,
        siteId: q.siteId,
        fromEntryId: q.fromEntryId,
        toEntryId: r.entryId,
        kind: r.kind,
        position,
      })),
    )
  return removed.length
}

/**
 * The entry's outgoing and incoming relations in one statement; undefined when the entry is not visible
 * to the audience. Outgoing ones keep the order they were saved in; incoming ones come by kind, oldest
 * first. The other end of every relation is filtered by the audience too.
 */
export async function readRelations(
  tx: Tx,
  q: { siteId: string; entryId: string; audience: Audience },
): Promise<{ outgoing: RelationRow[]; incoming: RelationRow[] } | undefined> {
  const relationsOf = (direction: 'outgoing' | 'incoming'): SQL => {
    const [self, other] =
      direction === 'outgoing' ? ['from_entry_id', 'to_entry_id'] : ['to_entry_id', 'from_entry_id']
    const order = direction === 'outgoing' ? sql`r.position, r.id` : sql`r.kind, r.id`
    return sql`(select coalesce(json_agg(json_build_object('kind', r.kind, 'position', r.position,
        'entry', ${linkedEntryJson('o', 'ot')}) order by ${order}), '[]'::json)
      from entry_relations r
      join entries o on o.id = r.${sql.raw(other)} and o.site_id = ${q.siteId}
      join content_types ot on ot.id = o.type_id and ot.site_id = ${q.siteId}
      where r.site_id = ${q.siteId} and r.${sql.raw(self)} = e.id and ${visibleTo(q.audience, 'o', q.siteId)})`
  }
  const result = await tx.execute(sql`
    select ${relationsOf('outgoing')} as outgoing, ${relationsOf('incoming')} as incoming
    from entries e
    where e.site_id = ${q.siteId} and e.id = ${q.entryId} and ${visibleTo(q.audience, 'e', q.siteId)}`)
  const [row] = rowsOf<{ outgoing: unknown; incoming: unknown }>(result)
  if (!row) return undefined
  return { outgoing: jsonOf<RelationRow[]>(row.outgoing), incoming: jsonOf<RelationRow[]>(row.incoming) }
}

/** `json` columns arrive parsed from one driver and as text from another. */
export function jsonOf<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T
}
