import type { FastifyInstance, FastifyRequest } from 'fastify'
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import type { Config } from '../config/index.ts'
import { PlatformErrors } from '../errors/index.ts'
import { timingSafeEqualText } from '../security/index.ts'
import { PUBLIC } from './access.ts'

/**
 * Prometheus metrics: process metrics plus an HTTP histogram labelled by route pattern (never the raw
 * URL, which would explode label cardinality and leak ids) and status code. Each app has its own
 * registry, so several apps in one process (tests) do not collide.
 */
export interface MetricsOptions {
  /** In production, /metrics needs this bearer token. */
  protect: boolean
  token?: string | undefined
  /**
   * Production only: callers on loopback need no token. Off by default, because a reverse proxy on the
   * same machine makes every forwarded request a loopback request.
   */
  allowLoopback?: boolean
}

/** The metrics settings of a configuration: production protects /metrics. */
export function metricsOptionsOf(
  config: Pick<Config, 'env' | 'metricsToken' | 'metricsAllowLoopback'>,
): MetricsOptions {
  return {
    protect: config.env === 'production',
    token: config.metricsToken,
    allowLoopback: config.metricsAllowLoopback,
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])

/**
 * prom-client's default collection has three gauges whose names end in `_total`, a suffix reserved for
 * counters (`promtool check metrics` refuses them). Each is the sum of the gauge of the same name without
 * the suffix, which is labelled by type, so nothing is lost by leaving them out.
 */
const MISNAMED_DEFAULT_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
]

const PREFIX = 'colophon_'

function mayReadMetrics(request: FastifyRequest, options: MetricsOptions): boolean {
  if (!options.protect) return true
  // The socket address, not request.ip: a forwarded header must not make a remote caller look local.
  if (options.allowLoopback && LOOPBACK.has(request.socket.remoteAddress ?? '')) return true
  const header = request.headers.authorization ?? ''
  const match = /^Bearer (.+)$/.exec(header)
  return Boolean(options.token && match?.[1] && timingSafeEqualText(match[1], options.token))
}

/** What `serve` warns about at start when /metrics can answer nobody (production, no token, no waiver). */
export function metricsWarning(options: MetricsOptions): string | null {
  if (!options.protect || options.token) return null
  return options.allowLoopback
    ? 'COLOPHON_METRICS_TOKEN is not set: GET /metrics answers only callers on this machine'
    : 'COLOPHON_METRICS_TOKEN is not set: GET /metrics refuses every caller (403) until it is'
}

export function registerMetrics(app: FastifyInstance, options: MetricsOptions): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: PREFIX })
  for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(PREFIX + name)
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
