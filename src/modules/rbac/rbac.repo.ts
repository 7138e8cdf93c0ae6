import { and, desc, eq, lt, sql } from 'drizzle-orm'
import { schema, type Tx } from '../../platform/db/index.ts'

const { roles, siteMembers, users } = schema

/** A `roles` row. For built-in roles `capabilities` is empty: `roleCapabilities(row)` gives the real set. */
export type RoleRow = typeof roles.$inferSelect

/**
 * How many users hold a role: its site memberships on every site plus its network holders. Written with
 * qualified names on purpose: in a one-table select Drizzle renders columns unqualified, and an unqualified
 * `id` inside the subquery would bind to `users.id` instead of the outer role.
 */
const holdersOf = sql<number>`(
  cast((select count(*) from "site_members" m where m."role_id" = "roles"."id") as int)
  + cast((select count(*) from "users" u where u."network_role_id" = "roles"."id") as int)
)`

export async function findRoleById(tx: Tx, id: string): Promise<RoleRow | undefined> {
  const [row] = await tx.select().from(roles).where(eq(roles.id, id)).limit(1)
  return row
}

export async function findRoleBySlug(tx: Tx, slug: string): Promise<RoleRow | undefined> {
  const [row] = await tx.select().from(roles).where(eq(roles.slug, slug)).limit(1)
  return row
}

/**
 * The role and how many hold it. With `lock`, the row stays locked to the end of the transaction: granting
 * a role takes a key-share lock on its row (the foreign key), so a change or deletion holding this lock
 * cannot race a new grant.
 */
export async function findRoleWithHolders(
  tx: Tx,
  id: string,
  options: { lock?: boolean } = {},
): Promise<(RoleRow & { holders: number }) | undefined> {
  const query = tx.select({ role: roles, holders: holdersOf }).from(roles).where(eq(roles.id, id)).limit(1)
  const [row] = options.lock ? await query.for('update', { of: roles }) : await query
  return row ? { ...row.role, holders: Number(row.holders) } : undefined
}

/** One page of roles, newest id first; `holders` is counted only when asked for. */
export async function listRoleRows(
  tx: Tx,
  page: { before?: string | undefined; limit: number; withHolders: boolean },
): Promise<(RoleRow & { holders: number | null })[]> {
  const rows = await tx
    .select({ role: roles, holders: page.withHolders ? holdersOf : sql<null>`null` })
    .from(roles)
    .where(page.before ? lt(roles.id, page.before) : undefined)
    .orderBy(desc(roles.id))
    .limit(page.limit)
  return rows.map((r) => ({ ...r.role, holders: r.holders === null ? null : Number(r.holders) }))
}

export interface NewRole {
  id: string
  slug: string
  name: string
  description: string
  scope: 'network' | 'site'
  capabilities: string[]
  require2fa: boolean
}

/** Inserts a custom role; undefined when the slug is taken (without aborting the transaction). */
export async function insertRole(tx: Tx, role: NewRole): Promise<RoleRow | undefined> {
  const [row] = await tx
    .insert(roles)
    .values({ ...role, isBuiltin: false })
    .onConflictDoNothing()
    .returning()
  return row
}

export async function updateRole(
  tx: Tx,
  id: string,
  patch: Partial<Pick<RoleRow, 'name' | 'description' | 'capabilities' | 'require2fa'>>,
): Promise<RoleRow | undefined> {
  const [row] = await tx
    .update(roles)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(roles.id, id))
    .returning()
  return row
}

export async function deleteRole(tx: Tx, id: string): Promise<void> {
  await tx.delete(roles).where(eq(roles.id, id))
}

/** A user as memberships and invitations need them: who, and in which standing. */
export interface InviteeAccount {
  id: string
  email: string
  name: string
  status: string
}

/** A user by id or by (normalised) address, in any status: the service decides what counts as gone. */
export async function findAccount(
  tx: Tx,
  by: { id: string } | { email: string },
): Promise<InviteeAccount | undefined> {
  const [row] = await tx
    .select({ id: users.id, email: users.email, name: users.name, status: users.status })
    .from(users)
    .where('id' in by ? eq(users.id, by.id) : eq(users.email, by.email))
    .limit(1)
  return row
}

/** A user's membership of a site with its role, or undefined. */
export async function findMembership(
  tx: Tx,
  siteId: string,
  userId: string,
): Promise<{ role: RoleRow; since: Date } | undefined> {
  const [row] = await tx
    .select({ role: roles, since: siteMembers.createdAt })
    .from(siteMembers)
    .innerJoin(roles, eq(roles.id, siteMembers.roleId))
    .where(and(eq(siteMembers.siteId, siteId), eq(siteMembers.userId, userId)))
    .limit(1)
  return row
}

export interface MemberRow {
  userId: string
  email: string
  name: string
  status: string
  roleId: string
  roleSlug: string
  roleName: string
  since: Date
}

/** One page of a site's members, newest user id first, in one query. */
export async function listMemberRows(
  tx: Tx,
  siteId: string,
  page: { before?: string | undefined; limit: number },
): Promise<MemberRow[]> {
  return tx
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      status: users.status,
      roleId: roles.id,
      roleSlug: roles.slug,
      roleName: roles.name,
      since: siteMembers.createdAt,
    })
    .from(siteMembers)
    .innerJoin(users, eq(users.id, siteMembers.userId))
    .innerJoin(roles, eq(roles.id, siteMembers.roleId))
    .where(and(eq(siteMembers.siteId, siteId), page.before ? lt(siteMembers.userId, page.before) : undefined))
    .orderBy(desc(siteMembers.userId))
    .limit(page.limit)
}

/** Adds the membership, or moves it to `roleId`; returns when it started. */
export async function upsertMembership(
  tx: Tx,
  row: { siteId: string; userId: string; roleId: string },
): Promise<Date> {
  const [saved] = await tx
    .insert(siteMembers)
    .values(row)
    .onConflictDoUpdate({
      target: [siteMembers.siteId, siteMembers.userId],
      set: { roleId: row.roleId, updatedAt: sql`now()` },
    })
    .returning({ since: siteMembers.createdAt })
  if (!saved) throw new TypeError('upsert into site_members returned no row')
  return saved.since
}

export async function deleteMembership(tx: Tx, siteId: string, userId: string): Promise<boolean> {
  const rows = await tx
    .delete(siteMembers)
    .where(and(eq(siteMembers.siteId, siteId), eq(siteMembers.userId, userId)))
    .returning({ userId: siteMembers.userId })
  return rows.length > 0
}
