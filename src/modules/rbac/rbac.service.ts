import {
  AccessErrors,
  can,
  requireCapability,
  requireSite,
  requireUser,
  type Ctx,
} from '../../platform/access/index.ts'
import { newId, pageOf, type Page, type Tx } from '../../platform/db/index.ts'
import { DEFAULT_PAGE_LIMIT } from '../../platform/http/index.ts'
import { recordAudit } from '../audit/index.ts'
import { CAPABILITIES, capabilityScope, expandCapabilities } from './capabilities.ts'
import { roleCapabilities } from './default-roles.ts'
import { assertOutranks } from './outranking.service.ts'
import { RbacErrors } from './rbac.errors.ts'
import {
  deleteMembership,
  deleteRole,
  findAccount,
  findMembership,
  findRoleBySlug,
  findRoleWithHolders,
  insertRole,
  listMemberRows,
  listRoleRows,
  updateRole,
  upsertMembership,
  type RoleRow,
} from './rbac.repo.ts'
import type { CreateRoleInput, PageInput, PutMemberInput, UpdateRoleInput } from './rbac.schema.ts'

/**
 * Who may make an existing user a member directly (`PUT …/members/:userId` on a non-member): those who
 * may see and manage every user already. Site administrators invite by email instead.
 */
const ADDS_EXISTING_USERS = 'network.users.manage'

/** What `assertCanGrant` needs of a role: enough to resolve its capabilities. */
export type GrantableRole = Pick<RoleRow, 'slug' | 'isBuiltin' | 'capabilities'>

/**
 * Throws COLOPHON_RBAC_ESCALATION unless the context holds every capability of `role`, naming the ones
 * it lacks. Pass the context of the scope the role is granted in: a network route's context for a network
 * role or a role definition, the site route's context for a membership. Use it before any grant.
 */
export function assertCanGrant(ctx: Ctx, role: GrantableRole): void {
  assertHoldsAll(ctx, roleCapabilities(role), role.slug)
}

function assertHoldsAll(ctx: Ctx, capabilities: readonly string[], role: string): void {
  const missing = capabilities.filter((capability) => !can(ctx, capability))
  if (missing.length > 0) throw RbacErrors.escalation({ details: { role, missing } })
}

function requireSignedIn(ctx: Ctx): void {
  if (ctx.actor.kind === 'anonymous') throw AccessErrors.authenticationRequired()
}

/** Expands patterns and checks them against the vocabulary and the role's scope. */
function resolveCapabilities(scope: string, requested: readonly string[]): string[] {
  const { capabilities, unknown } = expandCapabilities(requested)
  if (unknown.length > 0) throw RbacErrors.capabilityUnknown({ details: { unknown } })
  if (scope === 'site') {
    const outside = capabilities.filter((c) => capabilityScope(c) !== 'site')
    if (outside.length > 0) throw RbacErrors.scopeMismatch({ details: { capabilities: outside } })
  }
  return capabilities
}

export interface RoleView {
  id: string
  slug: string
  name: string
  description: string
  scope: 'network' | 'site'
  capabilities: string[]
  builtin: boolean
  require2fa: boolean
  holders: number | null
  createdAt: string
  updatedAt: string
}

