import { sql, type SQL } from 'drizzle-orm'
import { statementCache, type StatementRead } from '../../../platform/db/index.ts'
import { visibleTo, type Audience } from '../../content/index.ts'

/**
 * The SQL of sitemaps and robots.txt: one statement per document. Entries are those any reader may see
 * (content's one rule, `visibleTo`, for an anonymous reader: published, public, not password-protected,
 * of a live site) and not marked `seo.noindex`. Every table is held to the site by the statement and by
 * row-level security (the reads run bound to the site).
 *
 * Pages are numbered, not keyed: a child's URL names its page. Entries are in the order of their first
 * publication, then id (the type's list index, scanned backwards), terms by id (UUIDv7: their creation
 * order), so a new entry or term joins the last page and earlier pages keep their URLs. Timestamps come
 * as W3C datetimes in UTC to the second, publication times as ISO text to the millisecond (permalinks).
 */

const ANONYMOUS: Audience = Object.freeze({ private: false, drafts: false })
const SITE = sql.placeholder('site')

/** Where an entry is listed: what an anonymous reader sees, less the entries asking not to be indexed. */
function listed(alias: string): SQL {
  const a = sql.raw(alias)
  return sql`${a}.site_id = ${SITE} and ${visibleTo(ANONYMOUS, alias, SITE)}
    and not (${a}.seo @> '{"noindex": true}'::jsonb)`
}

const w3c = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`
const iso = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/** One numbered child of the index, with its latest update. */
export interface SitemapChildRow {
  kind: 'type' | 'taxonomy'
  key: string
  page: number
  lastmod: string
}

const childrenStatement = statementCache(
  () => sql`with listed as (
      select e.id, e.type_id, e.published_at, e.updated_at from entries e where ${listed('e')}
    ), type_pages as (
      select ct.key, (row_number() over (partition by l.type_id order by l.published_at, l.id) - 1)
          / ${sql.placeholder('size')}::int as page, l.updated_at
      from listed l join content_types ct on ct.id = l.type_id and ct.site_id = ${SITE}
    ), term_latest as (
      select t.taxonomy_id, t.id, max(l.updated_at) as updated_at
      from entry_terms et
      join listed l on l.id = et.entry_id
      join terms t on t.id = et.term_id and t.site_id = ${SITE}
      where et.site_id = ${SITE}
      group by t.taxonomy_id, t.id
    ), term_pages as (
      select tx.key, (row_number() over (partition by tl.taxonomy_id order by tl.id) - 1)
          / ${sql.placeholder('size')}::int as page, tl.updated_at
      from term_latest tl join taxonomies tx on tx.id = tl.taxonomy_id and tx.site_id = ${SITE}
    )
    select 'type' as kind, key, page + 1 as page, ${w3c(sql`max(updated_at)`)} as lastmod
      from type_pages group by key, page
    union all
    select 'taxonomy', key, page + 1, ${w3c(sql`max(updated_at)`)} from term_pages group by key, page
    order by kind desc, key, page`,
)

/** Every child the site's sitemap index lists: types first, then taxonomies, by key and page. */
export async function readSitemapChildren(
  read: StatementRead,
  siteId: string,
  pageSize: number,
): Promise<SitemapChildRow[]> {
  const rows = await read(childrenStatement(null), { site: siteId, size: pageSize })
  return rows.map(([kind, key, page, lastmod]) => ({
    kind: kind as 'type' | 'taxonomy',
    key: key as string,
    // int8: a string from pg, a number from PGlite.
    page: Number(page),
    lastmod: lastmod as string,
  }))
}

/** An entry as its sitemap URL needs it. */
export interface SitemapEntryRow {
  id: string
  slug: string
  publishedAt: string
  lastmod: string
  /** The slugs of its ancestors, root first (hierarchical types only; empty otherwise). */
  ancestors: string[]
}

/**
 * The slugs up the parent chain of entry `e`, root first, whatever their status (they are in its path, as
 * the reading API's `ancestors` include gives them); depth-bounded so a corrupt loop cannot spin.
 */
const ancestorSlugs = sql`(with recursive up(id, parent_id, slug, depth) as (
    select p.id, p.parent_id, p.slug, 1 from entries p where p.site_id = ${SITE} and p.id = e.parent_id
    union all
    select p.id, p.parent_id, p.slug, up.depth + 1 from entries p join up on p.id = up.parent_id
    where p.site_id = ${SITE} and up.depth < 100)
  select json_agg(up.slug order by up.depth desc) from up)`

const entriesStatement = statementCache(
  (shape: { hierarchical: boolean }) => sql`select e.id, e.slug, ${iso(sql`e.published_at`)},
      ${w3c(sql`e.updated_at`)}, ${shape.hierarchical ? ancestorSlugs : sql`null`}
    from entries e
    where ${listed('e')}
      and e.type_id = (select ct.id from content_types ct where ct.site_id = ${SITE} and ct.key = ${sql.placeholder('type')})
    order by e.published_at, e.id
    limit ${sql.placeholder('size')} offset ${sql.placeholder('offset')}`,
)

/** Page `page` (from 1) of a type's listed entries. */
export async function readSitemapEntries(
  read: StatementRead,
  q: { siteId: string; type: string; hierarchical: boolean; page: number; pageSize: number },
): Promise<SitemapEntryRow[]> {
  const rows = await read(entriesStatement({ hierarchical: q.hierarchical }), {
    site: q.siteId,
    type: q.type,
    size: q.pageSize,
    offset: (q.page - 1) * q.pageSize,
  })
  return rows.map(([id, slug, publishedAt, lastmod, ancestors]) => ({
    id: id as string,
    slug: slug as string,
    publishedAt: publishedAt as string,
    lastmod: lastmod as string,
    ancestors: (ancestors as string[] | null) ?? [],
  }))
}

/** A term as its sitemap URL needs it, with the latest update among its listed entries. */
export interface SitemapTermRow {
  slug: string
  lastmod: string
}

const termsStatement = statementCache(
  () => sql`with listed as (select e.id, e.updated_at from entries e where ${listed('e')})
    select t.slug, ${w3c(sql`max(l.updated_at)`)}
    from terms t
    join taxonomies tx on tx.id = t.taxonomy_id and tx.site_id = ${SITE} and tx.key = ${sql.placeholder('taxonomy')}
    join entry_terms et on et.term_id = t.id and et.site_id = ${SITE}
    join listed l on l.id = et.entry_id
    where t.site_id = ${SITE}
    group by t.id
    order by t.id
    limit ${sql.placeholder('size')} offset ${sql.placeholder('offset')}`,
)

/** Page `page` (from 1) of a taxonomy's terms that have listed entries. */
export async function readSitemapTerms(
  read: StatementRead,
  q: { siteId: string; taxonomy: string; page: number; pageSize: number },
): Promise<SitemapTermRow[]> {
  const rows = await read(termsStatement(null), {
    site: q.siteId,
    taxonomy: q.taxonomy,
    size: q.pageSize,
    offset: (q.page - 1) * q.pageSize,
  })
  return rows.map(([slug, lastmod]) => ({ slug: slug as string, lastmod: lastmod as string }))
}

const robotsStatement = statementCache(
  () => sql`select s.settings -> 'robotsTxt' from sites s where s.id = ${SITE}`,
)

/** The site's stored robots.txt rules as stored (the sites module's reader makes sense of them). */
export async function readRobotsRules(read: StatementRead, siteId: string): Promise<unknown> {
  const [row] = await read(robotsStatement(null), { site: siteId })
  return row?.[0]
}
