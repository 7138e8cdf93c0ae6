import { and, eq, sql } from 'drizzle-orm'
import { schema, type Tx } from '../../platform/db/index.ts'

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

/** The site named by `idOrSlug` and, when `userId` is given, that user's role on it: one statement. */
export async function findSiteWithMembership(
  tx: Tx,
  idOrSlug: { id: string } | { slug: string },
  userId: string | null,
): Promise<SiteWithMembership | undefined> {
  const [row] = await tx
    .select({
      id: sites.id,
      slug: sites.slug,
      name: sites.name,
      status: sites.status,
      apiCallsPerMinute: sites.apiCallsPerMinute,
      roleSlug: roles.slug,
      roleIsBuiltin: roles.isBuiltin,
      roleCapabilities: roles.capabilities,
    })
    .from(sites)
    .leftJoin(
      siteMembers,
      and(eq(siteMembers.siteId, sites.id), userId ? eq(siteMembers.userId, userId) : sql`false`),
    )
    .leftJoin(roles, eq(roles.id, siteMembers.roleId))
    .where('id' in idOrSlug ? eq(sites.id, idOrSlug.id) : eq(sites.slug, idOrSlug.slug))
    .limit(1)
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
