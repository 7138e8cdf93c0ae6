/** RBAC: the capability vocabulary, roles (built-in and custom) and site memberships. See README.md. */
export {
  CAPABILITIES,
  NETWORK_CAPABILITIES,
  SITE_CAPABILITIES,
  capabilityScope,
  expandCapabilities,
  isCapability,
} from './capabilities.ts'
export type { CapabilityDefinition } from './capabilities.ts'
export { BUILTIN_ROLE_CAPABILITIES, roleCapabilities } from './default-roles.ts'
export { RbacErrors } from './rbac.errors.ts'
export { findRoleById, findRoleBySlug } from './rbac.repo.ts'
export type { RoleRow } from './rbac.repo.ts'
export { rbacRoutes } from './rbac.routes.ts'
export type { RbacRoutesOptions } from './rbac.routes.ts'
export { assertCanGrant, createRbacService } from './rbac.service.ts'
export type { GrantableRole, MemberView, RbacService, RbacServiceDeps, RoleView } from './rbac.service.ts'
export { listMembershipsOfUser } from './membership.repo.ts'
export type { MembershipView, RoleRef, TargetStanding } from './membership.repo.ts'
export { assertOutranks } from './outranking.service.ts'
export { siteInvitationRoutes } from './site-invitations.routes.ts'
export type { SiteInvitationRoutesOptions } from './site-invitations.routes.ts'
export {
  JOIN_SITE_PATH,
  SITE_INVITATION_TTL_MS,
  createSiteInvitationsService,
} from './site-invitations.service.ts'
export type {
  AcceptedInvitationView,
  SiteInvitationAccounts,
  SiteInvitationView,
  SiteInvitationsService,
  SiteInvitationsServiceDeps,
} from './site-invitations.service.ts'
export type { InviteeAccount } from './rbac.repo.ts'
