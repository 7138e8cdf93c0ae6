import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { PlatformErrors } from '../errors/index.ts'

/**
 * A named limiter on top of @fastify/rate-limit's store, for limits keyed by something other than the
 * client address (an account, an API key). A route's own `config.rateLimit` runs only once per request,
 * so these are separate counters that the caller checks where the key is known (after the body is read,
 * or once the credential is resolved). A null key skips the limit.
 */
export type Limiter = (request: FastifyRequest, reply: FastifyReply) => Promise<void>

export function createLimiter(
  app: FastifyInstance,
  options: {
    name: string
    /** A function reads the limit per request (a per-site quota); it is called only when the key is set. */
    max: number | ((request: FastifyRequest) => number)
    timeWindow: string | number
    key: (request: FastifyRequest) => string | null
    /** The error to throw when over the limit; default COLOPHON_HTTP_RATE_LIMITED. */
    exceeded?: (details: { limit: number; retryAfterSeconds: number }) => Error
  },
): Limiter {
  const { max } = options
  const check = app.createRateLimit({
    max: typeof max === 'number' ? max : (request) => max(request),
    timeWindow: options.timeWindow,
    keyGenerator: (request) => `${options.name}:${options.key(request) ?? ''}`,
  })
  return async (request, reply) => {
    if (options.key(request) === null) return
    const result = await check(request)
    if (result.isAllowed || !result.isExceeded) return
    reply.header('retry-after', String(result.ttlInSeconds))
    if (options.exceeded)
      throw options.exceeded({ limit: result.max, retryAfterSeconds: result.ttlInSeconds })
    throw PlatformErrors.rateLimited({ details: { retryAfterSeconds: result.ttlInSeconds } })
  }
}
