/**
 * The one Drizzle schema of Colophon, for both engines. Every table is declared here (one file per
 * concept) so that drizzle-kit generates one ordered migrations folder. Modules reach tables only from
 * their `.repo.ts` files.
 */
import { auditLog } from './audit.ts'
import { apiKeys, authChallenges, userRecoveryCodes, userSessions, userTokens, userTotp } from './auth.ts'
import { mailOutbox } from './mail.ts'
import { siteMembers } from './members.ts'
import { roles } from './roles.ts'
import { siteDomains, sites } from './sites.ts'
import { users } from './users.ts'

export {
  apiKeys,
  auditLog,
  authChallenges,
  mailOutbox,
  roles,
  siteDomains,
  siteMembers,
  sites,
  userRecoveryCodes,
  userSessions,
  userTokens,
  userTotp,
  users,
}

export const schema = {
  users,
  sites,
  siteDomains,
  roles,
  userSessions,
  authChallenges,
  userTotp,
  userRecoveryCodes,
  userTokens,
  apiKeys,
  siteMembers,
  auditLog,
  mailOutbox,
}
export type Schema = typeof schema
