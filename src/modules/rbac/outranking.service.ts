import type { Ctx } from '../../platform/access/index.ts'
import type { Tx } from '../../platform/db/index.ts'
import { findTargetStanding } from './membership.repo.ts'
import { SITE_OWNER_GUARD, missingToOutrank } from './outranking.rules.ts'
import { RbacErrors } from './rbac.errors.ts'

/**
 * The one rule for acting on another user: nobody changes, suspends, deletes, signs out, resets the second
 * factor of, inspects the keys of, re-invites or changes the membership of someone holding a capability
 * they lack themselves. The target's capabilities are those of their network role and, on a site route
 * (`ctx.site`), of their role on that site; owning that site adds `network.sites.manage`. Each is checked
 * with `can()` against the caller's context, so an API key counts only for its scopes.
 *
 * Throws COLOPHON_USERS_TARGET_OUTRANKS (details `{ missing, siteOwner? }`). Call it inside the
 * operation's transaction, after locking the target if the operation locks; an unknown user passes, as
 * the caller answers "not found" in its own terms.
 */
export async function assertOutranks(ctx: Ctx, tx: Tx, userId: string): Promise<void> {
  const target = await findTargetStanding(tx, userId, ctx.site?.id ?? null)
  if (!target) return
  const missing = missingToOutrank(ctx, target)
  if (missing.length === 0) return
  const siteOwner = target.ownsSite && missing.includes(SITE_OWNER_GUARD)
  throw RbacErrors.targetOutranks({ details: { missing, ...(siteOwner ? { siteOwner: true } : {}) } })
}
