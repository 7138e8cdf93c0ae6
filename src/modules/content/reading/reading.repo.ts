import { and, getTableColumns, sql, type SQL } from 'drizzle-orm'
import type { PgColumn } from 'drizzle-orm/pg-core'
import { containsPattern, schema, statementCache, type StatementRead } from '../../../platform/db/index.ts'
import { visibleTo, type Audience } from '../audience.repo.ts'
import { shownPublicly, type EntryRow } from '../entries/index.ts'

const { entries, contentTypes } = schema

/**
 * The SQL of the reading API. A page and everything it includes (author, terms, parent, ancestors) come from ONE
 * statement: the includes are correlated subqueries built with json_build_object / json_agg, so the number
 * of statements never grows with the page size or the includes (the query budget tests hold us to it).
 * Only the columns the reply shows are read.
 *
 * Statements are compiled once per query shape (ADR 0015): `listShape` and `entryShape` reduce a query to
 * plain data (which columns, which filters are present, the sort, whether a cursor is given, the page
 * size) and the builders below see only that shape. Every value a caller gives is a named placeholder
 * filled when the statement is read; the only raw SQL pieces are column names from the fixed tables below,
 * fixed enumerations chosen by code, and the validated page size (a literal, so that PostgreSQL's generic
 * plan of the prepared statement is as good as a custom one).
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
  ancestors: boolean
  media: boolean
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
  /**
   * Rows to skip before the page: public sites' numbered pages (`/page/N`), bounded by their page limit.
   * The HTTP API pages by keyset only.
   */
  offset?: number | undefined
  /**
   * Lists password-protected entries too, as a single read finds them (public sites find a protected
   * entry by its path to show its password form). Never for the HTTP API's lists.
   */
  protectedToo?: boolean | undefined
  limit: number
}

