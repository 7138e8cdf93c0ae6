import { actorUserId, requireCapability, type Ctx } from '../../platform/access/index.ts'
import { newId, pageOf, type Page, type Tx } from '../../platform/db/index.ts'
import { DEFAULT_PAGE_LIMIT } from '../../platform/http/index.ts'
import { assertPasswordPolicy, hashPassword } from '../../platform/security/index.ts'
import { recordAudit } from '../audit/index.ts'
import {
  RbacErrors,
  assertCanGrant,
  assertOutranks,
  findRoleBySlug,
  listMembershipsOfUser,
  type MembershipView,
  type RoleRow,
} from '../rbac/index.ts'
import { UsersErrors } from './users.errors.ts'
import {
  eraseUserAccess,
  findUserAdminRow,
  insertUserIfEmailFree,
  listUserAdminRows,
  lockActiveNetworkAdminIds,
  lockUserWithRole,
  markUserDeleted,
  updateUser,
  type RoleOfUser,
  type UserAdminRow,
  type UserRow,
  type UserStatus,
} from './users.repo.ts'
import { normaliseEmail } from './users.service.ts'

/**
 * Administration of users by network administrators: list and search, read, create with a password,
 * change name and network role, suspend, reactivate and delete. Every operation checks its capability
 * here, whatever transport calls it. Two rules run through all of it: nobody hands out or takes away
 * more power than they hold themselves, and the network always keeps an active network admin.
 */

/**
 * Called inside the deletion's transaction, before the user is erased, once per registered module
 * (content, media, comments…): each moves what the user authored to `reassignTo`, or leaves it
 * attributed to the deleted user when `reassignTo` is null. Throwing aborts the whole deletion.
 */
export type UserDeletionHook = (
  ctx: Ctx,
  tx: Tx,
  input: { userId: string; reassignTo: string | null },
) => Promise<void>

export interface UsersAdminServiceDeps {
  /** Ends every session of a user (auth's `revokeUserSessions`); users must not import auth. */
  revokeSessions: (tx: Tx, userId: string) => Promise<number>
  onDelete: readonly UserDeletionHook[]
}

export interface UserListItemView {
  id: string
  email: string
  name: string
  status: string
  networkRole: string | null
  twoFactorEnabled: boolean
  createdAt: string
  lastLoginAt: string | null
}

export interface UserDetailView extends UserListItemView {
  mustChangePassword: boolean
  updatedAt: string
  memberships: MembershipView[]
}

export interface UserListFilter {
  q?: string | undefined
  status?: UserStatus | undefined
  role?: string | undefined
  cursor?: string | undefined
  limit?: number | undefined
}

const NETWORK_ADMIN = 'network_admin'

function listItem(row: UserAdminRow): UserListItemView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    status: row.status,
    networkRole: row.networkRole,
    twoFactorEnabled: row.twoFactorEnabled,
    createdAt: row.createdAt.toISOString(),
    lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
  }
}

async function detailOf(tx: Tx, id: string): Promise<UserDetailView> {
  const row = await findUserAdminRow(tx, id)
  if (!row) throw UsersErrors.notFound()
  return {
    ...listItem(row),
    mustChangePassword: row.mustChangePassword,
    updatedAt: row.updatedAt.toISOString(),
    memberships: await listMembershipsOfUser(tx, id),
  }
}

/** A network role the caller may grant: it exists, is network-wide, and holds nothing the caller lacks. */
async function grantableNetworkRole(ctx: Ctx, tx: Tx, slug: string): Promise<RoleRow> {
  const role = await findRoleBySlug(tx, slug)
  if (!role || role.scope !== 'network') {
    throw UsersErrors.roleInvalid({ details: { role: slug, scope: 'network' } })
  }
  assertCanGrant(ctx, role)
  return role
}

/**
 * Locks the user and checks they may be managed by the caller: they exist, are not deleted, and do not
 * outrank the caller (rbac's `assertOutranks`, the rule every action on another user passes; otherwise
 * someone allowed to manage users could suspend, demote or delete the very administrators above them).
 */
