import { and, eq, sql, type SQLWrapper } from 'drizzle-orm'
import { QueryBuilder } from 'drizzle-orm/pg-core'
import { compileSelect, decodeRows, schema, type StatementRead, type Tx } from '../../platform/db/index.ts'

const { roles, siteMembers, sites } = schema

/** A member's role as capability resolution needs it (rbac's `roleCapabilities` reads it). */
export interface MemberRole {
  slug: string
  isBuiltin: boolean
  capabilities: string[]
}

export interface SiteWithMembership {
  /** `apiCallsPerMinute`: the site's own API-call quota, null when it uses the network default. */
  site: { id: string; slug: string; name: string; status: string; apiCallsPerMinute: number | null }
  memberRole: MemberRole | null
}

const selection = {
  id: sites.id,
  slug: sites.slug,
  name: sites.name,
  status: sites.status,
  apiCallsPerMinute: sites.apiCallsPerMinute,
  roleSlug: roles.slug,
  roleIsBuiltin: roles.isBuiltin,
  roleCapabilities: roles.capabilities,
}

type Row = {
  id: string
  slug: string
  name: string
  status: string
  apiCallsPerMinute: number | null
  roleSlug: string | null
  roleIsBuiltin: boolean | null
  roleCapabilities: string[] | null
}

/** The membership join: the given user's row, or none at all for anonymous callers. */
const memberOf = (userId: SQLWrapper | string | null) =>
  and(eq(siteMembers.siteId, sites.id), userId === null ? sql`false` : eq(siteMembers.userId, userId))
const named = (idOrSlug: { id: SQLWrapper | string } | { slug: SQLWrapper | string }) =>
  'id' in idOrSlug ? eq(sites.id, idOrSlug.id) : eq(sites.slug, idOrSlug.slug)

function withMembership(row: Row | undefined): SiteWithMembership | undefined {
  if (!row) return undefined
  return {
    site: {
      id: row.id,
      slug: row.slug,
      name: row.name,
      status: row.status,
      apiCallsPerMinute: row.apiCallsPerMinute,
    },
    memberRole: row.roleSlug
      ? {
          slug: row.roleSlug,
          isBuiltin: Boolean(row.roleIsBuiltin),
          capabilities: row.roleCapabilities ?? [],
        }
      : null,
  }
}

/** The site named by `idOrSlug` and, when `userId` is given, that user's role on it: one statement. */
export async function findSiteWithMembership(
  tx: Tx,
  idOrSlug: { id: string } | { slug: string },
  userId: string | null,
): Promise<SiteWithMembership | undefined> {
  const [row] = await tx
    .select(selection)
    .from(sites)
    .leftJoin(siteMembers, memberOf(userId))
    .leftJoin(roles, eq(roles.id, siteMembers.roleId))
    .where(named(idOrSlug))
  return withMembership(row)
}

const qb = new QueryBuilder()
const compiled = (by: 'id' | 'slug', member: boolean) =>
  compileSelect(
    qb
      .select(selection)
      .from(sites)
      .leftJoin(siteMembers, memberOf(member ? sql.placeholder('userId') : null))
      .leftJoin(roles, eq(roles.id, siteMembers.roleId))
      .where(named(by === 'id' ? { id: sql.placeholder('site') } : { slug: sql.placeholder('site') })),
  )
/** The four shapes of the request's lookup: by id or slug, for a signed-in caller or an anonymous one. */
const LOOKUPS = {
  id: { member: compiled('id', true), anonymous: compiled('id', false) },
  slug: { member: compiled('slug', true), anonymous: compiled('slug', false) },
}

/** `findSiteWithMembership` as a compiled read (`read` binds it; the request gate reads at network scope). */
export async function readSiteWithMembership(
  read: StatementRead,
  idOrSlug: { id: string } | { slug: string },
  userId: string | null,
): Promise<SiteWithMembership | undefined> {
  const by = 'id' in idOrSlug ? 'id' : 'slug'
  const statement = LOOKUPS[by][userId === null ? 'anonymous' : 'member']
  const values = {
    site: 'id' in idOrSlug ? idOrSlug.id : idOrSlug.slug,
    ...(userId === null ? {} : { userId }),
  }
  return withMembership(decodeRows(statement, await read(statement, values))[0] as Row | undefined)
}
