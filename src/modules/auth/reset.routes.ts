import type { FastifyInstance } from 'fastify'
import { PUBLIC, createLimiter } from '../../platform/http/index.ts'
import { normaliseEmail } from '../users/index.ts'
import {
  ResetAccepted,
  ResetConfirmBody,
  ResetDone,
  ResetRequestBody,
  type ResetConfirmInput,
  type ResetRequestInput,
} from './reset.schema.ts'
import type { ResetService } from './reset.service.ts'

export interface ResetRoutesOptions {
  service: ResetService
  /** Requests per client address per 15 minutes. */
  clientLimit: number
  /** Reset requests per email address per 15 minutes, whatever the client address. */
  accountLimit: number
}

const WINDOW = '15 minutes'

export async function resetRoutes(app: FastifyInstance, options: ResetRoutesOptions): Promise<void> {
  const { service } = options
  const perClient = { rateLimit: { max: options.clientLimit, timeWindow: WINDOW } }
  // Keyed by the address asked about, known or not, so the limit itself reveals nothing either.
  const perAccount = createLimiter(app, {
    name: 'reset-account',
    max: options.accountLimit,
    timeWindow: WINDOW,
    key: (request) => {
      const email = (request.body as { email?: unknown } | undefined)?.email
      return typeof email === 'string' ? normaliseEmail(email) : null
    },
  })

  app.post<{ Body: ResetRequestInput }>(
    '/api/v1/auth/password-reset',
    {
      config: { access: PUBLIC, ...perClient },
      preHandler: perAccount,
      schema: {
        tags: ['auth'],
        summary: 'Ask for a password reset link',
        description:
          'Mails a link (valid one hour, single use) to the account with this address, if there is an active one; any earlier link stops working. The reply is the same whether or not the account exists. Limited per client address and per address asked about.',
        body: ResetRequestBody,
        response: { 202: ResetAccepted },
      },
    },
    async (request, reply) => {
      await service.requestReset(request.ctx, request.body)
      return reply
        .code(202)
        .header('cache-control', 'no-store')
        .send({ status: 'accepted' as const })
    },
  )

  app.post<{ Body: ResetConfirmInput }>(
    '/api/v1/auth/password-reset/confirm',
    {
      config: { access: PUBLIC, ...perClient },
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with a reset link',
        description:
          'With the token from the reset link, sets the new password, voids the link and every session of the account. Sign in afterwards (with the second factor, if enrolled). An unknown, used or expired token always gets the same error.',
        body: ResetConfirmBody,
        response: { 200: ResetDone },
      },
    },
    async (request) => {
      await service.confirmReset(request.ctx, request.body)
      return { status: 'ok' as const }
    },
  )
}
