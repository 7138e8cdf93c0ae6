import type { FastifyInstance } from 'fastify'
import { needs } from '../../platform/http/index.ts'
import type { UsersAdminService } from './users.admin.service.ts'
import {
  CreateUserBody,
  DeleteUserQuery,
  Done,
  UpdateUserBody,
  UserDetail,
  UserIdParams,
  UserListQuery,
  UserPage,
  type CreateUserInput,
  type DeleteUserQueryInput,
  type UpdateUserInput,
  type UserListQueryInput,
} from './users.schema.ts'

export interface UsersRoutesOptions {
  service: UsersAdminService
}

type IdRoute = { Params: { id: string } }

/** The network users API (`/api/v1/users`): network scope, for holders of `network.users.*`. */
export async function usersRoutes(app: FastifyInstance, { service }: UsersRoutesOptions): Promise<void> {
  app.get<{ Querystring: UserListQueryInput }>(
    '/api/v1/users',
    {
      config: { access: needs('network.users.read') },
      schema: {
        tags: ['users'],
        summary: 'List and search users',
        description:
          'Every user of the network, newest first. `q` matches part of the name or email address (case-insensitive); `status` and `role` (a network role slug) filter; deleted users appear only with `status=deleted`. Page with `cursor` (the previous page’s `nextCursor`) and `limit` (1–100, default 50).',
        querystring: UserListQuery,
        response: { 200: UserPage },
      },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.get<IdRoute>(
    '/api/v1/users/:id',
    {
      config: { access: needs('network.users.read') },
      schema: {
        tags: ['users'],
        summary: 'Read a user',
        description: 'One user with their network role, 2FA standing and site memberships.',
        params: UserIdParams,
        response: { 200: UserDetail },
      },
    },
    async (request) => service.get(request.ctx, request.params.id),
  )

  app.post<{ Body: CreateUserInput }>(
    '/api/v1/users',
    {
      config: { access: needs('network.users.manage') },
      schema: {
        tags: ['users'],
        summary: 'Create a user',
        description:
          'Creates an active user with an initial password (to invite someone by email instead, use POST /api/v1/users/invitations). The password must meet the password policy; `mustChangePassword` makes the user choose a new one at first sign-in. A network role can be granted only if the caller holds every capability it carries.',
        body: CreateUserBody,
        response: { 201: UserDetail },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(request.ctx, request.body)),
  )

  app.patch<IdRoute & { Body: UpdateUserInput }>(
    '/api/v1/users/:id',
    {
      config: { access: needs('network.users.manage') },
      schema: {
        tags: ['users'],
        summary: 'Change a user',
        description:
          'Changes the name and/or the network role (`null` removes it). A role change needs every capability of the new role, is refused on oneself and on the last active network admin, and signs the user out everywhere. Refused with COLOPHON_USERS_TARGET_OUTRANKS when the user holds a capability the caller lacks.',
        params: UserIdParams,
        body: UpdateUserBody,
        response: { 200: UserDetail },
      },
    },
    async (request) => service.update(request.ctx, request.params.id, request.body),
  )

  app.post<IdRoute>(
    '/api/v1/users/:id/suspend',
    {
      config: { access: needs('network.users.manage') },
      schema: {
        tags: ['users'],
        summary: 'Suspend a user',
        description:
          'The user can no longer sign in; every session ends and their API keys are refused until reactivation. Refused on oneself and on the last active network admin. Suspending a suspended user changes nothing. Refused with COLOPHON_USERS_TARGET_OUTRANKS when the user holds a capability the caller lacks.',
        params: UserIdParams,
        response: { 200: UserDetail },
      },
    },
    async (request) => service.suspend(request.ctx, request.params.id),
  )

  app.post<IdRoute>(
    '/api/v1/users/:id/reactivate',
    {
      config: { access: needs('network.users.manage') },
      schema: {
        tags: ['users'],
        summary: 'Reactivate a user',
        description:
          'Lifts a suspension: the user can sign in again with their password. Refused with COLOPHON_USERS_TARGET_OUTRANKS when the user holds a capability the caller lacks.',
        params: UserIdParams,
        response: { 200: UserDetail },
      },
    },
    async (request) => service.reactivate(request.ctx, request.params.id),
  )

  app.delete<IdRoute & { Querystring: DeleteUserQueryInput }>(
    '/api/v1/users/:id',
    {
      config: { access: needs('network.users.manage') },
      schema: {
        tags: ['users'],
        summary: 'Delete a user',
        description:
          'Deletes the user: their sessions, API keys, 2FA, pending links and site memberships go, and their address becomes free for a new account. With `reassignTo`, another active user takes over what they authored. Refused on oneself and on the last active network admin. The record stays as a tombstone (`status: deleted`) so the audit log and kept content still resolve. Refused with COLOPHON_USERS_TARGET_OUTRANKS when the user holds a capability the caller lacks.',
        params: UserIdParams,
        querystring: DeleteUserQuery,
        response: { 200: Done },
      },
    },
    async (request) => {
      await service.remove(request.ctx, request.params.id, request.query)
      return { status: 'ok' as const }
    },
  )
}
