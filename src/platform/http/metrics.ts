import type { FastifyInstance, FastifyRequest } from 'fastify'
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import { PlatformErrors } from '../errors/index.ts'
import { timingSafeEqualText } from '../security/index.ts'
import { PUBLIC } from './access.ts'

/**
 * Prometheus metrics: process metrics plus an HTTP histogram labelled by route pattern (never the raw
 * URL, which would explode label cardinality and leak ids) and status code. Each app has its own
 * registry, so several apps in one process (tests) do not collide.
 */
export interface MetricsOptions {
  /** In production, /metrics needs this bearer token unless the caller is on loopback. */
  protect: boolean
  token?: string | undefined
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])

function mayReadMetrics(request: FastifyRequest, options: MetricsOptions): boolean {
  if (!options.protect) return true
  // The socket address, not request.ip: a forwarded header must not make a remote caller look local.
  if (LOOPBACK.has(request.socket.remoteAddress ?? '')) return true
  const header = request.headers.authorization ?? ''
  const match = /^Bearer (.+)$/.exec(header)
  return Boolean(options.token && match?.[1] && timingSafeEqualText(match[1], options.token))
}

export function registerMetrics(app: FastifyInstance, options: MetricsOptions): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'colophon_' })
  const histogram = new Histogram({
    name: 'colophon_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched'
    histogram.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    )
  })

  app.get('/metrics', { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    if (!mayReadMetrics(request, options)) throw PlatformErrors.metricsForbidden()
    return reply.type(registry.contentType).send(await registry.metrics())
  })
  return registry
}
