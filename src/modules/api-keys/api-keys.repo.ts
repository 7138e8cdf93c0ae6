import { and, desc, eq, isNull, lt } from 'drizzle-orm'
import { schema, type Tx } from '../../platform/db/index.ts'

const { apiKeys, sites, siteMembers, roles, users } = schema

/** A stored key as the module shows it: never the secret hash. */
export interface ApiKeyRow {
  id: string
  userId: string
  name: string
  scopes: string[]
  site: { id: string; slug: string; name: string } | null
  createdAt: Date
  expiresAt: Date | null
  lastUsedAt: Date | null
  lastUsedIp: string | null
  revokedAt: Date | null
}

export interface NewApiKey {
  id: string
  userId: string
  name: string
  secretHash: string
  scopes: string[]
  siteId: string | null
  expiresAt: Date | null
}

const viewColumns = {
  id: apiKeys.id,
  userId: apiKeys.userId,
  name: apiKeys.name,
  scopes: apiKeys.scopes,
  siteId: sites.id,
  siteSlug: sites.slug,
  siteName: sites.name,
  createdAt: apiKeys.createdAt,
  expiresAt: apiKeys.expiresAt,
  lastUsedAt: apiKeys.lastUsedAt,
  lastUsedIp: apiKeys.lastUsedIp,
  revokedAt: apiKeys.revokedAt,
}

type ViewRow = {
  id: string
  userId: string
  name: string
  scopes: string[]
  siteId: string | null
  siteSlug: string | null
  siteName: string | null
  createdAt: Date
  expiresAt: Date | null
  lastUsedAt: Date | null
  lastUsedIp: string | null
  revokedAt: Date | null
}

function toRow({ siteId, siteSlug, siteName, ...rest }: ViewRow): ApiKeyRow {
  return {
    ...rest,
    site: siteId !== null ? { id: siteId, slug: siteSlug ?? '', name: siteName ?? '' } : null,
  }
}

export async function insertApiKey(tx: Tx, input: NewApiKey): Promise<void> {
  await tx.insert(apiKeys).values(input)
}

export async function findApiKey(tx: Tx, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await tx
    .select(viewColumns)
    .from(apiKeys)
    .leftJoin(sites, eq(sites.id, apiKeys.siteId))
    .where(eq(apiKeys.id, id))
    .limit(1)
  return row ? toRow(row) : undefined
}

/** A user's keys, newest first; `before` is the id of the last key of the previous page (UUIDv7). */
export async function listApiKeysOfUser(
  tx: Tx,
  q: { userId: string; before?: string | undefined; limit: number },
): Promise<ApiKeyRow[]> {
  const rows = await tx
    .select(viewColumns)
    .from(apiKeys)
    .leftJoin(sites, eq(sites.id, apiKeys.siteId))
    .where(and(eq(apiKeys.userId, q.userId), q.before ? lt(apiKeys.id, q.before) : undefined))
    .orderBy(desc(apiKeys.id))
    .limit(q.limit)
  return rows.map(toRow)
}

/** Marks a key revoked; false when it was already revoked (or does not exist). */
export async function revokeApiKey(tx: Tx, id: string, at: Date): Promise<boolean> {
  const rows = await tx
    .update(apiKeys)
    .set({ revokedAt: at })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id })
  return rows.length > 0
}

export interface SiteMembership {
  site: { id: string; slug: string; name: string; status: string }
  /** The user's role on the site, or null when they are not a member. */
  role: RoleRef | null
}

/** A site and the user's role on it, in one query; undefined when the site does not exist. */
export async function findSiteMembership(
  tx: Tx,
  siteId: string,
  userId: string,
): Promise<SiteMembership | undefined> {
  const [row] = await tx
    .select({
      id: sites.id,
      slug: sites.slug,
      name: sites.name,
      status: sites.status,
      roleSlug: roles.slug,
      roleIsBuiltin: roles.isBuiltin,
      roleCapabilities: roles.capabilities,
    })
    .from(sites)
    .leftJoin(siteMembers, and(eq(siteMembers.siteId, sites.id), eq(siteMembers.userId, userId)))
    .leftJoin(roles, eq(roles.id, siteMembers.roleId))
    .where(eq(sites.id, siteId))
    .limit(1)
  if (!row) return undefined
  return {
    site: { id: row.id, slug: row.slug, name: row.name, status: row.status },
    role:
      row.roleSlug !== null
        ? {
            slug: row.roleSlug,
            isBuiltin: Boolean(row.roleIsBuiltin),
            capabilities: row.roleCapabilities ?? [],
          }
        : null,
  }
}

export interface RoleRef {
  slug: string
  isBuiltin: boolean
  capabilities: string[]
}

/** The user's network role, or null when they have none. */
export async function findNetworkRole(tx: Tx, userId: string): Promise<RoleRef | null> {
  const [row] = await tx
    .select({ slug: roles.slug, isBuiltin: roles.isBuiltin, capabilities: roles.capabilities })
    .from(users)
    .innerJoin(roles, eq(roles.id, users.networkRoleId))
    .where(eq(users.id, userId))
    .limit(1)
  return row ?? null
}
