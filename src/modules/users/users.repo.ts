import { and, desc, eq, ilike, lt, ne, or, sql } from 'drizzle-orm'
import { containsPattern, schema, type Tx } from '../../platform/db/index.ts'

const { users, roles, userTotp, userRecoveryCodes, userTokens, authChallenges, apiKeys, siteMembers } = schema

export type UserRow = typeof users.$inferSelect

export interface NewUser {
  id: string
  email: string
  name: string
  passwordHash: string | null
  status?: 'active' | 'invited'
  networkRoleId?: string | null
  mustChangePassword?: boolean
}

export async function insertUser(tx: Tx, input: NewUser): Promise<UserRow> {
  const [row] = await tx.insert(users).values(input).returning()
  if (!row) throw new TypeError('insert into users returned no row')
  return row
}

export async function findUserByEmail(tx: Tx, email: string): Promise<UserRow | undefined> {
  const [row] = await tx
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
    .limit(1)
  return row
}

export async function findUserById(tx: Tx, id: string): Promise<UserRow | undefined> {
  const [row] = await tx.select().from(users).where(eq(users.id, id)).limit(1)
  return row
}

export async function updateUser(
  tx: Tx,
  id: string,
  patch: Partial<Omit<typeof users.$inferInsert, 'id' | 'createdAt'>>,
): Promise<UserRow | undefined> {
  const [row] = await tx
    .update(users)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(users.id, id))
    .returning()
  return row
}

export async function findRoleIdBySlug(tx: Tx, slug: string): Promise<string | undefined> {
  const [row] = await tx.select({ id: roles.id }).from(roles).where(eq(roles.slug, slug)).limit(1)
  return row?.id
}

/** The slug of a user's network role, or null. */
export async function networkRoleSlugOf(tx: Tx, userId: string): Promise<string | null> {
  const [row] = await tx
    .select({ slug: roles.slug })
    .from(users)
    .innerJoin(roles, eq(roles.id, users.networkRoleId))
    .where(eq(users.id, userId))
    .limit(1)
  return row?.slug ?? null
}

// --- Administration of users (users.admin.service.ts) ---

export type UserStatus = 'active' | 'suspended' | 'invited' | 'deleted'

/** A user as administrators see them: never the password hash. */
export interface UserAdminRow {
  id: string
  email: string
  name: string
  status: string
  networkRole: string | null
  twoFactorEnabled: boolean
  mustChangePassword: boolean
  createdAt: Date
  updatedAt: Date
  lastLoginAt: Date | null
}

const adminColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  status: users.status,
  networkRole: roles.slug,
  twoFactorEnabled: sql<boolean>`exists (select 1 from ${userTotp} where ${userTotp.userId} = ${users.id} and ${userTotp.confirmedAt} is not null)`,
  mustChangePassword: users.mustChangePassword,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
  lastLoginAt: users.lastLoginAt,
}

function adminRowOf(row: UserAdminRow): UserAdminRow {
  return { ...row, twoFactorEnabled: Boolean(row.twoFactorEnabled) }
}

export interface UserListQuery {
  /** Part of the name or email, case-insensitive. */
  q?: string | undefined
  /** Without it, deleted users are left out. */
  status?: UserStatus | undefined
  /** Slug of a network role. */
  roleSlug?: string | undefined
  /** Id of the last row of the previous page (ids are time-ordered UUIDv7). */
  before?: string | undefined
  limit: number
}

/** One page of users, newest first, with network role and 2FA standing: a single query. */
export async function listUserAdminRows(tx: Tx, q: UserListQuery): Promise<UserAdminRow[]> {
  const pattern = q.q ? containsPattern(q.q) : undefined
  const rows = await tx
    .select(adminColumns)
    .from(users)
    .leftJoin(roles, eq(roles.id, users.networkRoleId))
    .where(
      and(
        pattern ? or(ilike(users.name, pattern), ilike(users.email, pattern)) : undefined,
        q.status ? eq(users.status, q.status) : ne(users.status, 'deleted'),
        q.roleSlug ? eq(roles.slug, q.roleSlug) : undefined,
        q.before ? lt(users.id, q.before) : undefined,
      ),
    )
    .orderBy(desc(users.id))
    .limit(q.limit)
  return rows.map(adminRowOf)
}

