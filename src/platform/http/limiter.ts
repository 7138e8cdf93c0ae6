import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { PlatformErrors } from '../errors/index.ts'

/**
 * A named limiter on top of @fastify/rate-limit's store, for limits keyed by something other than the
 * client address (an account, an API key). The store is the app's counters (`rateLimitStore`): shared by
 * every node through Redis when it is configured, so a limit holds for the network, not per node. A route's own `config.rateLimit` runs only once per request,
 * so these are separate counters that the caller checks where the key is known (after the body is read,
 * or once the credential is resolved). A null key skips the limit.
 */
export interface Limiter {
  /** Counts the request against the limit; throws once it goes over. */
  (request: FastifyRequest, reply: FastifyReply): Promise<void>
  /**
   * Throws when the limit is already used up, counting nothing: for limits only failures spend (the
   * caller counts a failure with the limiter itself, which then never throws, as the peek let it in).
   */
  peek(request: FastifyRequest, reply: FastifyReply): Promise<void>
}

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
  const refuse = (reply: FastifyReply, limit: number, retryAfterSeconds: number): never => {
    reply.header('retry-after', String(retryAfterSeconds))
    if (options.exceeded) throw options.exceeded({ limit, retryAfterSeconds })
    throw PlatformErrors.rateLimited({ details: { retryAfterSeconds } })
  }
  const limiter = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (options.key(request) === null) return
    const result = await check(request)
    if (result.isAllowed || !result.isExceeded) return
    refuse(reply, result.max, result.ttlInSeconds)
  }
  return Object.assign(limiter, {
    async peek(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      if (options.key(request) === null) return
      const result = await check(request, { increment: false })
      if (result.isAllowed || result.remaining > 0) return
      refuse(reply, result.max, result.ttlInSeconds)
    },
  })
}
