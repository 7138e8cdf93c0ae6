import { sql } from 'drizzle-orm'
import { networkRead, statementCache, type Orm, type StatementRead } from '../../../platform/db/index.ts'

/**
 * What a public page needs to know of its site, in one statement: the site's own row, its primary host
 * (for canonical URLs), and its content types and taxonomies (permalink templates, display names). Read
 * bound to the site, so the host, type and taxonomy rows are held to that site by row-level security as
 * well as by the statement.
 */

export interface PageType {
  key: string
  name: string
  permalink: string
  hierarchical: boolean
}

export interface PageSite {
  id: string
  name: string
  tagline: string
  locale: string
  timeZone: string
  isMain: boolean
  /** The site's primary host name, or null (the main site answers on the root domain). */
  primaryHost: string | null
  types: PageType[]
  /** Taxonomy display names by key. */
  taxonomies: Record<string, string>
}

const site = sql.placeholder('site')

const siteStatement = statementCache(
  () => sql`select s.name, s.tagline, s.locale, s.timezone, s.is_main,
      (select d.host from site_domains d where d.site_id = s.id and d.is_primary
         and d.verification_state = 'verified' limit 1),
      (select coalesce(json_agg(json_build_object('key', ct.key, 'name', ct.name, 'permalink', ct.permalink,
          'hierarchical', ct.hierarchical) order by ct.key), '[]'::json)
         from content_types ct where ct.site_id = s.id),
      (select coalesce(json_object_agg(tx.key, tx.plural_name), '{}'::json)
         from taxonomies tx where tx.site_id = s.id)
    from sites s where s.id = ${site} and s.status in ('active', 'archived')`,
)

/** The site as pages need it; undefined when it is not there or not live. */
export async function readPageSite(read: StatementRead, siteId: string): Promise<PageSite | undefined> {
  const [row] = await read(siteStatement(null), { site: siteId })
  if (!row) return undefined
  const [name, tagline, locale, timeZone, isMain, primaryHost, types, taxonomies] = row as [
    string,
    string,
    string,
    string,
    boolean,
    string | null,
    PageType[],
    Record<string, string>,
  ]
  return { id: siteId, name, tagline, locale, timeZone, isMain, primaryHost, types, taxonomies }
}

const mainSiteStatement = statementCache(
  () => sql`select id, slug, name from sites where is_main and status in ('active', 'archived')`,
)

/** The main site (the one the root host serves), at network scope: no site is bound yet. */
export async function findMainSite(
  orm: Orm,
): Promise<{ id: string; slug: string; name: string } | undefined> {
  const [row] = await networkRead(orm, 'find the site the root host serves', mainSiteStatement(null), {})
  if (!row) return undefined
  const [id, slug, name] = row as [string, string, string]
  return { id, slug, name }
}
