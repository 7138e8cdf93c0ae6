import {
  requireCapability,
  requireSite,
  requireUser,
  type Actor,
  type Ctx,
} from '../../platform/access/index.ts'
import { newId, pageOf, type Page, type Tx } from '../../platform/db/index.ts'
import { DEFAULT_PAGE_LIMIT } from '../../platform/http/index.ts'
import type { MailMessage, Mailer } from '../../platform/mail/index.ts'
import {
  assertPasswordPolicy,
  hashPassword,
  hashToken,
  randomToken,
  tokenLinkFor,
} from '../../platform/security/index.ts'
import { recordAudit } from '../audit/index.ts'
import { SitesErrors } from '../sites/index.ts'
import { RbacErrors } from './rbac.errors.ts'
import { findAccount, findRoleById, findRoleBySlug, type InviteeAccount } from './rbac.repo.ts'
import type { PageInput } from './rbac.schema.ts'
import { assertCanGrant } from './rbac.service.ts'
import {
  claimInvitation,
  deleteInvitation,
  findAddressStanding,
  findInvitation,
  findUsableInvitation,
  insertMembershipIfAbsent,
  listInvitationRows,
  replaceInvitation,
  type InvitationRow,
  type UsableInvitation,
} from './site-invitations.repo.ts'
import type { AcceptSiteInvitationInput, CreateInvitationInput } from './site-invitations.schema.ts'

/**
 * Site invitations: how a site's administrators bring someone in (ADR 0008). They name an email address,
 * never a user id, and learn nothing about it: the reply is the same whether or not the address has an
 * account. The invitee follows the mailed link (the token, in the URL fragment, proves they read that
 * mailbox): an existing account becomes a member, or a new account is created with the password they
 * choose. Only the token's hash is stored; a link works once, for 7 days, and a newer invitation of the
 * same address to the same site replaces the older.
 */

export const SITE_INVITATION_TTL_MS = 7 * 24 * 3_600_000
/** The account page that reads the token (served by the account module). */
export const JOIN_SITE_PATH = '/admin/join-site'

/**
 * What site invitations need of user accounts. The users module supplies it (`siteInvitationAccounts`):
 * rbac must not import users, which imports rbac.
 */
export interface SiteInvitationAccounts {
  /** How addresses are compared and stored. */
  normaliseEmail(email: string): string
  /** Creates an active user with no network role; undefined when the address was taken meanwhile. */
  createActiveUser(
    tx: Tx,
    input: { email: string; name: string; passwordHash: string },
  ): Promise<InviteeAccount | undefined>
  /** The invitation mail: one wording whether or not the address has an account. */
  invitationMail(input: {
    to: string
    inviterName: string
    siteName: string
    roleName: string
    link: string
  }): MailMessage
}

export interface SiteInvitationsServiceDeps {
  /**
   * Only `send` is used, inside the transaction that stores the invitation: the message is queued durably
   * with it, and a reply never waits on (or reveals) the mail server.
   */
  mailer: Pick<Mailer, 'send'>
  /** Public base URL of the network, for the link in the mail. */
  baseUrl: string
  accounts: SiteInvitationAccounts
  now?: () => Date
}

export interface SiteInvitationView {
  id: string
  email: string
  name: string | null
  role: { id: string; slug: string; name: string }
  invitedBy: { id: string; name: string } | null
  createdAt: string
  expiresAt: string
}

export interface AcceptedInvitationView {
  site: { id: string; slug: string; name: string }
  role: { slug: string; name: string }
  accountCreated: boolean
}

function view(row: InvitationRow): SiteInvitationView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    invitedBy: row.invitedBy,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
  }
}

/** A suspended or deleted account never joins: neither the address's account nor the one invited. */
function refuseInactive(...accounts: (InviteeAccount | undefined)[]): void {
  if (accounts.some((a) => a?.status === 'suspended' || a?.status === 'deleted'))
    throw RbacErrors.invitationAccountInactive()
}

/** The actor of an acceptance: the invitee, whose proof is the link (no session). */
function invitee(account: InviteeAccount): Actor {
  return { kind: 'user', userId: account.id, email: account.email, name: account.name, sessionId: '' }
}

export type SiteInvitationsService = ReturnType<typeof createSiteInvitationsService>