export interface EntryQuery {
  siteId: string
  id: string
  audience: Audience
  includes: Includes
  columns: ReadonlySet<keyof EntryRow>
  typeKey: boolean
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

/**
 * One ancestor of an entry (`include=ancestors`, root first). Its slug always comes: it is part of the
 * entry's own path (`{path}` permalinks). The rest only when the caller could read that entry.
 */
export interface AncestorInclude {
  slug: string
  visible: boolean
  id: string | null
  type: string | null
  title: string | null
}

/**
 * A media item an entry shows (`include=media`) as stored: variants by object key, and whether readers
 * may fetch it unsigned. The service gives it URLs (`MediaLinker`) before anyone sees it.
 */
export interface StoredMediaInclude {
  id: string
  via: Array<'featured' | 'field' | 'body'>
  filename: string
  mimeType: string
  category: string
  width: number | null
  height: number | null
  alt: string
  caption: string
  credit: string
  decorative: boolean
  dominantColor: string | null
  thumbhash: string | null
  public: boolean
  /** The object readers get: an image's cleaned copy (null until made), any other file as stored. */
  fileKey: string | null
  variants: Array<{ width: number; height: number; format: string; crop: string; key: string }>
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
  ancestors: AncestorInclude[] | null
  media: StoredMediaInclude[] | null
}

/** Most rows one statement may ask for: the page size is written into the text, so it is bounded here. */
const MAX_ROWS = 1000

/** What a single-entry read looks like as data: everything its statement text depends on. */
interface EntryShape {
  /** The entry columns after `id`, in the order of the select list. */
  columns: (keyof EntryRow)[]
  typeKey: boolean
  audience: Audience
  includes: Includes
  /** Whether the sort value comes (lists, for their cursor). */
  sortKey: SortKey | null
}

/** What a list looks like as data. */
interface ListShape extends EntryShape {
  sortKey: SortKey
  descending: boolean
  types: 'any' | 'one' | 'many'
  statuses: boolean
  terms: ('id' | 'slug')[]
  author: boolean
  parent: 'any' | 'none' | 'id'
  publishedAfter: boolean
  publishedBefore: boolean
  search: boolean
  slug: boolean
  /** The keyset position: none, after a row with a sort value, after a row whose sort value is null. */
  after: 'none' | 'value' | 'null'
  /** Whether rows are skipped before the page (its number is the `offset` placeholder). */
  offset: boolean
  protectedToo: boolean
  limit: number
}

const value = (name: string) => sql.placeholder(name)
const SITE = value('site')

/** The columns as the select list names them: always in the table's own order, so shapes compare equal. */
const ENTRY_COLUMNS = Object.keys(getTableColumns(entries)) as (keyof EntryRow)[]

function columnsOf(columns: ReadonlySet<keyof EntryRow>): (keyof EntryRow)[] {
  return ENTRY_COLUMNS.filter((c) => c !== 'id' && columns.has(c))
}

function includesOf(includes: Includes): Includes {
  return {
    author: includes.author,
    terms: includes.terms,
    parent: includes.parent,
    ancestors: includes.ancestors,
    media: includes.media,
  }
}

function termFilter(index: number, kind: 'id' | 'slug'): SQL {
  const match =
    kind === 'id'
      ? sql`et.term_id = ${value(`term${index}`)}`
      : sql`et.term_id in (select tm.id from terms tm join taxonomies tx on tx.id = tm.taxonomy_id
          where tm.site_id = ${SITE} and tx.site_id = ${SITE} and tx.key = ${value(`taxonomy${index}`)}
          and tm.slug = ${value(`termSlug${index}`)})`
  return sql`exists (select 1 from entry_terms et where et.site_id = ${SITE} and et.entry_id = ${entries.id} and ${match})`
}

function filterConditions(s: ListShape): SQL[] {
  const out: SQL[] = []
  // One type (the common case) is an equality an index can bound; several are a filter.
  if (s.types === 'one')
    out.push(
      sql`${entries.typeId} = (select ct.id from content_types ct where ct.site_id = ${SITE} and ct.key = ${value('type')})`,
    )
  else if (s.types === 'many')
    out.push(
      sql`${entries.typeId} in (select ct.id from content_types ct where ct.site_id = ${SITE} and ct.key = any(${value('types')}::text[]))`,
    )
  if (s.audience.drafts)
    out.push(
      s.statuses
        ? sql`${entries.status} = any(${value('statuses')}::text[])`
        : sql`${entries.status} <> 'trash'`,
    )
  s.terms.forEach((kind, index) => out.push(termFilter(index, kind)))
  if (s.author) out.push(sql`${entries.authorId} = ${value('author')}`)
  if (s.parent === 'none') out.push(sql`${entries.parentId} is null`)
  else if (s.parent === 'id') out.push(sql`${entries.parentId} = ${value('parent')}`)
  if (s.publishedAfter) out.push(sql`${entries.publishedAt} >= ${value('publishedAfter')}::timestamptz`)
  if (s.publishedBefore) out.push(sql`${entries.publishedAt} < ${value('publishedBefore')}::timestamptz`)
  if (s.search) out.push(sql`${entries.title} ilike ${value('search')} escape '\\'`)
  if (s.slug) {
    out.push(sql`${entries.slug} = ${value('slug')}`)
    // Readers only see published entries, which are never in the trash: saying so lets the planner use the
    // slug index (partial, on entries not trashed) instead of walking the sort index and filtering.
    if (!s.audience.drafts) out.push(sql`${entries.trashedAt} is null`)
  }
  return out
}

const isTimestamp = (key: SortKey): boolean => key !== 'title'

/** The sort column as the cursor stores it: exact microseconds for timestamps, the text for titles. */
function sortValueOf(key: SortKey): SQL {
  const column = SORT_COLUMNS[key]
  return isTimestamp(key) ? sql`(extract(epoch from ${column}) * 1000000)::bigint::text` : sql`${column}`
}

function cursorValue(key: SortKey): SQL {
  return isTimestamp(key)
    ? sql`(timestamptz 'epoch' + ${value('cursorValue')}::bigint::float8 * interval '1 microsecond')`
    : sql`${value('cursorValue')}::text`
}

/** `column dir` as the sort index is scanned that way: DESC NULLS LAST forwards, ASC NULLS FIRST backwards. */
function orderBy(column: SQL | PgColumn, descending: boolean): SQL {
  return descending ? sql`${column} desc nulls last` : sql`${column} asc nulls first`
}

/** Rows beyond the keyset position among those whose sort key is not null: one row-value bound. */
function beyondValue(s: ListShape): SQL | undefined {
  if (s.after === 'none') return undefined
  if (s.after === 'null') return sql`false`
  const beyond = s.descending ? sql`<` : sql`>`
  return sql`(${SORT_COLUMNS[s.sortKey]}, ${entries.id}) ${beyond} (${cursorValue(s.sortKey)}, ${value('cursorId')}::uuid)`
}

/** Rows beyond the keyset position among those whose sort key is null (they come after all others). */
function beyondNull(s: ListShape): SQL | undefined {
  if (s.after !== 'null') return undefined
  return s.descending ? sql`${entries.id} < ${value('cursorId')}` : sql`${entries.id} > ${value('cursorId')}`
}

/**
 * Whether the sort key can be null among the rows read: only `publishedAt`, and only for callers who see
 * unpublished entries (a published entry always has its publication time).
 */
const twoRanges = (s: ListShape): boolean => s.sortKey === 'publishedAt' && s.audience.drafts

function includeColumns(s: EntryShape): SQL[] {
  const out: SQL[] = []
  if (s.includes.author)
    out.push(
      sql`(select json_build_object('id', u.id, 'name', u.name) from users u where u.id = ${entries.authorId})`,
    )
  // The lateral primary-key lookup (LIMIT 1 keeps the planner from flattening it) reads only the entry's
  // few terms; as a plain join, PostgreSQL's default costs pick a scan of every term of the site per entry.
  if (s.includes.terms)
    out.push(sql`(select json_object_agg(g.key, g.items) from (
        select tx.key, json_agg(json_build_object('id', tm.id, 'slug', tm.slug, 'name', tm.name)
          order by et.position, tm.name, tm.id) as items
        from entry_terms et
        cross join lateral (select t.id, t.slug, t.name, t.taxonomy_id from terms t
          where t.id = et.term_id and t.site_id = ${SITE} limit 1) tm
        join taxonomies tx on tx.id = tm.taxonomy_id and tx.site_id = ${SITE}
        where et.site_id = ${SITE} and et.entry_id = ${entries.id}
        group by tx.key) g)`)
  // The parent comes only when the caller could read it themselves. Without `drafts` the outer entry is a
  // published one of a live site, so the parent's rule need not look at the site again.
  if (s.includes.parent) {
    const parentVisible = visibleTo(s.audience, 'p', SITE, ['public'], { siteKnownLive: !s.audience.drafts })
    out.push(sql`(select json_build_object('id', p.id, 'type', pt.key, 'slug', p.slug, 'title', p.title)
        from entries p join content_types pt on pt.id = p.type_id
        where p.site_id = ${SITE} and p.id = ${entries.parentId} and ${parentVisible})`)
  }
  // Up the parent chain, root first (depth-bounded, so a corrupt loop cannot spin). Every ancestor's slug
  // comes (it is in the entry's path); id, type and title only where the caller could read that entry.
  if (s.includes.ancestors) {
    const visible = visibleTo(s.audience, 'p', SITE, ['public'], { siteKnownLive: !s.audience.drafts })
    out.push(sql`(with recursive up(id, parent_id, depth) as (
          select a.id, a.parent_id, 1 from entries a where a.site_id = ${SITE} and a.id = ${entries.parentId}
          union all
          select a.id, a.parent_id, up.depth + 1 from entries a join up on a.id = up.parent_id
          where a.site_id = ${SITE} and up.depth < 100)
        select json_agg(json_build_object('slug', p.slug, 'visible', v.ok,
            'id', case when v.ok then p.id end, 'type', case when v.ok then pt.key end,
            'title', case when v.ok then p.title end) order by up.depth desc)
        from up join entries p on p.id = up.id and p.site_id = ${SITE}
        join content_types pt on pt.id = p.type_id
        cross join lateral (select coalesce(${visible}, false) as ok) v)`)
  }
  // The media the entry's columns show (content keeps entry_media in step with every write), each with
  // its variants and whether readers may fetch it unsigned; the service turns keys into URLs.
  if (s.includes.media)
    out.push(sql`(select json_agg(json_build_object('id', m.id, 'via', r.via, 'filename', m.filename,
          'mimeType', m.mime_type, 'category', m.category, 'width', m.width, 'height', m.height,
          'alt', m.alt, 'caption', m.caption, 'credit', m.credit, 'decorative', m.decorative,
          'dominantColor', m.dominant_color, 'thumbhash', m.thumbhash,
          'public', ${shownPublicly(SITE, sql`m.id`)},
          'fileKey', case when m.category = 'image' then m.clean_key else m.storage_key end,
          'variants', coalesce((select json_agg(json_build_object('width', v.width, 'height', v.height,
              'format', v.format, 'crop', v.crop, 'key', v.storage_key) order by v.crop, v.width, v.format)
            from media_variants v where v.site_id = ${SITE} and v.media_id = m.id), '[]'::json))
          order by m.id)
        from (select em.media_id, array_agg(distinct em.via order by em.via) as via from entry_media em
          where em.site_id = ${SITE} and em.entry_id = ${entries.id} and em.scope = 'live'
          group by em.media_id) r
        join media m on m.site_id = ${SITE} and m.id = r.media_id)`)
  return out
}

/**
 * A column as the reading API reads it: timestamps as the ISO 8601 text the reply shows (UTC, to the
 * millisecond, exactly what `Date#toISOString` writes), which spares parsing a Date per value only to
 * print it again; the entry view takes either (entries.view.ts).
 */
function columnAsRead(column: keyof EntryRow): SQL {
  const c = entries[column]
  return c.getSQLType() === 'timestamp with time zone'
    ? sql`to_char(${c} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : sql`${c}`
}

/** `select <id, columns, type key, sort value, includes> from entries [join content_types]`. */
function selectFrom(s: EntryShape): SQL {
  const list: SQL[] = [sql`${entries.id}`, ...s.columns.map(columnAsRead)]
  if (s.typeKey) list.push(sql`${contentTypes.key}`)
  if (s.sortKey !== null) list.push(sortValueOf(s.sortKey))
  list.push(...includeColumns(s))
  const join = s.typeKey ? sql` join ${contentTypes} on ${contentTypes.id} = ${entries.typeId}` : sql``
  return sql`select ${sql.join(list, sql`, `)} from ${entries}${join}`
}

/** Rows as `selectFrom` lists them, back into `ReadingRow`s (timestamps stay ISO text: `columnAsRead`). */
function decode(s: EntryShape, rows: unknown[][]): ReadingRow[] {
  return rows.map((row) => {
    let at = 0
    const next = () => row[at++]
    const entry: Record<string, unknown> = { id: next() }
    for (const column of s.columns) entry[column] = next()
    return {
      entry: entry as unknown as EntryRow,
      typeKey: s.typeKey ? (next() as string) : '',
      sortValue: s.sortKey !== null ? (next() as string | null) : null,
      author: s.includes.author ? (next() as AuthorInclude | null) : null,
      terms: s.includes.terms ? (next() as Record<string, TermInclude[]> | null) : null,
      parent: s.includes.parent ? (next() as ParentInclude | null) : null,
      ancestors: s.includes.ancestors ? ((next() as AncestorInclude[] | null) ?? []) : null,
      media: s.includes.media ? ((next() as StoredMediaInclude[] | null) ?? []) : null,
    }
  })
}

/** The ids of one index range of the page: rows matching `bound`, in sort order, at most `limit`. */
function rangeIds(s: ListShape, conditions: (SQL | undefined)[], bound: SQL | undefined, limit: SQL): SQL {
  const where = and(...conditions, bound) ?? sql`true`
  const column = SORT_COLUMNS[s.sortKey]
  return sql`(select ${entries.id} from ${entries} where ${where}
    order by ${orderBy(column, s.descending)}, ${orderBy(entries.id, s.descending)} limit ${limit})`
}

const listStatement = statementCache((s: ListShape): SQL => {
  const column = SORT_COLUMNS[s.sortKey]
  const limit = s.offset
    ? sql`${sql.raw(String(s.limit))} offset ${value('offset')}`
    : sql.raw(String(s.limit))
  // Each index range of a skipping page must hold the skipped rows as well as the page's.
  const rangeLimit = s.offset ? sql`${sql.raw(String(s.limit))} + ${value('offset')}` : limit
  const conditions = [
    sql`${entries.siteId} = ${SITE}`,
    visibleTo(s.audience, 'entries', SITE, s.protectedToo ? ['public', 'password'] : undefined),
    ...filterConditions(s),
  ]
  const order = [orderBy(column, s.descending), orderBy(entries.id, s.descending)]
  if (!twoRanges(s))
    return sql`${selectFrom(s)} where ${and(...conditions, beyondValue(s))} order by ${sql.join(order, sql`, `)} limit ${limit}`
  // Published entries first (their range is empty once the cursor is among the never-published ones),
  // then the never-published ones by id. Each range is read from the index up to `limit` rows; the final
  // order puts nulls last whatever the direction.
  const published = rangeIds(s, [...conditions, sql`${column} is not null`], beyondValue(s), rangeLimit)
  const never = rangeIds(s, [...conditions, sql`${column} is null`], beyondNull(s), rangeLimit)
  return sql`${selectFrom(s)} where ${entries.siteId} = ${SITE} and ${entries.id} in (${published} union all ${never})
    order by ${column} is null, ${sql.join(order, sql`, `)} limit ${limit}`
})

/** The shape of a list query and the values of its placeholders. */
function listShape(q: ListQuery): { shape: ListShape; values: Record<string, unknown> } {
  if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > MAX_ROWS)
    throw new RangeError(`limit must be an integer from 1 to ${MAX_ROWS}`)
  const f = q.filters
  const values: Record<string, unknown> = { site: q.siteId }
  const types = f.types ?? []
  if (types.length === 1) values.type = types[0]
  else if (types.length > 1) values.types = [...types]
  const statuses = q.audience.drafts && f.statuses !== undefined && f.statuses.length > 0
  if (statuses) values.statuses = [...(f.statuses ?? [])]
  const terms = (f.terms ?? []).map((term, index): 'id' | 'slug' => {
    if ('id' in term) {
      values[`term${index}`] = term.id
      return 'id'
    }
    values[`taxonomy${index}`] = term.taxonomy
    values[`termSlug${index}`] = term.slug
    return 'slug'
  })
  if (f.authorId) values.author = f.authorId
  if (f.parentId) values.parent = f.parentId
  if (f.publishedAfter) values.publishedAfter = f.publishedAfter
  if (f.publishedBefore) values.publishedBefore = f.publishedBefore
  if (f.search) values.search = containsPattern(f.search)
  if (f.slug) values.slug = f.slug
  if (q.after) {
    values.cursorId = q.after.id
    if (q.after.value !== null) values.cursorValue = q.after.value
  }
  const offset = q.offset ?? 0
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError('offset must be a whole number')
  if (offset > 0) values.offset = offset
  const shape: ListShape = {
    columns: columnsOf(q.columns),
    typeKey: q.typeKey,
    audience: { private: q.audience.private, drafts: q.audience.drafts },
    includes: includesOf(q.includes),
    sortKey: q.sort.key,
    descending: q.sort.descending,
    types: types.length === 0 ? 'any' : types.length === 1 ? 'one' : 'many',
    statuses,
    terms,
    author: Boolean(f.authorId),
    parent: f.parentId === null ? 'none' : f.parentId ? 'id' : 'any',
    publishedAfter: Boolean(f.publishedAfter),
    publishedBefore: Boolean(f.publishedBefore),
    search: Boolean(f.search),
    slug: Boolean(f.slug),
    after: !q.after ? 'none' : q.after.value === null ? 'null' : 'value',
    offset: offset > 0,
    protectedToo: q.protectedToo === true,
    limit: q.limit,
  }
  return { shape, values }
}

/** One page (`limit` rows; ask for one more to learn whether another page exists). */
export async function listEntriesForReading(read: StatementRead, q: ListQuery): Promise<ReadingRow[]> {
  const { shape, values } = listShape(q)
  return decode(shape, await read(listStatement(shape), values))
}

const entryStatement = statementCache(
  (s: EntryShape): SQL =>
    sql`${selectFrom(s)} where ${entries.siteId} = ${SITE} and ${entries.id} = ${value('id')}
      and ${visibleTo(s.audience, 'entries', SITE, ['public', 'password'])}`,
)

/**
 * One entry by id. Readers also get password-protected entries here (the service checks the password);
 * lists never show them to readers. The status, visibility and password hash always come, for that check.
 */
export async function findEntryForReading(
  read: StatementRead,
  q: EntryQuery,
): Promise<ReadingRow | undefined> {
  const shape: EntryShape = {
    columns: columnsOf(new Set(q.columns).add('status').add('visibility').add('passwordHash')),
    typeKey: q.typeKey,
    audience: { private: q.audience.private, drafts: q.audience.drafts },
    includes: includesOf(q.includes),
    sortKey: null,
  }
  const rows = await read(entryStatement(shape), { site: q.siteId, id: q.id })
  return decode(shape, rows)[0]
}
