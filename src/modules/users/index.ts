/** Users: accounts, their profile and lifecycle (invite, suspend, delete). See README.md. */
export { UsersErrors } from './users.errors.ts'
export { findUserByEmail, findUserById, updateUser } from './users.repo.ts'
export type { UserRow } from './users.repo.ts'
export {
  createNetworkAdmin,
  networkRoleSlugOf,
  normaliseEmail,
  siteInvitationAccounts,
  summariseUser,
  verifyCredentials,
} from './users.service.ts'
export type { UserSummary } from './users.service.ts'
export { passwordResetMail } from './mail-templates.ts'
export { tokenRoutes } from './tokens.routes.ts'
export type { TokenRoutesOptions } from './tokens.routes.ts'
export {
  consumeUserToken,
  createTokensService,
  issueUserToken,
  linkHolder,
  peekUserToken,
  tokenLink,
} from './tokens.service.ts'
export type { TokensService, TokensServiceDeps } from './tokens.service.ts'
export { createUsersAdminService } from './users.admin.service.ts'
export type {
  UserDeletionHook,
  UserDetailView,
  UserListItemView,
  UsersAdminService,
  UsersAdminServiceDeps,
} from './users.admin.service.ts'
export { usersRoutes } from './users.routes.ts'
export type { UsersRoutesOptions } from './users.routes.ts'
