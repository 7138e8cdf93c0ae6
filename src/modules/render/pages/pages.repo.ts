import { sql } from 'drizzle-orm'
import { networkRead, statementCache, type Orm, type StatementRead } from '../../../platform/db/index.ts'
import { redirectSourceOf, redirectTargetColumn } from '../../redirects/index.ts'
import { readSiteSettings, type SeoSettings } from '../../sites/index.ts'

/**
 * What a public page needs to know of its site, in one statement: the site's own row, its primary host
 * (for canonical URLs), its content types and taxonomies (permalink templates, display names), and the
 * redirect of the requested path if it has one. Read bound to the site, so the host, type, taxonomy and
 * redirect rows are held to that site by row-level security as well as by the statement.
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
  /** Set by a network admin: every page says `noindex`, robots.txt disallows all, no sitemaps. */
  discourageIndexing: boolean
  /** The theme the site chose and its settings (null: the default theme, default settings). */
  theme: { id: string; settings: Record<string, unknown>; version: string | null } | null
  /** The site's SEO settings (title templates and the like). */
  seo: SeoSettings
  /** The entry the front page shows, or null for the latest entries. */
  frontPageEntryId: string | null
}

/** A term as its archive shows it. */
export interface PageTerm {
  id: string
  name: string
  description: string
}

/** A redirect of the site's redirect table. */
export interface PageRedirect {
  toPath: string
  statusCode: number
}

const site = sql.placeholder('site')

const siteStatement = statementCache(
  () => sql`select s.name, s.tagline, s.locale, s.timezone, s.is_main, s.discourage_indexing, s.settings,
      (select d.host from site_domains d where d.site_id = s.id and d.is_primary
         and d.verification_state = 'verified' limit 1),
      (select coalesce(json_agg(json_build_object('key', ct.key, 'name', ct.name, 'permalink', ct.permalink,
          'hierarchical', ct.hierarchical) order by ct.key), '[]'::json)
         from content_types ct where ct.site_id = s.id),
      (select coalesce(json_object_agg(tx.key, tx.plural_name), '{}'::json)
         from taxonomies tx where tx.site_id = s.id),
      ${redirectTargetColumn(sql`s.id`, sql`${sql.placeholder('path')}`)},
      (select json_build_object('id', t.id, 'name', t.name, 'description', t.description)
         from terms t join taxonomies tx on tx.id = t.taxonomy_id
         where t.site_id = s.id and tx.site_id = s.id and tx.key = ${sql.placeholder('taxonomy')}
           and t.slug = ${sql.placeholder('termSlug')}),
      (select json_build_object('id', st.theme_id, 'settings', st.settings,
          'version', (select t.version from themes t where t.id = st.theme_id))
         from site_themes st where st.site_id = s.id)
    from sites s where s.id = ${site} and s.status in ('active', 'archived')`,
)

/**
 * The site as pages need it, the redirect of `path` (a canonical request path; undefined: none), and the
 * term `termAt` names if the path may be its archive (the page decides whether it is); undefined when the
 * site is not there or not live.
 */
export async function readPageRequest(
  read: StatementRead,
  siteId: string,
  path?: string,
  termAt?: { taxonomy: string; slug: string },
): Promise<{ site: PageSite; redirect: PageRedirect | undefined; term: PageTerm | undefined } | undefined> {
  // A path no redirect source can be spelled like looks up one that none is (sources start with `/`);
  // likewise an empty taxonomy key for no term.
  const source = (path !== undefined && redirectSourceOf(path)) || ''
  const [row] = await read(siteStatement(null), {
    site: siteId,
    path: source,
    taxonomy: termAt?.taxonomy ?? '',
    termSlug: termAt?.slug ?? '',
  })
  if (!row) return undefined
  const [
    name,
    tagline,
    locale,
    timeZone,
    isMain,
    discourageIndexing,
    settings,
    primaryHost,
    types,
    taxonomies,
    redirect,
    term,
    theme,
  ] = row as [
    string,
    string,
    string,
    string,
    boolean,
    boolean,
    unknown,
    string | null,
    PageType[],
    Record<string, string>,
    PageRedirect | null,
    PageTerm | null,
    PageSite['theme'],
  ]
  const stored = readSiteSettings(settings)
  return {
    site: {
      id: siteId,
      name,
      tagline,
      locale,
      timeZone,
      isMain,
      primaryHost,
      types,
      taxonomies,
      discourageIndexing,
      theme,
      seo: stored.seo,
      frontPageEntryId: stored.frontPageEntryId,
    },
    redirect: redirect ?? undefined,
    term: term ?? undefined,
  }
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

const passwordHashStatement = statementCache(
  () => sql`select e.password_hash from entries e
    where e.site_id = ${site} and e.id = ${sql.placeholder('entry')} and e.status = 'published'
      and e.visibility = 'password' and e.trashed_at is null and e.password_hash is not null`,
)

/** The stored password hash of a published, password-protected entry (to check a reader's proof). */
export async function readEntryPasswordHash(
  read: StatementRead,
  siteId: string,
  entryId: string,
): Promise<string | undefined> {
  const [row] = await read(passwordHashStatement(null), { site: siteId, entry: entryId })
  return row ? (row[0] as string) : undefined
}
