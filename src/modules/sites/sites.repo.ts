import { and, desc, eq, ilike, lt, lte, ne, or, sql, type SQL } from 'drizzle-orm'
import { containsPattern, schema, type Tx } from '../../platform/db/index.ts'

const { roles, siteDomains, siteMembers, sites, users } = schema

export type SiteRow = typeof sites.$inferSelect

/** A site with the host it is linked by and, in listings, the caller's role on it. */
export type SiteListRow = SiteRow & { primaryHost: string | null; role: string | null }

export async function insertSite(
  tx: Tx,
  input: { id: string; name: string; slug: string; isMain: boolean; ownerId: string },
): Promise<SiteRow> {
  const [row] = await tx.insert(sites).values(input).returning()
  if (!row) throw new TypeError('insert into sites returned no row')
  return row
}

/** Inserts a site unless its slug is taken (then returns undefined: the caller reports the conflict). */
export async function insertSiteIfSlugFree(
  tx: Tx,
  input: {
    id: string
    name: string
    slug: string
    ownerId: string
    tagline: string
    locale: string
    timezone: string
  },
): Promise<SiteRow | undefined> {
  const [row] = await tx
    .insert(sites)
    .values({ ...input, isMain: false })
    .onConflictDoNothing({ target: sites.slug })
    .returning()
  return row
}

/**
 * Gives a new site its `<slug>.<root domain>` host as the primary one. Returns false when another site
 * already answers on that host (a custom domain may have claimed it).
 */
export async function insertPrimarySubdomain(
  tx: Tx,
  input: { id: string; siteId: string; host: string },
): Promise<boolean> {
  const rows = await tx
    .insert(siteDomains)
    .values({
      ...input,
      kind: 'subdomain',
      isPrimary: true,
      verificationState: 'verified',
      verifiedAt: sql`now()`,
    })
    .onConflictDoNothing({ target: siteDomains.host })
    .returning({ id: siteDomains.id })
  return rows.length > 0
}

/** Makes `userId` a member of the site with the built-in role `roleSlug`. */
export async function insertMember(tx: Tx, input: { siteId: string; userId: string; roleSlug: string }) {
  await tx.insert(siteMembers).values({
    siteId: input.siteId,
    userId: input.userId,
    roleId: sql`(SELECT ${roles.id} FROM ${roles} WHERE ${roles.slug} = ${input.roleSlug})`,
  })
}

function flatten(r: { site: SiteRow; primaryHost: string | null; role: string | null }): SiteListRow {
  return { ...r.site, primaryHost: r.primaryHost, role: r.role }
}

export interface SiteListFilter {
  /** The caller: their role on each site comes along. */
  userId: string | null
  /** True: every site of the network; false: only sites `userId` is a member of. */
  everySite: boolean
  status?: string | undefined
  q?: string | undefined
  before?: string | undefined
  limit: number
}

/**
 * One query whatever the page size: sites, their primary host and the caller's role. The host and the
 * role are subqueries, one index probe per site shown: as outer joins, the planner (which underestimates
 * the rows row-level security lets through) may read every site's primary domain for each page.
 */
export async function listSiteRows(tx: Tx, filter: SiteListFilter): Promise<SiteListRow[]> {
  const conditions: (SQL | undefined)[] = [
    filter.status ? eq(sites.status, filter.status) : ne(sites.status, 'deleted'),
    filter.before ? lt(sites.id, filter.before) : undefined,
  ]
  if (filter.q) {
    const pattern = containsPattern(filter.q)
    conditions.push(or(ilike(sites.name, pattern), ilike(sites.slug, pattern)))
  }
  // Spelled out: in a one-table select Drizzle leaves column names unqualified, and `id` would then be
  // the subquery's own.
  const primaryHost = sql<string | null>`(select d.host from site_domains d
    where d.site_id = "sites"."id" and d.is_primary)`
  const role = filter.userId
    ? sql<string | null>`(select r.slug from site_members m join roles r on r.id = m.role_id
        where m.site_id = "sites"."id" and m.user_id = ${filter.userId})`
    : sql<null>`null`
  const base = tx.select({ site: sites, primaryHost, role }).from(sites)
  const scoped = filter.everySite
    ? base
    : base.innerJoin(
        siteMembers,
        and(
          eq(siteMembers.siteId, sites.id),
          filter.userId ? eq(siteMembers.userId, filter.userId) : sql`false`,
        ),
      )
  const rows = await scoped
    .where(and(...conditions))
    .orderBy(desc(sites.id))
    .limit(filter.limit)
  return rows.map(flatten)
}

/** One site with its primary host; `lock` holds it for the rest of the transaction. */
export async function findSiteRow(tx: Tx, id: string, options: { lock?: boolean } = {}) {
  const query = tx
    .select({ site: sites, primaryHost: siteDomains.host, role: sql<string | null>`null` })
    .from(sites)
    .leftJoin(siteDomains, and(eq(siteDomains.siteId, sites.id), eq(siteDomains.isPrimary, true)))
    .where(eq(sites.id, id))
  const [row] = options.lock ? await query.for('update', { of: sites }) : await query
  return row ? flatten(row) : undefined
}

export async function updateSite(
  tx: Tx,
  id: string,
  patch: Partial<
    Pick<
      SiteRow,
      | 'name'
      | 'tagline'
      | 'locale'
      | 'timezone'
      | 'settings'
      | 'status'
      | 'ownerId'
      | 'deletedAt'
      | 'purgeAfter'
    >
  >,
): Promise<void> {
  await tx
    .update(sites)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(sites.id, id))
}

/** Whether `userId` is a member of the site and still has an account that can be one. */
export async function isLiveMember(tx: Tx, siteId: string, userId: string): Promise<boolean> {
  const rows = await tx
    .select({ userId: siteMembers.userId })
    .from(siteMembers)
    .innerJoin(users, eq(users.id, siteMembers.userId))
    .where(and(eq(siteMembers.siteId, siteId), eq(siteMembers.userId, userId), ne(users.status, 'deleted')))
    .limit(1)
  return rows.length > 0
}

/** Removes, for good, deleted sites whose grace period ended; members, hosts and keys go with them. */
export async function purgeSiteRows(tx: Tx, now: Date): Promise<{ id: string; slug: string }[]> {
  return tx
    .delete(sites)
    .where(and(eq(sites.status, 'deleted'), lte(sites.purgeAfter, now)))
    .returning({ id: sites.id, slug: sites.slug })
}
