import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** A random token for humans to copy: URL-safe base64 of `bytes` random bytes. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/**
 * The link an emailed token travels in: `<base URL><path>#token=<token>`. In the fragment, a token never
 * reaches a server log nor a Referer header; the page at `path` reads it and posts it to the API.
 */
export function tokenLinkFor(baseUrl: string, path: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}#token=${token}`
}

/** Tokens are stored as their SHA-256: a database leak does not reveal a usable token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/**
 * Constant-time comparison of two strings. Both sides are hashed first so that the comparison time does
 * not depend on where they differ, nor on their lengths.
 */
export function timingSafeEqualText(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest()
  const hb = createHash('sha256').update(b, 'utf8').digest()
  return timingSafeEqual(ha, hb)
}
