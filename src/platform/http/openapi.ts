import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { PUBLIC } from './access.ts'

/**
 * The OpenAPI document is generated from the route schemas (TypeBox), so it cannot drift from what the
 * server validates. Served at /api/v1/openapi.json, browsable with Swagger UI at /api/docs.
 */
export async function registerOpenApi(app: FastifyInstance, { version }: { version: string }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Colophon API',
        version,
        description:
          'The REST API of Colophon, a multi-site content management system. Every error has the shape `{ error: { code, message, details?, requestId } }`; codes are listed in docs/errors.md.',
      },
      tags: [
        { name: 'setup', description: 'Installation state, first-run setup and database updates.' },
        { name: 'operations', description: 'Health, readiness and metrics for operators.' },
      ],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true })
  app.get('/api/v1/openapi.json', { config: { access: PUBLIC }, schema: { hide: true } }, async () =>
    app.swagger(),
  )
}
