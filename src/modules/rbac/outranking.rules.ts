import { can, type Ctx } from '../../platform/access/index.ts'
import { roleCapabilities } from './default-roles.ts'
import type { TargetStanding } from './membership.repo.ts'

/**
 * Owning a site counts as holding this capability where that site is concerned: the owner's membership
 * can be changed only by someone who may change the ownership itself (a network admin), not by a fellow
 * administrator of the site, whose capabilities on it are the same as the owner's.
 */
export const SITE_OWNER_GUARD = 'network.sites.manage'

/**
 * Everything someone must hold to act on the target: the capabilities of the target's network role and,
 * on a site, of their role there, plus the owner's guard when they own that site.
 */
export function capabilitiesToOutrank(target: TargetStanding): string[] {
  const held = new Set<string>([
    ...(target.networkRole ? roleCapabilities(target.networkRole) : []),
    ...(target.siteRole ? roleCapabilities(target.siteRole) : []),
  ])
  if (target.ownsSite) held.add(SITE_OWNER_GUARD)
  return [...held].sort()
}

/** What the context lacks to act on the target: empty when it may (system contexts lack nothing). */
export function missingToOutrank(ctx: Ctx, target: TargetStanding): string[] {
  return capabilitiesToOutrank(target).filter((capability) => !can(ctx, capability))
}
