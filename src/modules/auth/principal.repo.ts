import { eq, sql } from 'drizzle-orm'
import { alias, QueryBuilder } from 'drizzle-orm/pg-core'
import { compileSelect, decodeRows, schema, type StatementRead, type Tx } from '../../platform/db/index.ts'
import type { RoleRef } from '../rbac/index.ts'

const { users, roles, userSessions, userTotp, siteMembers, apiKeys } = schema

/**
 * The lookups behind every authenticated request, one query each: the credential with its user, the
 * user's network role and 2FA standing; then, for site routes, the site with the user's membership.
 * They run before anyone is known, at network scope, as compiled statements (ADR 0015): one round trip
 * each on PostgreSQL, binding included.
 */

export type { RoleRef }

export interface UserStanding {
  userId: string
  email: string
  name: string
  status: string
  mustChangePassword: boolean
  networkRole: RoleRef | null
  hasTotp: boolean
  requires2fa: boolean
}

const networkRole = alias(roles, 'network_role')

const standingColumns = {
  userId: users.id,
  email: users.email,
  name: users.name,
  status: users.status,
  mustChangePassword: users.mustChangePassword,
  roleSlug: networkRole.slug,
  roleIsBuiltin: networkRole.isBuiltin,
  roleCapabilities: networkRole.capabilities,
  hasTotp: sql<boolean>`exists (select 1 from ${userTotp} where ${userTotp.userId} = ${users.id} and ${userTotp.confirmedAt} is not null)`,
  requires2fa: sql<boolean>`(coalesce(${networkRole.require2fa}, false) or exists (select 1 from ${siteMembers} join ${roles} on ${roles.id} = ${siteMembers.roleId} where ${siteMembers.userId} = ${users.id} and ${roles.require2fa}))`,
}

type StandingRow = { [K in keyof typeof standingColumns]: unknown }

function standingOf(row: StandingRow): UserStanding {
  return {
    userId: row.userId as string,
    email: row.email as string,
    name: row.name as string,
    status: row.status as string,
    mustChangePassword: row.mustChangePassword as boolean,
    networkRole: row.roleSlug
      ? {
          slug: row.roleSlug as string,
          isBuiltin: row.roleIsBuiltin as boolean,
          capabilities: (row.roleCapabilities as string[] | null) ?? [],
        }
      : null,
    hasTotp: Boolean(row.hasTotp),
    requires2fa: Boolean(row.requires2fa),
  }
}

export interface SessionWithStanding {
  sessionId: string
  /** The site whose host alone accepts this session (a handed-off one); null for a network session. */
  siteId: string | null
  csrfHash: string
  lastSeenAt: Date
  expiresAt: Date
  standing: UserStanding
}

const qb = new QueryBuilder()

const sessionLookup = compileSelect(
  qb
    .select({
      sessionId: userSessions.id,
      siteId: userSessions.siteId,
      csrfHash: userSessions.csrfHash,
      lastSeenAt: userSessions.lastSeenAt,
      expiresAt: userSessions.expiresAt,
      ...standingColumns,
    })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .leftJoin(networkRole, eq(networkRole.id, users.networkRoleId))
    .where(eq(userSessions.tokenHash, sql.placeholder('tokenHash'))),
)

/** The session whose token hashes to `tokenHash` (unique), with its user's standing. */
export async function findSessionByTokenHash(
  read: StatementRead,
  tokenHash: string,
): Promise<SessionWithStanding | undefined> {
  const [row] = decodeRows(sessionLookup, await read(sessionLookup, { tokenHash }))
  if (!row) return undefined
  return {
    sessionId: row.sessionId,
    siteId: row.siteId,
    csrfHash: row.csrfHash,
    lastSeenAt: row.lastSeenAt,
    expiresAt: row.expiresAt,
    standing: standingOf(row),
  }
}

export interface KeyWithStanding {
  keyId: string
  secretHash: string
  scopes: string[]
  siteId: string | null
  expiresAt: Date | null
  revokedAt: Date | null
  lastUsedAt: Date | null
  standing: UserStanding
}

const keyLookup = compileSelect(
  qb
    .select({
      keyId: apiKeys.id,
      secretHash: apiKeys.secretHash,
      scopes: apiKeys.scopes,
      siteId: apiKeys.siteId,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
      lastUsedAt: apiKeys.lastUsedAt,
      ...standingColumns,
    })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .leftJoin(networkRole, eq(networkRole.id, users.networkRoleId))
    .where(eq(apiKeys.id, sql.placeholder('keyId'))),
)

export async function findApiKeyById(
  read: StatementRead,
  keyId: string,
): Promise<KeyWithStanding | undefined> {
  const [row] = decodeRows(keyLookup, await read(keyLookup, { keyId }))
  if (!row) return undefined
  return {
    keyId: row.keyId,
    secretHash: row.secretHash,
    scopes: row.scopes,
    siteId: row.siteId,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
    standing: standingOf(row),
  }
}

/** Records use of a session at most once a minute (a write per request would be wasteful). */
export async function touchSession(tx: Tx, sessionId: string, now: Date): Promise<void> {
  await tx.update(userSessions).set({ lastSeenAt: now }).where(eq(userSessions.id, sessionId))
}

export async function touchApiKey(tx: Tx, keyId: string, now: Date, ip: string | null): Promise<void> {
  await tx.update(apiKeys).set({ lastUsedAt: now, lastUsedIp: ip }).where(eq(apiKeys.id, keyId))
}
