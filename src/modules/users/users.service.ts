import { newId, type Tx } from '../../platform/db/index.ts'
import { verifyAgainstDummy, verifyPassword } from '../../platform/security/index.ts'
import { UsersErrors } from './users.errors.ts'
import { findUserByEmail, insertUser, type UserRow } from './users.repo.ts'

/** What other modules may see of a user: never the password hash. */
export interface UserSummary {
  id: string
  email: string
  name: string
  isNetworkAdmin: boolean
}

function summarise(row: UserRow): UserSummary {
  return { id: row.id, email: row.email, name: row.name, isNetworkAdmin: row.isNetworkAdmin }
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
  const row = await insertUser(tx, {
    id: newId(),
    email,
    name: input.name.trim(),
    passwordHash: input.passwordHash,
    isNetworkAdmin: true,
  })
  return summarise(row)
}

/**
 * Returns the active network admin with these credentials, or null. A missing account costs the same
 * time as a wrong password, so the reply does not tell whether an account exists.
 */
export async function verifyNetworkAdminCredentials(
  readUser: (email: string) => Promise<UserRow | undefined>,
  email: string,
  password: string,
): Promise<UserSummary | null> {
  const row = await readUser(normaliseEmail(email))
  if (!row?.passwordHash) return verifyAgainstDummy(password).then(() => null)
  const ok = await verifyPassword(row.passwordHash, password)
  return ok && row.isNetworkAdmin && row.status === 'active' ? summarise(row) : null
}
