import { hash, verify } from '@node-rs/argon2'

/**
 * Passwords are hashed with argon2id (the library's default algorithm) with OWASP's recommended minimum
 * cost (19 MiB, 2 iterations). Verification reads the parameters from the stored hash, so raising the
 * cost later keeps old hashes valid.
 */
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

export const PASSWORD_MIN_LENGTH = 10
/** Long inputs would only cost hashing time; no real password is longer. */
export const PASSWORD_MAX_LENGTH = 256

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS)
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password)
  } catch {
    return false
  }
}

/** Verifying against this makes a missing account cost the same time as a wrong password. */
let dummyHash: Promise<string> | undefined
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('colophon-dummy-password-for-timing')
  await verifyPassword(await dummyHash, password)
  return false
}
