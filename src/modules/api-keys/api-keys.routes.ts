import type { FastifyInstance } from 'fastify'
import { signedIn } from '../../platform/http/index.ts'
import {
  ApiKeyPage,
  ApiKeyParams,
  ApiKeyView,
  CreateApiKeyBody,
  CreatedApiKey,
  ListApiKeysQuery,
  type CreateApiKeyInput,
  type ListApiKeysInput,
} from './api-keys.schema.ts'
import type { ApiKeysService } from './api-keys.service.ts'

export interface ApiKeysRoutesOptions {
  service: ApiKeysService
}

export async function apiKeysRoutes(app: FastifyInstance, { service }: ApiKeysRoutesOptions): Promise<void> {
  app.post<{ Body: CreateApiKeyInput }>(
    '/api/v1/api-keys',
    {
      config: { access: signedIn({ sessionOnly: true }) },
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key',
        description:
          'Mints a key acting for the caller, limited to `scopes` (capability names or `.*` patterns), each of which the caller must hold now. With `site`, the key is bound to that site and may carry site capabilities only. Optional expiry (`expiresAt` or `expiresInDays`). The reply holds the full key in `secret`, shown this once. Needs a signed-in session: a key cannot mint keys.',
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKey },
      },
    },
    async (request, reply) => {
      const created = await service.create(request.ctx, request.body)
      return reply.code(201).header('cache-control', 'no-store').send(created)
    },
  )

  app.get<{ Querystring: ListApiKeysInput }>(
    '/api/v1/api-keys',
    {
      config: { access: signedIn({ sessionOnly: true }) },
      schema: {
        tags: ['api-keys'],
        summary: 'List API keys',
        description:
          'The caller’s keys, newest first, with scopes, site, expiry, last use and status (never the secret). Holders of `network.users.manage` may pass `userId` to list another user’s keys, unless that user holds a capability they lack (COLOPHON_USERS_TARGET_OUTRANKS). Page with `cursor`.',
        querystring: ListApiKeysQuery,
        response: { 200: ApiKeyPage },
      },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.delete<{ Params: { id: string } }>(
    '/api/v1/api-keys/:id',
    {
      config: { access: signedIn() },
      schema: {
        tags: ['api-keys'],
        summary: 'Revoke an API key',
        description:
          'Revokes one of the caller’s keys at once (a key may revoke itself), or any user’s key for a holder of `network.users.manage` whom its owner does not outrank (COLOPHON_USERS_TARGET_OUTRANKS). Other users’ keys answer 404 to everyone else. Revoking a revoked key is harmless.',
        params: ApiKeyParams,
        response: { 200: ApiKeyView },
      },
    },
    async (request) => service.revoke(request.ctx, request.params.id),
  )
}
