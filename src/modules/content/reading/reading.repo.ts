import { and, eq, sql, type SQL } from 'drizzle-orm'
import type { PgColumn } from 'drizzle-orm/pg-core'
import { schema, type Tx } from '../../../platform/db/index.ts'
import { visibleTo, type Audience } from '../audience.repo.ts'
import type { EntryRow } from '../entries/index.ts'

const { entries, contentTypes } = schema

/**
 * The SQL of the reading API. A page and everything it includes (author, terms, parent) come from ONE
 * statement: the includes are correlated subqueries built with json_build_object / json_agg, so the number
 * of statements never grows with the page size or the includes (the query budget tests hold us to it).
 * Every value a caller gives travels as a bound parameter; the only raw SQL pieces are column names
 * picked from the fixed table below. Only the columns the reply shows are read (`columns`).
 *
 * Keyset pages are index bounds at any depth: the position is a row-value comparison `(key, id) < (…)`
 * and every offered sort has an index on `(site_id, key DESC NULLS LAST, id DESC NULLS LAST)` (schema
 * content.ts), scanned forwards for descending sorts and backwards for ascending ones, so each ORDER BY
 * below spells the nulls order of that scan. Entries never published sort last in both directions: under
 * a `publishedAt` sort for editors, the published ones and the never-published ones are two index ranges
 * read one after the other (`twoRanges`).
 */

export type SortKey = 'publishedAt' | 'createdAt' | 'updatedAt' | 'title'

/** Sort keys → their column; the only strings that reach the SQL text unparameterised. */
const SORT_COLUMNS: Record<SortKey, SQL> = {
  publishedAt: sql.raw('"entries"."published_at"'),
  createdAt: sql.raw('"entries"."created_at"'),
  updatedAt: sql.raw('"entries"."updated_at"'),
  title: sql.raw('"entries"."title"'),
}

/** Who reads: the audience rule of `audience.repo.ts`. */
export type { Audience } from '../audience.repo.ts'

export interface Includes {
  author: boolean
  terms: boolean
  parent: boolean
}

export type TermRef = { taxonomy: string; slug: string } | { id: string }

export interface EntryFilters {
  types?: readonly string[] | undefined
  /** For callers who read drafts (others always get `published`); absent: every status but `trash`. */
  statuses?: readonly string[] | undefined
  /** Every one must be assigned to the entry. */
  terms?: readonly TermRef[] | undefined
  authorId?: string | undefined
  /** An entry id, or null for entries without a parent. */
  parentId?: string | null | undefined
  publishedAfter?: string | undefined
  publishedBefore?: string | undefined
  search?: string | undefined
  slug?: string | undefined
}

export interface ListQuery {
  siteId: string
  /** The entry columns to read (`id` always comes). */
  columns: ReadonlySet<keyof EntryRow>
  /** Whether to read the content type key. */
  typeKey: boolean
  audience: Audience
  includes: Includes
  filters: EntryFilters
  sort: { key: SortKey; descending: boolean }
  /** The keyset position: the sort value (as `sortValue` gave it) and id of the last entry shown. */
  after?: { value: string | null; id: string } | undefined
  limit: number
}

export interface AuthorInclude {
  id: string
  name: string
}
export interface TermInclude {
  id: string
  slug: string
  name: string
}
export interface ParentInclude {
  id: string
  type: string
  slug: string
  title: string
}

export interface ReadingRow {
  /** The columns asked for, and `id`. */
  entry: EntryRow
  /** The content type key, when asked for. */
  typeKey: string
  /** The sort column as text (timestamps as microseconds since the epoch, exact), for the cursor. */
  sortValue: string | null
  author: AuthorInclude | null
  terms: Record<string, TermInclude[]> | null
  parent: ParentInclude | null
}

const listOf = (values: readonly string[]): SQL =>
  sql`(${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )})`

function termFilter(siteId: string, term: TermRef): SQL {
  const match =
    'id' in term
      ? sql`et.term_id = ${term.id}`
      : sql`et.term_id in (select tm.id from terms tm join taxonomies tx on tx.id = tm.taxonomy_id
          where tm.site_id = ${siteId} and tx.site_id = ${siteId} and tx.key = ${term.taxonomy} and tm.slug = ${term.slug})`
  return sql`exists (select 1 from entry_terms et where et.site_id = ${siteId} and et.entry_id = ${entries.id} and ${match})`
}

