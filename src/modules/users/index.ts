/**
 * Users: people who can sign in. This first cut offers what installation needs; sessions, invitations
 * and the users API come with the identity module.
 */
export { UsersErrors } from './users.errors.ts'
export { findUserByEmail } from './users.repo.ts'
export { createNetworkAdmin, normaliseEmail, verifyNetworkAdminCredentials } from './users.service.ts'
export type { UserSummary } from './users.service.ts'
