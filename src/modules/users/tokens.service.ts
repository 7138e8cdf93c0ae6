import {
  AccessErrors,
  requireCapability,
  requireUser,
  type Actor,
  type Ctx,
} from '../../platform/access/index.ts'
import { newId, type Tx } from '../../platform/db/index.ts'
import type { Mailer } from '../../platform/mail/index.ts'
import {
  assertPasswordPolicy,
  hashPassword,
  hashToken,
  randomToken,
  tokenLinkFor,
  verifyPassword,
} from '../../platform/security/index.ts'
import { recordAudit } from '../audit/index.ts'
import { assertCanGrant, assertOutranks } from '../rbac/index.ts'
import { SitesErrors } from '../sites/index.ts'
import { emailChangeMail, emailChangedNoticeMail, invitationMail } from './mail-templates.ts'
import {
  changeUserEmail,
  claimToken,
  deleteTokensOf,
  findRoleForGrant,
  findSiteName,
  findUsableToken,
  insertInvitedUser,
  insertUserToken,
  upsertMembership,
  type RoleForGrant,
  type TokenPurpose,
} from './tokens.repo.ts'
import { UsersErrors } from './users.errors.ts'
import { findUserByEmail, findUserById, networkRoleSlugOf, updateUser, type UserRow } from './users.repo.ts'
import { normaliseEmail, summariseUser, type UserSummary } from './users.service.ts'

/**
 * Everything that works through a link sent by email, on the users side: invitations and the change of
 * one's own address (password reset lives in auth and uses the primitives exported here). A link carries
 * a random token in its URL fragment, which browsers never send to a server nor put in a Referer header;
 * only the token's hash is stored, each token works once, and a newer one replaces the older.
 */

const HOUR = 3_600_000
export const INVITATION_TTL_MS = 7 * 24 * HOUR
export const EMAIL_CHANGE_TTL_MS = 24 * HOUR

/** Where the admin pages that read a token live, under the public base URL. */
export const LINK_PATHS = {
  password_reset: '/admin/reset-password',
  invitation: '/admin/accept-invite',
  email_change: '/admin/confirm-email',
} as const satisfies Record<MailedPurpose, string>

/** Purposes whose tokens travel by email, in a link (site sign-in codes travel in a redirect). */
type MailedPurpose = Exclude<TokenPurpose, 'site_signin'>

/** The link for a token of `purpose` (see `tokenLinkFor`). */
export function tokenLink(baseUrl: string, purpose: MailedPurpose, token: string): string {
  return tokenLinkFor(baseUrl, LINK_PATHS[purpose], token)
}

/**
 * Issues a token for `userId`, replacing every earlier one of the same purpose, and returns it (the only
 * time it exists in clear). Runs inside the caller's transaction.
 */
export async function issueUserToken(
  tx: Tx,
  input: {
    userId: string
    purpose: TokenPurpose
    ttlMs: number
    at: Date
    payload?: Record<string, unknown>
  },
): Promise<string> {
  await deleteTokensOf(tx, input.userId, input.purpose)
  const token = randomToken(32)
  await insertUserToken(tx, {
    id: newId(),
    userId: input.userId,
    purpose: input.purpose,
    tokenHash: hashToken(token),
    expiresAt: new Date(input.at.getTime() + input.ttlMs),
    ...(input.payload ? { payload: input.payload } : {}),
  })
  return token
}

/** The user a usable token belongs to (nothing is consumed), or undefined. */
export async function peekUserToken(
  tx: Tx,
  token: string,
  purpose: TokenPurpose,
  at: Date,
): Promise<{ tokenId: string; user: UserRow; payload: unknown } | undefined> {
  const found = await findUsableToken(tx, hashToken(token), purpose, at)
  return found && { tokenId: found.token.id, user: found.user, payload: found.token.payload }
}

/**
 * Consumes a token: marks it used and drops the user's other tokens of that purpose. Returns the owner's
 * id and the payload, or undefined when the token is unknown, used, expired or meant for something else.
 */
export async function consumeUserToken(
  tx: Tx,
  token: string,
  purpose: TokenPurpose,
  at: Date,
): Promise<{ userId: string; payload: unknown } | undefined> {
  const row = await claimToken(tx, hashToken(token), purpose, at)
  if (!row) return undefined
  await deleteTokensOf(tx, row.userId, purpose, row.id)
  return { userId: row.userId, payload: row.payload }
}

/**
 * The actor of an action taken through an emailed link: the person the link was sent to. They have no
 * session (the link itself is the proof), so none is named.
 */
export function linkHolder(user: Pick<UserRow, 'id' | 'email' | 'name'>): Actor {
  return { kind: 'user', userId: user.id, email: user.email, name: user.name, sessionId: '' }
}

/**
 * Creates the invited user, or refreshes a pending invitee (a role left out keeps the earlier one).
 * Undefined when the address was taken meanwhile.
 */
