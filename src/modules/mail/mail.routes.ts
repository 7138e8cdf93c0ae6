import type { FastifyInstance } from 'fastify'
import { needs } from '../../platform/http/index.ts'
import type { Mailer } from '../../platform/mail/index.ts'
import { OutboxPage, OutboxQuery, type OutboxQueryInput } from './mail.schema.ts'
import { listOutbox } from './mail.service.ts'

export interface MailRoutesOptions {
  mailer: Pick<Mailer, 'transport'>
}

export async function mailRoutes(app: FastifyInstance, { mailer }: MailRoutesOptions): Promise<void> {
  app.get<{ Querystring: OutboxQueryInput }>(
    '/api/v1/mail/outbox',
    {
      config: { access: needs('network.mail.read') },
      schema: {
        tags: ['mail'],
        summary: 'Captured mail',
        description:
          'Messages kept by the capture transport instead of being sent (development, tests, or no SMTP server configured), newest first; page with `cursor`. They may hold live links (password reset, invitations): network admins only.',
        querystring: OutboxQuery,
        response: { 200: OutboxPage },
      },
    },
    async (request, reply) => {
      const page = await listOutbox(request.ctx, request.query)
      return reply.header('cache-control', 'no-store').send({ transport: mailer.transport, ...page })
    },
  )
}
