import { sql, type SQL } from 'drizzle-orm'

/**
 * Who reads: `editorial` callers hold `site.content.read` and see every entry; `reader`s (anonymous, or
 * members without it) see published entries of the given visibilities (public unless said otherwise) of
 * a site that is active or archived. The one place that rule is written as SQL: the reading API,
 * relations and series all filter through it.
 */
export type Audience = 'reader' | 'editorial'

/** The condition on entry row `alias` (a table name or alias; internal constants only, never input). */
export function visibleTo(
  audience: Audience,
  alias: string,
  siteId: string,
  visibilities: readonly ('public' | 'password' | 'private')[] = ['public'],
): SQL {
  if (audience === 'editorial') return sql`true`
  const a = sql.raw(alias)
  const allowed = sql.join(
    visibilities.map((v) => sql`${v}`),
    sql`, `,
  )
  return sql`(${a}.status = 'published' and ${a}.visibility in (${allowed})
    and exists (select 1 from sites s where s.id = ${siteId} and s.status in ('active', 'archived')))`
}
