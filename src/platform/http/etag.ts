import { hash } from 'node:crypto'

/**
 * The hash behind reply entity tags: SHA-1 of the body, base64 (the tags @fastify/etag writes by
 * default), by Node's one-shot hash rather than a Hash object per reply.
 */
export function etagHash(payload: string | Buffer): string {
  return hash('sha1', payload, 'base64')
}

/** The strong entity tag of a body, exactly as the ETag hook would write it for that body. */
export function entityTag(payload: string | Buffer): string {
  return `"${etagHash(payload)}"`
}