async function saveInvitee(
  tx: Tx,
  existing: UserRow | undefined,
  input: { email: string; name: string; networkRoleId: string | null },
): Promise<UserRow | undefined> {
  if (existing) {
    const patch = input.networkRoleId ? { networkRoleId: input.networkRoleId } : {}
    return updateUser(tx, existing.id, { name: input.name, ...patch })
  }
  return insertInvitedUser(tx, { id: newId(), ...input })
}

export interface InviteInput {
  email: string
  name?: string | undefined
  networkRole?: string | undefined
  site?: { id: string; role: string } | undefined
}

export interface TokensServiceDeps {
  /**
   * Only `send` is used, inside the transaction that issues the token: the message is queued durably
   * with it, and a reply never waits on (or reveals) the mail server.
   */
  mailer: Pick<Mailer, 'send'>
  /** Public base URL of the network, for the links in mails. */
  baseUrl: string
  now?: () => Date
}

export type TokensService = ReturnType<typeof createTokensService>

export function createTokensService(deps: TokensServiceDeps) {
  const now = deps.now ?? (() => new Date())

  /**
   * A role the caller may grant: it exists, has the right scope, and holds nothing the caller lacks
   * (rbac's check, COLOPHON_RBAC_ESCALATION, the same refusal as for any other grant).
   */
  async function grantable(ctx: Ctx, tx: Tx, slug: string, scope: 'network' | 'site'): Promise<RoleForGrant> {
    const role = await findRoleForGrant(tx, slug)
    if (!role || role.scope !== scope) throw UsersErrors.roleInvalid({ details: { role: slug, scope } })
    assertCanGrant(ctx, role)
    return role
  }

  /** The roles an invitation grants, checked: they exist, fit their scope, and the caller holds them. */
  async function resolveGrants(ctx: Ctx, tx: Tx, input: InviteInput) {
    const networkRole = input.networkRole ? await grantable(ctx, tx, input.networkRole, 'network') : null
    if (!input.site) return { networkRoleId: networkRole?.id ?? null, site: null }
    const siteRole = await grantable(ctx, tx, input.site.role, 'site')
    const name = await findSiteName(tx, input.site.id)
    if (name === undefined) throw SitesErrors.notFound({ details: { site: input.site.id } })
    return {
      networkRoleId: networkRole?.id ?? null,
      site: { siteId: input.site.id, roleId: siteRole.id, name },
    }
  }

  /**
   * Invites someone by email: creates an invited user without a password (or, when that address already
   * has a pending invitation, sends a new link that replaces the old one), with the roles given, and
   * mails the link. Omitted roles leave an earlier invitation's grants in place.
   */
  async function invite(ctx: Ctx, input: InviteInput): Promise<UserSummary> {
    requireCapability(ctx, 'network.users.manage')
    const email = normaliseEmail(input.email)
    const inviter = requireUser(ctx)
    const at = now()
    const result = await ctx.tx(async (tx) => {
      const existing = await findUserByEmail(tx, email)
      if (existing && existing.status !== 'invited') {
        throw UsersErrors.emailTaken({ details: { field: 'email' } })
      }
      // Re-inviting acts on the pending invitee (new link, name, roles): the rule of every such action.
      if (existing) await assertOutranks(ctx, tx, existing.id)
      const grants = await resolveGrants(ctx, tx, input)
      const user = await saveInvitee(tx, existing, {
        email,
        name: input.name?.trim() || existing?.name || email.split('@')[0] || email,
        networkRoleId: grants.networkRoleId,
      })
      // Missing here means another request took the address between the check and the insert.
      if (!user) throw UsersErrors.emailTaken({ details: { field: 'email' } })
      if (grants.site) await upsertMembership(tx, { ...grants.site, userId: user.id })
      const token = await issueUserToken(tx, {
        userId: user.id,
        purpose: 'invitation',
        ttlMs: INVITATION_TTL_MS,
        at,
      })
      const roleSlug = await networkRoleSlugOf(tx, user.id)
      await recordAudit(ctx, tx, {
        action: 'users.user.invite',
        target: { type: 'user', id: user.id },
        siteId: input.site?.id ?? null,
        summary: {
          email,
          networkRole: roleSlug,
          ...(input.site ? { site: { id: input.site.id, role: input.site.role } } : {}),
          reissued: existing !== undefined,
        },
      })
      const link = tokenLink(deps.baseUrl, 'invitation', token)
      const mail = invitationMail({
        to: email,
        inviterName: inviter.name,
        siteName: grants.site?.name ?? null,
        link,
      })
      await deps.mailer.send(ctx, mail, { tx })
      return { user, roleSlug }
    })
    return summariseUser(result.user, result.roleSlug)
  }

  /** Activates an invited user with the password they chose. The link works once. */
  async function acceptInvitation(
    ctx: Ctx,
    input: { token: string; name?: string | undefined; password: string },
  ): Promise<UserSummary> {
    const at = now()
    const found = await ctx.tx((tx) => peekUserToken(tx, input.token, 'invitation', at))
    if (!found || found.user.status !== 'invited') throw UsersErrors.invitationInvalid()
    assertPasswordPolicy(input.password, { email: found.user.email })
    // Hashing is slow: never inside a transaction (PGlite has one connection).
    const passwordHash = await hashPassword(input.password)
    return ctx.tx(async (tx) => {
      const used = await consumeUserToken(tx, input.token, 'invitation', at)
      const user = used && (await findUserById(tx, used.userId))
      if (!user || user.status !== 'invited') throw UsersErrors.invitationInvalid()
      const name = input.name?.trim() || user.name
      const active = await updateUser(tx, user.id, {
        passwordHash,
        status: 'active',
        name,
        mustChangePassword: false,
      })
      if (!active) throw UsersErrors.invitationInvalid()
      await recordAudit(ctx, tx, {
        action: 'users.invitation.accept',
        actor: linkHolder(active),
        target: { type: 'user', id: active.id },
      })
      return summariseUser(active, await networkRoleSlugOf(tx, active.id))
    })
  }

  /**
   * Starts a change of the caller's own address: needs the current password, then mails a link to the
   * new address. The outcome is the same whether or not the address is free, so the endpoint cannot be
   * used to learn which addresses have accounts; a taken address simply gets no mail.
   */
  async function requestEmailChange(ctx: Ctx, input: { newEmail: string; password: string }): Promise<void> {
    const actor = requireUser(ctx)
    const user = await ctx.tx((tx) => findUserById(tx, actor.userId))
    if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, input.password))) {
      throw UsersErrors.wrongPassword({ message: 'The current password is wrong.' })
    }
    const newEmail = normaliseEmail(input.newEmail)
    const at = now()
    await ctx.tx(async (tx) => {
      if (newEmail === normaliseEmail(user.email) || (await findUserByEmail(tx, newEmail))) return
      const token = await issueUserToken(tx, {
        userId: user.id,
        purpose: 'email_change',
        ttlMs: EMAIL_CHANGE_TTL_MS,
        at,
        payload: { newEmail },
      })
      await recordAudit(ctx, tx, {
        action: 'users.user.email_change_request',
        target: { type: 'user', id: user.id },
        summary: { newEmail },
      })
      const link = tokenLink(deps.baseUrl, 'email_change', token)
      await deps.mailer.send(ctx, emailChangeMail({ to: newEmail, name: user.name, link }), { tx })
    })
  }

  /** Applies an email change from its link, then tells the old address. */
  async function confirmEmailChange(ctx: Ctx, input: { token: string }): Promise<void> {
    const at = now()
    await ctx.tx(async (tx) => {
      const used = await consumeUserToken(tx, input.token, 'email_change', at)
      const user = used && (await findUserById(tx, used.userId))
      const newEmail = (used?.payload as { newEmail?: unknown } | undefined)?.newEmail
      if (!user || user.status !== 'active' || typeof newEmail !== 'string') {
        throw UsersErrors.emailTokenInvalid()
      }
      // Taken between the request and now: refused, and the link stays usable until it expires.
      if (!(await changeUserEmail(tx, user.id, newEmail))) {
        throw UsersErrors.emailTaken({ details: { field: 'email' } })
      }
      // A reset link mailed to the old address must not outlive the change.
      await deleteTokensOf(tx, user.id, 'password_reset')
      await recordAudit(ctx, tx, {
        action: 'users.user.email_change',
        actor: linkHolder({ ...user, email: newEmail }),
        target: { type: 'user', id: user.id },
        summary: { from: user.email, to: newEmail },
      })
      const notice = emailChangedNoticeMail({ to: user.email, name: user.name, newEmail })
      await deps.mailer.send(ctx, notice, { tx })
    })
  }

  /** Edits the caller's own profile (today: the display name). */
  async function updateOwnProfile(ctx: Ctx, input: { name: string }): Promise<UserSummary> {
    const actor = requireUser(ctx)
    const name = input.name.trim()
    return ctx.tx(async (tx) => {
      const before = await findUserById(tx, actor.userId)
      if (!before) throw AccessErrors.authenticationRequired()
      const after = (await updateUser(tx, actor.userId, { name })) ?? before
      await recordAudit(ctx, tx, {
        action: 'users.user.update',
        target: { type: 'user', id: actor.userId },
        summary: { name: { from: before.name, to: name } },
      })
      return summariseUser(after, await networkRoleSlugOf(tx, actor.userId))
    })
  }

  return { invite, acceptInvitation, requestEmailChange, confirmEmailChange, updateOwnProfile }
}