/** `%`, `_` and the escape character itself lose their LIKE meaning in a searched title. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

function filterConditions(q: ListQuery): SQL[] {
  const f = q.filters
  const out: SQL[] = []
  // One type (the common case) is an equality an index can bound; several are a filter.
  if (f.types?.length === 1)
    out.push(
      sql`${entries.typeId} = (select ct.id from content_types ct where ct.site_id = ${q.siteId} and ct.key = ${f.types[0]})`,
    )
  else if (f.types?.length)
    out.push(
      sql`${entries.typeId} in (select ct.id from content_types ct where ct.site_id = ${q.siteId} and ct.key in ${listOf(f.types)})`,
    )
  if (q.audience.drafts)
    out.push(
      f.statuses?.length
        ? sql`${entries.status} in ${listOf(f.statuses)}`
        : sql`${entries.status} <> 'trash'`,
    )
  for (const term of f.terms ?? []) out.push(termFilter(q.siteId, term))
  if (f.authorId) out.push(sql`${entries.authorId} = ${f.authorId}`)
  if (f.parentId === null) out.push(sql`${entries.parentId} is null`)
  else if (f.parentId) out.push(sql`${entries.parentId} = ${f.parentId}`)
  if (f.publishedAfter) out.push(sql`${entries.publishedAt} >= ${f.publishedAfter}::timestamptz`)
  if (f.publishedBefore) out.push(sql`${entries.publishedAt} < ${f.publishedBefore}::timestamptz`)
  if (f.search) out.push(sql`${entries.title} ilike ${likePattern(f.search)} escape '\\'`)
  if (f.slug) out.push(sql`${entries.slug} = ${f.slug}`)
  return out
}

const isTimestamp = (key: SortKey): boolean => key !== 'title'

/** The sort column as the cursor stores it: exact microseconds for timestamps, the text for titles. */
function sortValueOf(key: SortKey): SQL {
  const column = SORT_COLUMNS[key]
  return isTimestamp(key) ? sql`(extract(epoch from ${column}) * 1000000)::bigint::text` : sql`${column}`
}

function cursorValue(key: SortKey, value: string): SQL {
  return isTimestamp(key)
    ? sql`(timestamptz 'epoch' + ${value}::bigint::float8 * interval '1 microsecond')`
    : sql`${value}`
}

/** `column dir` as the sort index is scanned that way: DESC NULLS LAST forwards, ASC NULLS FIRST backwards. */
function orderBy(column: SQL | PgColumn, descending: boolean): SQL {
  return descending ? sql`${column} desc nulls last` : sql`${column} asc nulls first`
}

/** Rows beyond the keyset position among those whose sort key is not null: one row-value bound. */
function beyondValue(q: ListQuery): SQL | undefined {
  if (!q.after) return undefined
  if (q.after.value === null) return sql`false`
  const column = SORT_COLUMNS[q.sort.key]
  const beyond = q.sort.descending ? sql`<` : sql`>`
  return sql`(${column}, ${entries.id}) ${beyond} (${cursorValue(q.sort.key, q.after.value)}, ${q.after.id})`
}

/** Rows beyond the keyset position among those whose sort key is null (they come after all others). */
function beyondNull(q: ListQuery): SQL | undefined {
  if (q.after?.value !== null || !q.after) return undefined
  return q.sort.descending ? sql`${entries.id} < ${q.after.id}` : sql`${entries.id} > ${q.after.id}`
}

/**
 * Whether the sort key can be null among the rows read: only `publishedAt`, and only for callers who see
 * unpublished entries (a published entry always has its publication time).
 */
const twoRanges = (q: ListQuery): boolean => q.sort.key === 'publishedAt' && q.audience.drafts

function includeColumns(siteId: string, audience: Audience, includes: Includes) {
  const author = includes.author
    ? sql<AuthorInclude | null>`(select json_build_object('id', u.id, 'name', u.name) from users u where u.id = ${entries.authorId})`
    : sql<null>`null`
  // The lateral primary-key lookup (LIMIT 1 keeps the planner from flattening it) reads only the entry's
  // few terms; as a plain join, PostgreSQL's default costs pick a scan of every term of the site per entry.
  const terms = includes.terms
    ? sql<Record<string, TermInclude[]> | null>`(select json_object_agg(g.key, g.items) from (
        select tx.key, json_agg(json_build_object('id', tm.id, 'slug', tm.slug, 'name', tm.name)
          order by et.position, tm.name, tm.id) as items
        from entry_terms et
        cross join lateral (select t.id, t.slug, t.name, t.taxonomy_id from terms t
          where t.id = et.term_id and t.site_id = ${siteId} limit 1) tm
        join taxonomies tx on tx.id = tm.taxonomy_id and tx.site_id = ${siteId}
        where et.site_id = ${siteId} and et.entry_id = ${entries.id}
        group by tx.key) g)`
    : sql<null>`null`
  // The parent comes only when the caller could read it themselves. Without `drafts` the outer entry is a
  // published one of a live site, so the parent's rule need not look at the site again.
  const parentVisible = visibleTo(audience, 'p', siteId, ['public'], { siteKnownLive: !audience.drafts })
  const parent = includes.parent
    ? sql<ParentInclude | null>`(select json_build_object('id', p.id, 'type', pt.key, 'slug', p.slug, 'title', p.title)
        from entries p join content_types pt on pt.id = p.type_id
        where p.site_id = ${siteId} and p.id = ${entries.parentId} and ${parentVisible})`
    : sql<null>`null`
  return { author, terms, parent }
}