async function manageable(ctx: Ctx, tx: Tx, id: string): Promise<{ user: UserRow; role: RoleOfUser | null }> {
  const found = await lockUserWithRole(tx, id)
  if (!found) throw UsersErrors.notFound()
  if (found.user.status === 'deleted') {
    throw UsersErrors.statusConflict({ details: { status: found.user.status } })
  }
  await assertOutranks(ctx, tx, id)
  return found
}

/** Refuses a change that would leave no active holder of the network admin role but `userId`. */
async function assertAnotherActiveAdmin(tx: Tx, userId: string): Promise<void> {
  const admins = await lockActiveNetworkAdminIds(tx)
  if (!admins.some((id) => id !== userId)) throw UsersErrors.lastAdmin()
}

function isActiveNetworkAdmin(found: { user: UserRow; role: RoleOfUser | null }): boolean {
  return found.user.status === 'active' && found.role?.slug === NETWORK_ADMIN && found.role.isBuiltin
}

function refuseSelf(ctx: Ctx, id: string): void {
  if (actorUserId(ctx.actor) === id) throw UsersErrors.self()
}

export type UsersAdminService = ReturnType<typeof createUsersAdminService>

export function createUsersAdminService(deps: UsersAdminServiceDeps) {
  /** Newest first; deleted users only when asked for with `status: 'deleted'`. One query per page. */
  async function list(ctx: Ctx, filter: UserListFilter): Promise<Page<UserListItemView>> {
    requireCapability(ctx, 'network.users.read')
    const limit = filter.limit ?? DEFAULT_PAGE_LIMIT
    const rows = await ctx.tx((tx) =>
      listUserAdminRows(tx, {
        q: filter.q,
        status: filter.status,
        roleSlug: filter.role,
        before: filter.cursor,
        limit: limit + 1,
      }),
    )
    return pageOf(rows, limit, listItem, (row) => row.id)
  }

  async function get(ctx: Ctx, id: string): Promise<UserDetailView> {
    requireCapability(ctx, 'network.users.read')
    return ctx.tx((tx) => detailOf(tx, id))
  }

  /** Creates an active user with an initial password (no invitation mail). */
  async function create(
    ctx: Ctx,
    input: {
      email: string
      name: string
      password: string
      networkRole?: string | undefined
      mustChangePassword?: boolean | undefined
    },
  ): Promise<UserDetailView> {
    requireCapability(ctx, 'network.users.manage')
    const email = normaliseEmail(input.email)
    assertPasswordPolicy(input.password, { email })
    // Hashing is slow: never inside a transaction (PGlite has a single connection).
    const passwordHash = await hashPassword(input.password)
    return ctx.tx(async (tx) => {
      const role = input.networkRole ? await grantableNetworkRole(ctx, tx, input.networkRole) : null
      const row = await insertUserIfEmailFree(tx, {
        id: newId(),
        email,
        name: input.name.trim(),
        passwordHash,
        status: 'active',
        networkRoleId: role?.id ?? null,
        mustChangePassword: input.mustChangePassword ?? false,
      })
      if (!row) throw UsersErrors.emailTaken({ details: { field: 'email' } })
      await recordAudit(ctx, tx, {
        action: 'users.user.create',
        target: { type: 'user', id: row.id },
        summary: {
          email,
          networkRole: role?.slug ?? null,
          mustChangePassword: row.mustChangePassword,
        },
      })
      return detailOf(tx, row.id)
    })
  }

  /**
   * Changes the name and/or the network role. A role change is refused on oneself, never leaves the
   * network without an active network admin, and signs the user out everywhere, so the new role applies
   * at once.
   */
  async function update(
    ctx: Ctx,
    id: string,
    input: { name?: string | undefined; networkRole?: string | null | undefined },
  ): Promise<UserDetailView> {
    requireCapability(ctx, 'network.users.manage')
    return ctx.tx(async (tx) => {
      const found = await manageable(ctx, tx, id)
      const summary: Record<string, unknown> = {}
      const patch: Parameters<typeof updateUser>[2] = {}
      if (input.name !== undefined && input.name.trim() !== found.user.name) {
        patch.name = input.name.trim()
        summary.name = { from: found.user.name, to: patch.name }
      }
      const currentRole = found.role?.slug ?? null
      if (input.networkRole !== undefined && input.networkRole !== currentRole) {
        if (actorUserId(ctx.actor) === id) throw RbacErrors.ownRole()
        const role =
          input.networkRole === null ? null : await grantableNetworkRole(ctx, tx, input.networkRole)
        if (isActiveNetworkAdmin(found)) await assertAnotherActiveAdmin(tx, id)
        patch.networkRoleId = role?.id ?? null
        summary.networkRole = { from: currentRole, to: role?.slug ?? null }
        summary.sessionsRevoked = await deps.revokeSessions(tx, id)
      }
      if (Object.keys(patch).length === 0) return detailOf(tx, id)
      await updateUser(tx, id, patch)
      await recordAudit(ctx, tx, { action: 'users.user.update', target: { type: 'user', id }, summary })
      return detailOf(tx, id)
    })
  }

  /** Suspends an active user: every session ends, and their API keys stop working while suspended. */
  async function suspend(ctx: Ctx, id: string): Promise<UserDetailView> {
    requireCapability(ctx, 'network.users.manage')
    refuseSelf(ctx, id)
    return ctx.tx(async (tx) => {
      const found = await manageable(ctx, tx, id)
      if (found.user.status === 'suspended') return detailOf(tx, id)
      if (found.user.status !== 'active') {
        throw UsersErrors.statusConflict({ details: { status: found.user.status } })
      }
      if (isActiveNetworkAdmin(found)) await assertAnotherActiveAdmin(tx, id)
      await updateUser(tx, id, { status: 'suspended' })
      const sessionsRevoked = await deps.revokeSessions(tx, id)
      await recordAudit(ctx, tx, {
        action: 'users.user.suspend',
        target: { type: 'user', id },
        summary: { sessionsRevoked },
      })
      return detailOf(tx, id)
    })
  }

  async function reactivate(ctx: Ctx, id: string): Promise<UserDetailView> {
    requireCapability(ctx, 'network.users.manage')
    return ctx.tx(async (tx) => {
      const found = await manageable(ctx, tx, id)
      if (found.user.status === 'active') return detailOf(tx, id)
      if (found.user.status !== 'suspended') {
        throw UsersErrors.statusConflict({ details: { status: found.user.status } })
      }
      await updateUser(tx, id, { status: 'active' })
      await recordAudit(ctx, tx, { action: 'users.user.reactivate', target: { type: 'user', id } })
      return detailOf(tx, id)
    })
  }

  /**
   * Deletes a user, all in one transaction: the deletion hooks hand their content over to `reassignTo`,
   * then sessions, API keys, 2FA, recovery codes, emailed tokens and site memberships go, and the row
   * becomes a tombstone whose address is free again. The row itself stays so that what points at it
   * (audit entries, content kept without reassignment) still resolves.
   */
  async function remove(ctx: Ctx, id: string, options: { reassignTo?: string | undefined }): Promise<void> {
    requireCapability(ctx, 'network.users.manage')
    refuseSelf(ctx, id)
    const reassignTo = options.reassignTo ?? null
    if (reassignTo === id) throw UsersErrors.reassignInvalid({ details: { reassignTo, reason: 'same_user' } })
    await ctx.tx(async (tx) => {
      const found = await manageable(ctx, tx, id)
      if (reassignTo !== null) {
        const heir = await lockUserWithRole(tx, reassignTo)
        if (!heir) throw UsersErrors.notFound({ details: { reassignTo } })
        if (heir.user.status !== 'active') {
          throw UsersErrors.reassignInvalid({ details: { reassignTo, reason: heir.user.status } })
        }
      }
      if (isActiveNetworkAdmin(found)) await assertAnotherActiveAdmin(tx, id)
      for (const hook of deps.onDelete) await hook(ctx, tx, { userId: id, reassignTo })
      const sessionsRevoked = await deps.revokeSessions(tx, id)
      const erased = await eraseUserAccess(tx, id)
      await markUserDeleted(tx, id)
      await recordAudit(ctx, tx, {
        action: 'users.user.delete',
        target: { type: 'user', id },
        summary: { reassignTo, sessionsRevoked, ...erased },
      })
    })
  }

  return { list, get, create, update, suspend, reactivate, remove }
}
