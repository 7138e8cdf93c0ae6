import type { FastifyInstance } from 'fastify'
import { newQueryStats, withQueryStats, type QueryStats } from '../db/index.ts'

declare module 'fastify' {
  interface FastifyRequest {
    queryStats: QueryStats
  }
}

/**
 * Counts the database statements of each request and, when enabled, reports them in
 * `Server-Timing: db;desc="N queries";dur=…` (plus `dbtx` for transactions). Tests and the benchmark
 * read this header to hold endpoints to their query budgets. `newStats` makes each request's statistics
 * object; the test harness passes one that asks for query plans (see `QueryStats.plans`).
 */
export function registerQueryTiming(
  app: FastifyInstance,
  { header, newStats = newQueryStats }: { header: boolean; newStats?: (() => QueryStats) | undefined },
): void {
  app.decorateRequest('queryStats', null as unknown as QueryStats)
  app.addHook('onRequest', (request, _reply, done) => {
    request.queryStats = newStats()
    // Everything after this hook (later hooks, the handler, serialisation) runs inside the store.
    withQueryStats(request.queryStats, done)
  })
  if (!header) return
  app.addHook('onSend', async (request, reply, payload) => {
    const stats = request.queryStats
    if (stats) {
      reply.header(
        'server-timing',
        `db;desc="${stats.queries} queries";dur=${stats.durationMs.toFixed(1)}, dbtx;desc="${stats.transactions} transactions"`,
      )
    }
    return payload
  })
}
