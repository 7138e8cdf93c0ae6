/**
 * Node's socket-level failure codes (connecting to, or talking with, another server): the peer cannot be
 * reached, which says nothing about the request itself. The database and the object store both read
 * them to tell an outage from a mistake.
 */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
])

export function isNetworkErrorCode(code: unknown): boolean {
  return typeof code === 'string' && NETWORK_CODES.has(code)
}
