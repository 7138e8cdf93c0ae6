import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { PUBLIC } from './access.ts'

export interface Readiness {
  ready: boolean
  checks: Record<string, string>
}

const ReadyResponse = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: Type.Record(Type.String(), Type.String()),
})

/**
 * `/health`: the process is alive (no dependency is touched, so a slow database never gets a node
 * killed). `/ready`: the node can serve traffic; 503 with the failing checks otherwise.
 */
export function registerHealthRoutes(app: FastifyInstance, readiness: () => Promise<Readiness>): void {
  app.get(
    '/health',
    {
      config: { access: PUBLIC },
      schema: {
        tags: ['operations'],
        summary: 'Liveness',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }),
  )
  app.get(
    '/ready',
    {
      config: { access: PUBLIC },
      schema: {
        tags: ['operations'],
        summary: 'Readiness',
        description: 'Database reachable, schema current and setup complete. 503 lists what is missing.',
        response: { 200: ReadyResponse, 503: ReadyResponse },
      },
    },
    async (request, reply) => {
      let result: Readiness
      try {
        result = await readiness()
      } catch (err) {
        request.log.warn({ err }, 'readiness check failed')
        result = { ready: false, checks: { database: 'unreachable' } }
      }
      return reply
        .code(result.ready ? 200 : 503)
        .header('cache-control', 'no-store')
        .send({ status: result.ready ? 'ready' : 'not_ready', checks: result.checks })
    },
  )
}
