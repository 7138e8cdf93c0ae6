import { Counter, Gauge, type Registry } from 'prom-client'
import type { Bus } from './bus.ts'
import type { Counters } from './counters.ts'
import type { RedisLink } from './redis.ts'

/**
 * What /metrics says about the shared Redis, when one is configured: whether this node reaches it and
 * trusts its broadcast, and how often it had to count or broadcast without it.
 */
export function registerRedisMetrics(
  registry: Registry,
  parts: { redis: RedisLink; counters: Counters; bus: Bus },
): void {
  const registers = [registry]
  new Gauge({
    name: 'colophon_redis_up',
    help: 'Whether both Redis connections of this node (commands, subscriber) are up (1) or not (0).',
    registers,
    collect() {
      this.set(parts.redis.isUp() ? 1 : 0)
    },
  })
  new Gauge({
    name: 'colophon_broadcast_current',
    help: 'Whether this node has heard every broadcast up to its lease (1); 0 bypasses the reply cache.',
    registers,
    collect() {
      this.set(parts.bus.isCurrent() ? 1 : 0)
    },
  })
  new Counter({
    name: 'colophon_rate_limit_local_fallbacks_total',
    help: 'Rate-limit and quota counts made in the memory of this node because Redis did not answer.',
    registers,
    collect() {
      this.reset()
      this.inc(parts.counters.fallbacks)
    },
  })
  new Counter({
    name: 'colophon_broadcast_publish_failures_total',
    help: 'Broadcasts (cache invalidations) this node could not hand to Redis.',
    registers,
    collect() {
      this.reset()
      this.inc(parts.bus.publishFailures)
    },
  })
}
