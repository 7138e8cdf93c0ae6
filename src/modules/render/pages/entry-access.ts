import { createHash } from 'node:crypto'
import type { SecretBox } from '../../../platform/security/index.ts'

/**
 * Proof that a reader gave a password-protected entry's password: a cookie scoped to the entry's path,
 * sealed with the network's secret box (AES-GCM: it cannot be read or forged without the key). It names
 * the entry, an expiry, and a fingerprint of the entry's stored password hash, so changing the password
 * locks every reader out again. Nothing in it is the password or the hash itself.
 */

export const ENTRY_ACCESS_COOKIE_PREFIX = 'colophon_entry_'
/** How long a given password opens the entry (WordPress keeps its cookie ten days). */
export const ENTRY_ACCESS_SECONDS = 10 * 24 * 60 * 60
const CONTEXT = 'entry-access'

/** One cookie per entry, so unlocking one never touches another's. */
export function entryAccessCookieName(entryId: string): string {
  return ENTRY_ACCESS_COOKIE_PREFIX + entryId.replace(/-/g, '').toLowerCase()
}

/** A short, one-way fingerprint of a stored password hash. */
export function passwordFingerprint(passwordHash: string): string {
  return createHash('sha256').update(passwordHash).digest('base64url').slice(0, 22)
}

interface Sealed {
  e: string
  h: string
  x: number
}

export function issueEntryAccess(
  box: SecretBox,
  entry: { id: string; passwordHash: string },
  now = Date.now(),
): string {
  const sealed: Sealed = {
    e: entry.id,
    h: passwordFingerprint(entry.passwordHash),
    x: Math.floor(now / 1000) + ENTRY_ACCESS_SECONDS,
  }
  return box.seal(JSON.stringify(sealed), CONTEXT)
}

/** Whether `token` opens `entry` now: sealed by us, for this entry and password, not expired. */
export function checkEntryAccess(
  box: SecretBox,
  token: string,
  entry: { id: string; passwordHash: string },
  now = Date.now(),
): boolean {
  let sealed: Partial<Sealed>
  try {
    sealed = JSON.parse(box.open(token, CONTEXT)) as Partial<Sealed>
  } catch {
    return false
  }
  return (
    sealed.e === entry.id &&
    sealed.h === passwordFingerprint(entry.passwordHash) &&
    typeof sealed.x === 'number' &&
    sealed.x > Math.floor(now / 1000)
  )
}
