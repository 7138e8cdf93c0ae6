import type { FastifyInstance } from 'fastify'
import { PUBLIC, needs } from '../../platform/http/index.ts'
import {
  ApplyMigrationsBody,
  ApplyMigrationsResponse,
  CompleteSetupBody,
  CompleteSetupResponse,
  SetupStatusResponse,
  type ApplyMigrationsInput,
  type CompleteSetupInput,
} from './setup.schema.ts'
import type { SetupService } from './setup.service.ts'
import type { SystemStateCache } from './setup.gate.ts'

export interface SetupRoutesOptions {
  service: SetupService
  cache: SystemStateCache
  /** Attempts per client address per 15 minutes on the token and credential endpoints. */
  rateLimit: number
}

export async function setupRoutes(
  app: FastifyInstance,
  { service, cache, rateLimit }: SetupRoutesOptions,
): Promise<void> {
  const limited = { rateLimit: { max: rateLimit, timeWindow: '15 minutes' } }

  app.get(
    '/api/v1/setup',
    {
      config: { access: PUBLIC },
      schema: {
        tags: ['setup'],
        summary: 'Installation state',
        description:
          'Where the installation stands and whether the database schema is current. Reveals nothing sensitive.',
        response: { 200: SetupStatusResponse },
      },
    },
    async (_request, reply) => {
      const { setup, schema } = await service.systemState()
      return reply.header('cache-control', 'no-store').send({ state: setup, schema })
    },
  )

  app.post<{ Body: CompleteSetupInput }>(
    '/api/v1/setup',
    {
      config: { access: PUBLIC, ...limited },
      schema: {
        tags: ['setup'],
        summary: 'Complete setup',
        description:
          'With the one-time setup token, applies the database migrations, creates the network admin and the main site, and moves the installation to `ready`. Refused once setup is complete. Safe to repeat after a failure: it resumes where it stopped.',
        body: CompleteSetupBody,
        response: { 201: CompleteSetupResponse },
      },
    },
    async (request, reply) => {
      const result = await service.completeSetup(request.body)
      cache.invalidate()
      request.log.info({ adminId: result.admin.id, siteId: result.site.id }, 'setup completed')
      return reply.code(201).send(result)
    },
  )

  app.post<{ Body: ApplyMigrationsInput }>(
    '/api/v1/setup/migrations',
    {
      config: { access: needs('network.settings.manage'), ...limited },
      schema: {
        tags: ['setup'],
        summary: 'Apply a database update',
        description:
          'Applies the migrations shipped with this version that the database lacks. Needs a signed-in network admin (session with its second factor, or an API key) holding `network.settings.manage`. `dryRun: true` lists them without applying.',
        body: ApplyMigrationsBody,
        response: { 200: ApplyMigrationsResponse },
      },
    },
    async (request) => {
      const result = await service.applyUpdate(request.ctx, request.body)
      cache.invalidate()
      request.log.info({ applied: result.applied, dryRun: result.dryRun }, 'database update requested')
      return result
    },
  )
}
