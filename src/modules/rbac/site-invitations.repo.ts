import { and, desc, eq, gt, lt, lte, or } from 'drizzle-orm'
import { schema, type Tx } from '../../platform/db/index.ts'

const { roles, siteInvitations, siteMembers, sites, users } = schema

/**
 * Site invitations (`site_invitations`, row-level security by site). Only the SHA-256 of a token is stored,
 * and every lookup by token goes through its unique index. Acceptance runs at network scope: the token is
 * the only thing the invitee brings.
 */

export interface InvitationRow {
  id: string
  siteId: string
  email: string
  name: string | null
  role: { id: string; slug: string; name: string }
  invitedBy: { id: string; name: string } | null
  createdAt: Date
  expiresAt: Date
}

function selectInvitations(tx: Tx) {
  return tx
    .select({
      id: siteInvitations.id,
      siteId: siteInvitations.siteId,
      email: siteInvitations.email,
      name: siteInvitations.name,
      role: { id: roles.id, slug: roles.slug, name: roles.name },
      inviterId: users.id,
      inviterName: users.name,
      createdAt: siteInvitations.createdAt,
      expiresAt: siteInvitations.expiresAt,
    })
    .from(siteInvitations)
    .innerJoin(roles, eq(roles.id, siteInvitations.roleId))
    .leftJoin(users, eq(users.id, siteInvitations.invitedBy))
}

function toRow(r: Awaited<ReturnType<typeof selectInvitations>>[number]): InvitationRow {
  const { inviterId, inviterName, ...rest } = r
  return { ...rest, invitedBy: inviterId ? { id: inviterId, name: inviterName ?? '' } : null }
}

/**
 * The account an address belongs to (any status) and whether it is a member of `siteId`, in one query.
 * Read whatever the address, so that asking costs the same for every address.
 */
export async function findAddressStanding(
  tx: Tx,
  siteId: string,
  email: string,
): Promise<{ userId: string; status: string; isMember: boolean } | undefined> {
  const [row] = await tx
    .select({ userId: users.id, status: users.status, memberSite: siteMembers.siteId })
    .from(users)
    .leftJoin(siteMembers, and(eq(siteMembers.userId, users.id), eq(siteMembers.siteId, siteId)))
    .where(eq(users.email, email))
    .limit(1)
  return row && { userId: row.userId, status: row.status, isMember: row.memberSite !== null }
}

/**
 * Stores a new invitation, replacing any earlier one of the same address to the same site (its link stops
 * working at once), and drops the site's expired ones on the way.
 */
export async function replaceInvitation(
  tx: Tx,
  row: {
    id: string
    siteId: string
    email: string
    name: string | null
    roleId: string
    userId: string | null
    invitedBy: string | null
    tokenHash: string
    expiresAt: Date
  },
  at: Date,
): Promise<void> {
  await tx
    .delete(siteInvitations)
    .where(
      and(
        eq(siteInvitations.siteId, row.siteId),
        or(eq(siteInvitations.email, row.email), lte(siteInvitations.expiresAt, at)),
      ),
    )
  await tx.insert(siteInvitations).values(row)
}

/** One page of the site's pending (unexpired) invitations, newest first, in one query. */
export async function listInvitationRows(
  tx: Tx,
  siteId: string,
  page: { before?: string | undefined; limit: number; at: Date },
): Promise<InvitationRow[]> {
  const rows = await selectInvitations(tx)
    .where(
      and(
        eq(siteInvitations.siteId, siteId),
        gt(siteInvitations.expiresAt, page.at),
        page.before ? lt(siteInvitations.id, page.before) : undefined,
      ),
    )
    .orderBy(desc(siteInvitations.id))
    .limit(page.limit)
  return rows.map(toRow)
}

/** A pending invitation of the site, or undefined. */
export async function findInvitation(tx: Tx, siteId: string, id: string): Promise<InvitationRow | undefined> {
  const [row] = await selectInvitations(tx)
    .where(and(eq(siteInvitations.siteId, siteId), eq(siteInvitations.id, id)))
    .limit(1)
  return row && toRow(row)
}

export async function deleteInvitation(tx: Tx, siteId: string, id: string): Promise<boolean> {
  const rows = await tx
    .delete(siteInvitations)
    .where(and(eq(siteInvitations.siteId, siteId), eq(siteInvitations.id, id)))
    .returning({ id: siteInvitations.id })
  return rows.length > 0
}

/** An unexpired invitation found by its token, with its site and role; a read only. */
export interface UsableInvitation {
  id: string
  email: string
  name: string | null
  userId: string | null
  site: { id: string; slug: string; name: string; status: string }
  role: { id: string; slug: string; name: string }
}

export async function findUsableInvitation(
  tx: Tx,
  tokenHash: string,
  at: Date,
): Promise<UsableInvitation | undefined> {
  const [row] = await tx
    .select({
      id: siteInvitations.id,
      email: siteInvitations.email,
      name: siteInvitations.name,
      userId: siteInvitations.userId,
      site: { id: sites.id, slug: sites.slug, name: sites.name, status: sites.status },
      role: { id: roles.id, slug: roles.slug, name: roles.name },
    })
    .from(siteInvitations)
    .innerJoin(sites, eq(sites.id, siteInvitations.siteId))
    .innerJoin(roles, eq(roles.id, siteInvitations.roleId))
    .where(and(eq(siteInvitations.tokenHash, tokenHash), gt(siteInvitations.expiresAt, at)))
    .limit(1)
  return row
}

/**
 * Takes the invitation out, in one statement: of two concurrent acceptances with the same token, exactly
 * one gets the row back. Returns its id, or undefined when the token is unknown, used or expired.
 */
export async function claimInvitation(tx: Tx, tokenHash: string, at: Date): Promise<string | undefined> {
  const [row] = await tx
    .delete(siteInvitations)
    .where(and(eq(siteInvitations.tokenHash, tokenHash), gt(siteInvitations.expiresAt, at)))
    .returning({ id: siteInvitations.id })
  return row?.id
}

/** Adds a membership unless the user already has one on the site; false when they had. */
export async function insertMembershipIfAbsent(
  tx: Tx,
  row: { siteId: string; userId: string; roleId: string },
): Promise<boolean> {
  const rows = await tx
    .insert(siteMembers)
    .values(row)
    .onConflictDoNothing()
    .returning({ userId: siteMembers.userId })
  return rows.length > 0
}
