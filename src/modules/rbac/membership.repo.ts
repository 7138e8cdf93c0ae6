import { and, eq, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { schema, type Tx } from '../../platform/db/index.ts'

const { roles, siteMembers, sites, users } = schema
const networkRole = alias(roles, 'network_role')
const siteRole = alias(roles, 'site_role')

/**
 * Membership lookups other modules need (user detail, /auth/me, outranking). They live
 * here so that every reader of `site_members` agrees on one shape.
 */

/** A role as capability resolution needs it (see roleCapabilities). */
export interface RoleRef {
  slug: string
  isBuiltin: boolean
  capabilities: string[]
}

export interface MembershipView {
  siteId: string
  siteSlug: string
  siteName: string
  role: string
}

/** The sites a user belongs to, with the role on each. */
export async function listMembershipsOfUser(tx: Tx, userId: string): Promise<MembershipView[]> {
  return tx
    .select({ siteId: sites.id, siteSlug: sites.slug, siteName: sites.name, role: roles.slug })
    .from(siteMembers)
    .innerJoin(sites, eq(sites.id, siteMembers.siteId))
    .innerJoin(roles, eq(roles.id, siteMembers.roleId))
    .where(eq(siteMembers.userId, userId))
    .orderBy(sites.name)
}

/** What a user holds where an action on them takes place (see outranking.rules.ts). */
export interface TargetStanding {
  /** Their network role, whose capabilities apply everywhere. */
  networkRole: RoleRef | null
  /** Their role on the site of the action; null at network scope or when they are not a member. */
  siteRole: RoleRef | null
  /** Whether they own the site of the action. */
  ownsSite: boolean
}

function roleRef(row: { slug: string | null; isBuiltin: boolean | null; capabilities: string[] | null }) {
  return row.slug
    ? { slug: row.slug, isBuiltin: Boolean(row.isBuiltin), capabilities: row.capabilities ?? [] }
    : null
}

/**
 * The user's network role and, when `siteId` is given, their role on that site and whether they own it, in
 * one query; undefined when no user has this id.
 */
export async function findTargetStanding(
  tx: Tx,
  userId: string,
  siteId: string | null,
): Promise<TargetStanding | undefined> {
  const [row] = await tx
    .select({
      networkSlug: networkRole.slug,
      networkIsBuiltin: networkRole.isBuiltin,
      networkCapabilities: networkRole.capabilities,
      siteSlug: siteRole.slug,
      siteIsBuiltin: siteRole.isBuiltin,
      siteCapabilities: siteRole.capabilities,
      ownedSite: sites.id,
    })
    .from(users)
    .leftJoin(networkRole, eq(networkRole.id, users.networkRoleId))
    .leftJoin(
      siteMembers,
      siteId ? and(eq(siteMembers.userId, users.id), eq(siteMembers.siteId, siteId)) : sql`false`,
    )
    .leftJoin(siteRole, eq(siteRole.id, siteMembers.roleId))
    .leftJoin(sites, siteId ? and(eq(sites.id, siteId), eq(sites.ownerId, users.id)) : sql`false`)
    .where(eq(users.id, userId))
    .limit(1)
  if (!row) return undefined
  return {
    networkRole: roleRef({
      slug: row.networkSlug,
      isBuiltin: row.networkIsBuiltin,
      capabilities: row.networkCapabilities,
    }),
    siteRole: roleRef({
      slug: row.siteSlug,
      isBuiltin: row.siteIsBuiltin,
      capabilities: row.siteCapabilities,
    }),
    ownsSite: row.ownedSite !== null,
  }
}