export function createSiteInvitationsService(deps: SiteInvitationsServiceDeps) {
  const now = deps.now ?? (() => new Date())

  /**
   * Invites an address to the context's site with a site role the caller may grant. The address is looked
   * up only to refuse one that is already a member (which the caller can see anyway) and to remember its
   * account, never to tell the caller anything else.
   */
  async function create(ctx: Ctx, input: CreateInvitationInput): Promise<SiteInvitationView> {
    requireCapability(ctx, 'site.members.manage')
    const site = requireSite(ctx)
    const inviter = requireUser(ctx)
    const email = deps.accounts.normaliseEmail(input.email)
    const at = now()
    const token = randomToken(32)
    const id = newId()
    const row = await ctx.tx(async (tx) => {
      const role = await findRoleBySlug(tx, input.role)
      if (!role || role.scope !== 'site') throw RbacErrors.siteRoleRequired({ details: { role: input.role } })
      assertCanGrant(ctx, role)
      const standing = await findAddressStanding(tx, site.id, email)
      if (standing?.isMember) throw RbacErrors.alreadyMember()
      const name = input.name?.trim() || null
      await replaceInvitation(
        tx,
        {
          id,
          siteId: site.id,
          email,
          name,
          roleId: role.id,
          userId: standing?.userId ?? null,
          invitedBy: inviter.userId,
          tokenHash: hashToken(token),
          expiresAt: new Date(at.getTime() + SITE_INVITATION_TTL_MS),
        },
        at,
      )
      await recordAudit(ctx, tx, {
        action: 'rbac.invitation.create',
        target: { type: 'site_invitation', id },
        siteId: site.id,
        summary: { siteId: site.id, email, role: role.slug },
      })
      const mail = deps.accounts.invitationMail({
        to: email,
        inviterName: inviter.name,
        siteName: site.name,
        roleName: role.name,
        link: tokenLinkFor(deps.baseUrl, JOIN_SITE_PATH, token),
      })
      // Queued in this transaction: the mail exists exactly when the invitation it carries does.
      await deps.mailer.send(ctx, mail, { tx })
      return findInvitation(tx, site.id, id)
    })
    if (!row) throw new TypeError('a site invitation just inserted could not be read back')
    return view(row)
  }

  /** The site's pending invitations, newest first; expired ones are left out. */
  async function list(ctx: Ctx, query: PageInput): Promise<Page<SiteInvitationView>> {
    requireCapability(ctx, 'site.members.manage')
    const site = requireSite(ctx)
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT
    const rows = await ctx.tx((tx) =>
      listInvitationRows(tx, site.id, { before: query.cursor, limit: limit + 1, at: now() }),
    )
    return pageOf(rows, limit, view, (row) => row.id)
  }

  /** Revokes an invitation of the site: its link stops working. Needs the role's capabilities, like a grant. */
  async function revoke(ctx: Ctx, id: string): Promise<void> {
    requireCapability(ctx, 'site.members.manage')
    const site = requireSite(ctx)
    await ctx.tx(async (tx) => {
      const found = await findInvitation(tx, site.id, id)
      const role = found && (await findRoleById(tx, found.role.id))
      if (!found || !role) throw RbacErrors.invitationNotFound({ details: { id } })
      assertCanGrant(ctx, role)
      await deleteInvitation(tx, site.id, id)
      await recordAudit(ctx, tx, {
        action: 'rbac.invitation.revoke',
        target: { type: 'site_invitation', id },
        siteId: site.id,
        summary: { siteId: site.id, email: found.email, role: found.role.slug },
      })
    })
  }

  /** The invitation of a token and the accounts it concerns, refused when it cannot be accepted. */
  async function lookUp(tx: Tx, token: string, at: Date) {
    const invitation = await findUsableInvitation(tx, hashToken(token), at)
    if (!invitation || invitation.site.status === 'deleted') throw RbacErrors.invitationInvalid()
    if (invitation.site.status === 'archived') throw SitesErrors.archived()
    const account = await findAccount(tx, { email: invitation.email })
    const invited = invitation.userId ? await findAccount(tx, { id: invitation.userId }) : undefined
    refuseInactive(account, invited)
    return { invitation, account }
  }

  /** The account that joins: the address's own, or one created now (undefined when that loses a race). */
  async function joiningAccount(
    tx: Tx,
    invitation: UsableInvitation,
    account: InviteeAccount | undefined,
    created: { name: string; passwordHash: string } | null,
  ): Promise<InviteeAccount | undefined> {
    if (account) return account
    if (!created) throw RbacErrors.invitationPasswordRequired()
    return deps.accounts.createActiveUser(tx, { email: invitation.email, ...created })
  }

  /**
   * Accepts an invitation with the token from its link (public: the token is the proof). An address with
   * an account joins with it (a password sent along is ignored; an invited account finishes through its
   * own invitation); an address without one gets an active account with the password chosen now.
   */
  async function accept(ctx: Ctx, input: AcceptSiteInvitationInput): Promise<AcceptedInvitationView> {
    const at = now()
    const first = await ctx.tx((tx) => lookUp(tx, input.token, at))
    let created: { name: string; passwordHash: string } | null = null
    if (!first.account) {
      if (input.password === undefined) throw RbacErrors.invitationPasswordRequired()
      assertPasswordPolicy(input.password, { email: first.invitation.email })
      const name =
        input.name?.trim() || first.invitation.name || first.invitation.email.split('@')[0] || 'Member'
      // Hashing is slow: never inside a transaction (PGlite has one connection).
      created = { name, passwordHash: await hashPassword(input.password) }
    }
    return ctx.tx(async (tx) => {
      // Looked up again: the invitation or the account may have changed while the password was hashed.
      const { invitation, account } = await lookUp(tx, input.token, at)
      if (!(await claimInvitation(tx, hashToken(input.token), at))) throw RbacErrors.invitationInvalid()
      const joining = await joiningAccount(tx, invitation, account, created)
      if (!joining) throw RbacErrors.invitationInvalid()
      const added = await insertMembershipIfAbsent(tx, {
        siteId: invitation.site.id,
        userId: joining.id,
        roleId: invitation.role.id,
      })
      if (!added) throw RbacErrors.alreadyMember()
      await recordAudit(ctx, tx, {
        action: 'rbac.invitation.accept',
        actor: invitee(joining),
        target: { type: 'user', id: joining.id },
        siteId: invitation.site.id,
        summary: {
          siteId: invitation.site.id,
          invitationId: invitation.id,
          role: invitation.role.slug,
          accountCreated: !account,
        },
      })
      const { id, slug, name } = invitation.site
      return {
        site: { id, slug, name },
        role: { slug: invitation.role.slug, name: invitation.role.name },
        accountCreated: !account,
      }
    })
  }

  return { create, list, revoke, accept }
}
