import { sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import { can, type Ctx } from '../../platform/access/index.ts'

/**
 * What a caller may read: the one rule, for the reading API, relations, series, entry terms, revisions
 * and the workflow history (ADR 0009). Everyone sees published public entries of a site that is active
 * or archived. Two capabilities widen that, independently:
 *
 * - `site.content.read.private`: published entries whose visibility is `private` too;
 * - `site.content.read.drafts`: unpublished work of every author, whatever its visibility and the site's
 *   status: draft, pending, scheduled, unpublished, archived and trashed entries (and, elsewhere, their
 *   revisions, transitions and approvals).
 *
 * Published password-protected entries are listed only to callers holding both; the others find them by
 * id alone, and the reading service asks them for the password.
 */

export const READ_PRIVATE = 'site.content.read.private'
export const READ_DRAFTS = 'site.content.read.drafts'

export interface Audience {
  /** Holds `site.content.read.private`. */
  readonly private: boolean
  /** Holds `site.content.read.drafts`: sees the editorial pipeline and editorial details. */
  readonly drafts: boolean
}

/** The audience of replies to writes: whoever may write an entry sees all of it. */
export const EDITORIAL: Audience = Object.freeze({ private: true, drafts: true })

export function audienceOf(ctx: Ctx): Audience {
  return { private: can(ctx, READ_PRIVATE), drafts: can(ctx, READ_DRAFTS) }
}

type Visibility = 'public' | 'password' | 'private'

/**
 * The condition on entry row `alias` (a table name or alias; internal constants only, never input).
 * `visibilities` are those a published entry may have for this kind of read (public unless said
 * otherwise: a single read also finds password-protected entries); `private` adds its own. They are
 * written as literals (fixed values chosen by code), so a statement compiled per shape gets a generic
 * plan as good as a custom one. `siteId` is a value or a placeholder of a compiled statement.
 */
export function visibleTo(
  audience: Audience,
  alias: string,
  siteId: string | SQLWrapper,
  visibilities: readonly Visibility[] = ['public'],
  options: { siteKnownLive?: boolean } = {},
): SQL {
  if (audience.private && audience.drafts) return sql`true`
  const a = sql.raw(alias)
  const allowed = sql.join(
    [...new Set<Visibility>(audience.private ? [...visibilities, 'private'] : visibilities)].map((v) =>
      sql.raw(`'${v}'`),
    ),
    sql`, `,
  )
  // A nested use (an entry's parent) may skip the site check its outer row has already made.
  const siteLive = options.siteKnownLive
    ? sql``
    : sql` and exists (select 1 from sites s where s.id = ${siteId} and s.status in ('active', 'archived'))`
  const published = sql`(${a}.status = 'published' and ${a}.visibility in (${allowed})${siteLive})`
  return audience.drafts ? sql`(${a}.status <> 'published' or ${published})` : published
}

/**
 * Whether a caller who found an entry by id (a single read, which also finds password-protected entries)
 * must give its password: a published password-protected entry, unless the caller holds both capabilities.
 * Decided on the row already read, so the statement carries no second copy of the rule.
 */
export function passwordRequired(audience: Audience, entry: { status: string; visibility: string }): boolean {
  if (audience.private && audience.drafts) return false
  return entry.status === 'published' && entry.visibility === 'password'
}