function selectReading(
  tx: Tx,
  q: Pick<ListQuery, 'siteId' | 'audience' | 'includes' | 'sort' | 'columns' | 'typeKey'>,
) {
  // The join also makes the query builder qualify every column: the include subqueries name columns
  // (`id`, `parent_id`) that their own tables have too.
  const picked: Record<string, PgColumn> = { id: entries.id }
  for (const column of q.columns) picked[column] = entries[column]
  return tx
    .select({
      entry: picked,
      typeKey: q.typeKey ? contentTypes.key : sql<string>`''`,
      sortValue: sortValueOf(q.sort.key).mapWith(String),
      ...includeColumns(q.siteId, q.audience, q.includes),
    })
    .from(entries)
    .innerJoin(contentTypes, eq(contentTypes.id, entries.typeId))
}

/** The ids of one index range of the page: rows matching `bound`, in sort order, at most `limit`. */
function rangeIds(q: ListQuery, conditions: (SQL | undefined)[], bound: SQL | undefined): SQL {
  const where = and(...conditions, bound) ?? sql`true`
  const column = SORT_COLUMNS[q.sort.key]
  return sql`(select ${entries.id} from ${entries} where ${where}
    order by ${orderBy(column, q.sort.descending)}, ${orderBy(entries.id, q.sort.descending)} limit ${q.limit})`
}

/** One page (`limit` rows; ask for one more to learn whether another page exists). */
export async function listEntriesForReading(tx: Tx, q: ListQuery): Promise<ReadingRow[]> {
  const column = SORT_COLUMNS[q.sort.key]
  const conditions = [
    eq(entries.siteId, q.siteId),
    visibleTo(q.audience, 'entries', q.siteId),
    ...filterConditions(q),
  ]
  const order = [orderBy(column, q.sort.descending), orderBy(entries.id, q.sort.descending)]
  if (!twoRanges(q)) {
    const rows = await selectReading(tx, q)
      .where(and(...conditions, beyondValue(q)))
      .orderBy(...order)
      .limit(q.limit)
    return rows as ReadingRow[]
  }
  // Published entries first (their range is empty once the cursor is among the never-published ones),
  // then the never-published ones by id. Each range is read from the index up to `limit` rows; the final
  // order puts nulls last whatever the direction.
  const published = rangeIds(q, [...conditions, sql`${column} is not null`], beyondValue(q))
  const never = rangeIds(q, [...conditions, sql`${column} is null`], beyondNull(q))
  const rows = await selectReading(tx, q)
    .where(and(eq(entries.siteId, q.siteId), sql`${entries.id} in (${published} union all ${never})`))
    .orderBy(sql`${column} is null`, ...order)
    .limit(q.limit)
  return rows as ReadingRow[]
}

/**
 * One entry by id. Readers also get password-protected entries here (the service checks the password);
 * lists never show them to readers. The status, visibility and password hash always come, for that check.
 */
export async function findEntryForReading(
  tx: Tx,
  q: {
    siteId: string
    id: string
    audience: Audience
    includes: Includes
    columns: ReadonlySet<keyof EntryRow>
    typeKey: boolean
  },
): Promise<ReadingRow | undefined> {
  const columns = new Set(q.columns).add('status').add('visibility').add('passwordHash')
  const [row] = await selectReading(tx, {
    ...q,
    columns,
    sort: { key: 'publishedAt', descending: true },
  }).where(
    and(
      eq(entries.siteId, q.siteId),
      eq(entries.id, q.id),
      visibleTo(q.audience, 'entries', q.siteId, ['public', 'password']),
    ),
  )
  return row as ReadingRow | undefined
}