export async function findUserAdminRow(tx: Tx, id: string): Promise<UserAdminRow | undefined> {
  const [row] = await tx
    .select(adminColumns)
    .from(users)
    .leftJoin(roles, eq(roles.id, users.networkRoleId))
    .where(eq(users.id, id))
    .limit(1)
  return row && adminRowOf(row)
}

export interface RoleOfUser {
  id: string
  slug: string
  isBuiltin: boolean
  capabilities: string[]
}

/**
 * The user row, locked until the transaction ends, with their network role: two administrators acting
 * on the same user at once are serialised.
 */
export async function lockUserWithRole(
  tx: Tx,
  id: string,
): Promise<{ user: UserRow; role: RoleOfUser | null } | undefined> {
  const [row] = await tx
    .select({
      user: users,
      roleId: roles.id,
      roleSlug: roles.slug,
      roleIsBuiltin: roles.isBuiltin,
      roleCapabilities: roles.capabilities,
    })
    .from(users)
    .leftJoin(roles, eq(roles.id, users.networkRoleId))
    .where(eq(users.id, id))
    .for('update', { of: users })
    .limit(1)
  if (!row) return undefined
  const role =
    row.roleId && row.roleSlug
      ? {
          id: row.roleId,
          slug: row.roleSlug,
          isBuiltin: Boolean(row.roleIsBuiltin),
          capabilities: row.roleCapabilities ?? [],
        }
      : null
  return { user: row.user, role }
}

/**
 * Ids of the active holders of the built-in network admin role, locked: of two requests that would each
 * remove a different one of the last two, the second waits and then sees the first's change.
 */
export async function lockActiveNetworkAdminIds(tx: Tx): Promise<string[]> {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .innerJoin(roles, eq(roles.id, users.networkRoleId))
    .where(and(eq(roles.slug, 'network_admin'), eq(roles.isBuiltin, true), eq(users.status, 'active')))
    .for('update', { of: users })
  return rows.map((r) => r.id)
}

/** Inserts the user unless the address is taken (case-insensitively); undefined when it is. */
export async function insertUserIfEmailFree(tx: Tx, input: NewUser): Promise<UserRow | undefined> {
  const [row] = await tx.insert(users).values(input).onConflictDoNothing().returning()
  return row
}

/**
 * Removes everything a deleted user could sign in or act with, and their site memberships. Sessions are
 * not here: they belong to auth, which the caller reaches through its `revokeSessions` dependency.
 */
export async function eraseUserAccess(
  tx: Tx,
  userId: string,
): Promise<{ apiKeys: number; memberships: number }> {
  const keys = await tx.delete(apiKeys).where(eq(apiKeys.userId, userId)).returning({ id: apiKeys.id })
  await tx.delete(userTotp).where(eq(userTotp.userId, userId))
  await tx.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, userId))
  await tx.delete(userTokens).where(eq(userTokens.userId, userId))
  await tx.delete(authChallenges).where(eq(authChallenges.userId, userId))
  const members = await tx
    .delete(siteMembers)
    .where(eq(siteMembers.userId, userId))
    .returning({ siteId: siteMembers.siteId })
  return { apiKeys: keys.length, memberships: members.length }
}

/**
 * Turns a user into a tombstone: the row stays (content and audit rows keep pointing at it), the address
 * is freed for a new account, and nothing is left to sign in with.
 */
export async function markUserDeleted(tx: Tx, userId: string): Promise<void> {
  await tx
    .update(users)
    .set({
      status: 'deleted',
      email: `deleted-${userId}@invalid`,
      passwordHash: null,
      networkRoleId: null,
      mustChangePassword: false,
      updatedAt: sql`now()`,
    })
    .where(eq(users.id, userId))
}
