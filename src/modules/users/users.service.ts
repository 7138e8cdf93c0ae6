import { newId, type Tx } from '../../platform/db/index.ts'
import { verifyAgainstDummy, verifyPassword } from '../../platform/security/index.ts'
import type { SiteInvitationAccounts } from '../rbac/index.ts'
import { siteInvitationMail } from './mail-templates.ts'
import { UsersErrors } from './users.errors.ts'
import {
  findRoleIdBySlug,
  findUserByEmail,
  insertUser,
  insertUserIfEmailFree,
  networkRoleSlugOf,
  type UserRow,
} from './users.repo.ts'

/** What other modules may see of a user: never the password hash. */
export interface UserSummary {
  id: string
  email: string
  name: string
  status: string
  networkRole: string | null
}

export function summariseUser(row: UserRow, networkRole: string | null): UserSummary {
  return { id: row.id, email: row.email, name: row.name, status: row.status, networkRole }
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase()
}

/**
 * Creates an active network admin inside the caller's transaction. The password must already be hashed:
 * hashing is slow and must not hold a transaction open (PGlite has a single connection).
 */
export async function createNetworkAdmin(
  tx: Tx,
  input: { email: string; name: string; passwordHash: string },
): Promise<UserSummary> {
  const email = normaliseEmail(input.email)
  if (await findUserByEmail(tx, email)) throw UsersErrors.emailTaken({ details: { field: 'email' } })
  const roleId = await findRoleIdBySlug(tx, 'network_admin')
  if (!roleId) throw new TypeError('the network_admin role is missing: the database is not migrated')
  const row = await insertUser(tx, {
    id: newId(),
    email,
    name: input.name.trim(),
    passwordHash: input.passwordHash,
    networkRoleId: roleId,
  })
  return summariseUser(row, 'network_admin')
}

/**
 * Checks an email and password and returns the user row, or null. A missing account costs the same time
 * as a wrong password, so neither the reply nor its timing tells whether an account exists.
 */
export async function verifyCredentials(
  readUser: (email: string) => Promise<UserRow | undefined>,
  email: string,
  password: string,
): Promise<UserRow | null> {
  const row = await readUser(normaliseEmail(email))
  if (!row?.passwordHash) return verifyAgainstDummy(password).then(() => null)
  return (await verifyPassword(row.passwordHash, password)) ? row : null
}

/**
 * What rbac's site invitations need of accounts (rbac cannot import users): the address normalisation, the
 * creation of the active account an invitee without one chooses a password for, and the mail's wording.
 */
export const siteInvitationAccounts: SiteInvitationAccounts = {
  normaliseEmail,
  async createActiveUser(tx, input) {
    const row = await insertUserIfEmailFree(tx, {
      id: newId(),
      email: normaliseEmail(input.email),
      name: input.name.trim(),
      passwordHash: input.passwordHash,
      status: 'active',
    })
    return row && { id: row.id, email: row.email, name: row.name, status: row.status }
  },
  invitationMail: siteInvitationMail,
}

export { networkRoleSlugOf }