function roleView(row: RoleRow, holders: number | null): RoleView {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    scope: row.scope === 'network' ? 'network' : 'site',
    capabilities: [...roleCapabilities(row)],
    builtin: row.isBuiltin,
    require2fa: row.require2fa,
    holders,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

/** The audited state of a role: what a reviewer needs to see change. */
function snapshot(row: RoleRow) {
  return { name: row.name, capabilities: [...roleCapabilities(row)], require2fa: row.require2fa }
}

export interface MemberView {
  userId: string
  email: string
  name: string
  status: string
  role: { id: string; slug: string; name: string }
  since: string
}

export interface RbacServiceDeps {
  /**
   * Ends every session of a user, returning how many. Supplied by the auth module, which rbac must not
   * import: a member whose role changes or who is removed signs in again under the new terms.
   */
  revokeSessions: (tx: Tx, userId: string) => Promise<number>
}

/** Roles (the network's capability sets) and site memberships; every function checks its own access. */
export function createRbacService(deps: RbacServiceDeps) {
  // Holder counts span every site; only those who manage roles see them (T5: no cross-site counts).
  const seesHolders = (ctx: Ctx) => can(ctx, 'network.roles.manage')

  async function loadRole(tx: Tx, id: string, lock = false) {
    const row = await findRoleWithHolders(tx, id, { lock })
    if (!row) throw RbacErrors.roleNotFound({ details: { id } })
    return row
  }

  return {
    /** The capability vocabulary. */
    listCapabilities(ctx: Ctx) {
      requireSignedIn(ctx)
      return CAPABILITIES.map(({ name, scope, description }) => ({ name, scope, description }))
    },

    async listRoles(ctx: Ctx, query: PageInput): Promise<Page<RoleView>> {
      requireSignedIn(ctx)
      const limit = query.limit ?? DEFAULT_PAGE_LIMIT
      const rows = await ctx.tx((tx) =>
        listRoleRows(tx, { before: query.cursor, limit: limit + 1, withHolders: seesHolders(ctx) }),
      )
      return pageOf(
        rows,
        limit,
        (r) => roleView(r, r.holders),
        (r) => r.id,
      )
    },

    async getRole(ctx: Ctx, id: string): Promise<RoleView> {
      requireSignedIn(ctx)
      const row = await ctx.tx((tx) => loadRole(tx, id))
      return roleView(row, seesHolders(ctx) ? row.holders : null)
    },

    async createRole(ctx: Ctx, input: CreateRoleInput): Promise<RoleView> {
      requireCapability(ctx, 'network.roles.manage')
      const capabilities = resolveCapabilities(input.scope, input.capabilities)
      assertHoldsAll(ctx, capabilities, input.slug)
      return ctx.tx(async (tx) => {
        const row = await insertRole(tx, {
          id: newId(),
          slug: input.slug,
          name: input.name,
          description: input.description ?? '',
          scope: input.scope,
          capabilities,
          require2fa: input.require2fa ?? false,
        })
        if (!row) throw RbacErrors.slugTaken({ details: { slug: input.slug } })
        await recordAudit(ctx, tx, {
          action: 'rbac.role.create',
          target: { type: 'role', id: row.id },
          summary: { slug: row.slug, scope: row.scope, before: null, after: snapshot(row) },
        })
        return roleView(row, 0)
      })
    },

    /**
     * Changes a role. The caller must hold every capability the role has now and will have after, so a
     * role cannot be widened past, or narrowed from above, the caller's own reach. The 2FA requirement is
     * the one thing a built-in role lets change; turning it on only tightens, so it needs nothing more than
     * `network.roles.manage`, while turning it off loosens and needs the role's capabilities as well.
     */
    async updateRole(ctx: Ctx, id: string, patch: UpdateRoleInput): Promise<RoleView> {
      requireCapability(ctx, 'network.roles.manage')
      return ctx.tx(async (tx) => {
        const before = await loadRole(tx, id, true)
        const { require2fa, capabilities: requested, ...text } = patch
        const redefines = requested !== undefined || Object.keys(text).length > 0
        if (before.isBuiltin && redefines) throw RbacErrors.roleBuiltin({ details: { role: before.slug } })
        if (redefines || require2fa === false) assertCanGrant(ctx, before)
        const capabilities = requested && resolveCapabilities(before.scope, requested)
        if (capabilities) assertHoldsAll(ctx, capabilities, before.slug)
        const after = await updateRole(tx, id, {
          ...text,
          ...(capabilities ? { capabilities } : {}),
          ...(require2fa === undefined ? {} : { require2fa }),
        })
        if (!after) throw RbacErrors.roleNotFound({ details: { id } })
        await recordAudit(ctx, tx, {
          action: 'rbac.role.update',
          target: { type: 'role', id },
          summary: { slug: after.slug, before: snapshot(before), after: snapshot(after) },
        })
        return roleView(after, before.holders)
      })
    },

    async deleteRole(ctx: Ctx, id: string): Promise<void> {
      requireCapability(ctx, 'network.roles.manage')
      await ctx.tx(async (tx) => {
        const role = await loadRole(tx, id, true)
        if (role.isBuiltin) throw RbacErrors.roleBuiltin({ details: { role: role.slug } })
        assertCanGrant(ctx, role)
        if (role.holders > 0)
          throw RbacErrors.roleInUse({ details: { role: role.slug, holders: role.holders } })
        await deleteRole(tx, id)
        await recordAudit(ctx, tx, {
          action: 'rbac.role.delete',
          target: { type: 'role', id },
          summary: { slug: role.slug, before: snapshot(role), after: null },
        })
      })
    },

    async listMembers(ctx: Ctx, query: PageInput): Promise<Page<MemberView>> {
      requireCapability(ctx, 'site.members.read')
      const site = requireSite(ctx)
      const limit = query.limit ?? DEFAULT_PAGE_LIMIT
      const rows = await ctx.tx((tx) =>
        listMemberRows(tx, site.id, { before: query.cursor, limit: limit + 1 }),
      )
      const views = rows.map((r) => ({
        userId: r.userId,
        email: r.email,
        name: r.name,
        status: r.status,
        role: { id: r.roleId, slug: r.roleSlug, name: r.roleName },
        since: r.since.toISOString(),
      }))
      return pageOf(
        views,
        limit,
        (m) => m,
        (m) => m.userId,
      )
    },

    /**
     * Changes the site role of a member of the context's site. The caller must hold the new role's
     * capabilities on this site and must not be outranked by the member (`assertOutranks`: their network
     * role, their role here, and the site's ownership). Someone who is not a member cannot be added this
     * way, except by holders of `network.users.manage`, who may see every user anyway: for everyone else
     * a non-member answers exactly like an unknown id (COLOPHON_RBAC_MEMBER_NOT_FOUND), so that user ids
     * tell a site's administrators nothing; they invite by email instead (site-invitations.service.ts).
     * A change of role revokes the member's sessions; adding does not (it only grants).
     */
    async putMember(
      ctx: Ctx,
      userId: string,
      input: PutMemberInput,
    ): Promise<{ member: MemberView; created: boolean }> {
      requireCapability(ctx, 'site.members.manage')
      const site = requireSite(ctx)
      refuseOwnMembership(ctx, userId)
      return ctx.tx(async (tx) => {
        const role = await findRoleBySlug(tx, input.role)
        if (!role || role.scope !== 'site')
          throw RbacErrors.siteRoleRequired({ details: { role: input.role } })
        assertCanGrant(ctx, role)
        // Both lookups always run, so that the refusal of a non-member costs the same whoever the id is.
        const current = await findMembership(tx, site.id, userId)
        const user = await findAccount(tx, { id: userId })
        if (!current && !can(ctx, ADDS_EXISTING_USERS))
          throw RbacErrors.memberNotFound({ details: { userId } })
        if (!user || user.status === 'deleted') throw RbacErrors.userNotFound({ details: { userId } })
        await assertOutranks(ctx, tx, userId)
        const view = (since: Date): MemberView => ({
          userId: user.id,
          email: user.email,
          name: user.name,
          status: user.status,
          role: { id: role.id, slug: role.slug, name: role.name },
          since: since.toISOString(),
        })
        if (current?.role.id === role.id) return { member: view(current.since), created: false }
        const since = await upsertMembership(tx, { siteId: site.id, userId, roleId: role.id })
        if (current) await deps.revokeSessions(tx, userId)
        await recordAudit(ctx, tx, {
          action: current ? 'rbac.member.update' : 'rbac.member.add',
          target: { type: 'user', id: userId },
          siteId: site.id,
          summary: { siteId: site.id, before: current?.role.slug ?? null, after: role.slug },
        })
        return { member: view(since), created: !current }
      })
    },

    /**
     * Removes `userId` from the context's site, unless they outrank the caller (`assertOutranks`). Revokes
     * their sessions. A non-member and an unknown id get the same answer.
     */
    async removeMember(ctx: Ctx, userId: string): Promise<void> {
      requireCapability(ctx, 'site.members.manage')
      const site = requireSite(ctx)
      refuseOwnMembership(ctx, userId)
      await ctx.tx(async (tx) => {
        const current = await findMembership(tx, site.id, userId)
        if (!current) throw RbacErrors.memberNotFound({ details: { userId } })
        await assertOutranks(ctx, tx, userId)
        await deleteMembership(tx, site.id, userId)
        await deps.revokeSessions(tx, userId)
        await recordAudit(ctx, tx, {
          action: 'rbac.member.remove',
          target: { type: 'user', id: userId },
          siteId: site.id,
          summary: { siteId: site.id, before: current.role.slug, after: null },
        })
      })
    },
  }
}

export type RbacService = ReturnType<typeof createRbacService>

function refuseOwnMembership(ctx: Ctx, userId: string): void {
  if (ctx.actor.kind === 'system') return
  if (requireUser(ctx).userId === userId) throw RbacErrors.ownRole()
}
