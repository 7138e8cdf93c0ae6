import { and, desc, eq, isNull, lt } from 'drizzle-orm'
import { schema, type Tx } from '../../platform/db/index.ts'
import type { RoleRef } from '../rbac/index.ts'

const { apiKeys, sites, roles, users } = schema

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
