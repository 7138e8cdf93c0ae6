import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { Counters } from '../redis/index.ts'

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void

interface RouteInfo {
  routeInfo?: { method?: unknown; url?: unknown }
}

/**
 * @fastify/rate-limit's store on our counters, so route limits (`config.rateLimit`, keyed by client
 * address) and named limiters (`createLimiter`) count in one place: Redis when configured, this node's
 * memory otherwise or while Redis is away. A route's counters are named after the route
 * (`POST /api/v1/auth/login:<address>`); a named limiter's after its name (`auth-account:<email>`).
 */
export function rateLimitStore(counters: Counters): FastifyRateLimitStoreCtor {
  class CountersStore {
    private readonly prefix: string

    constructor(_options?: unknown, prefix = '') {
      this.prefix = prefix
    }

    incr(key: string, callback: Callback, timeWindow: number): void {
      counters.hit(this.prefix + key, timeWindow).then(
        (state) => callback(null, { current: state.count, ttl: state.ttlMs }),
        (err: Error) => callback(err),
      )
    }

    read(key: string, callback: Callback, timeWindow: number): void {
      counters.peek(this.prefix + key, timeWindow).then(
        (state) => callback(null, { current: state.count, ttl: state.ttlMs }),
        (err: Error) => callback(err),
      )
    }

    child(routeOptions: unknown): CountersStore {
      const { method, url } = (routeOptions as RouteInfo).routeInfo ?? {}
      const route = typeof url === 'string' ? `${[method].flat().join(',')} ${url}:` : ''
      return new CountersStore(undefined, this.prefix + route)
    }
  }
  return CountersStore as unknown as FastifyRateLimitStoreCtor
}
