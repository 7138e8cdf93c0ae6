import type { FastifyInstance } from 'fastify'
import { PUBLIC, needs, signedIn } from '../../platform/http/index.ts'
import {
  AcceptInvitationBody,
  Accepted,
  Done,
  EmailChangeBody,
  InviteBody,
  ProfileBody,
  TokenBody,
  UserReply,
  type AcceptInvitationInput,
  type EmailChangeInput,
  type InviteInput,
  type ProfileInput,
  type TokenInput,
} from './tokens.schema.ts'
import type { TokensService } from './tokens.service.ts'

export interface TokenRoutesOptions {
  service: TokensService
  /** Attempts per client address per 15 minutes on the endpoints that take a token or a password. */
  clientLimit: number
}

export async function tokenRoutes(app: FastifyInstance, options: TokenRoutesOptions): Promise<void> {
  const { service } = options
  const perClient = { rateLimit: { max: options.clientLimit, timeWindow: '15 minutes' } }

  app.post<{ Body: InviteInput }>(
    '/api/v1/users/invitations',
    {
      config: { access: needs('network.users.manage') },
      schema: {
        tags: ['users'],
        summary: 'Invite a user',
        description:
          'Creates an invited user (no password yet) and mails them a link valid 7 days. Inviting an address that already has a pending invitation sends a new link and voids the old one. Optional `networkRole` and `site` membership: you can only grant roles whose capabilities you hold yourself. 409 when an active or suspended user has the address; re-inviting a pending invitee who holds a capability you lack is refused (COLOPHON_USERS_TARGET_OUTRANKS). The reply never contains the link.',
        body: InviteBody,
        response: { 201: UserReply },
      },
    },
    async (request, reply) => {
      const user = await service.invite(request.ctx, request.body)
      return reply.code(201).send({ user })
    },
  )

  app.post<{ Body: AcceptInvitationInput }>(
    '/api/v1/users/invitations/accept',
    {
      config: { access: PUBLIC, ...perClient },
      schema: {
        tags: ['users'],
        summary: 'Accept an invitation',
        description:
          'With the token from the invitation link, sets the password (and optionally the name) and activates the account; then sign in as usual. The link works once.',
        body: AcceptInvitationBody,
        response: { 200: UserReply },
      },
    },
    async (request) => ({ user: await service.acceptInvitation(request.ctx, request.body) }),
  )

  app.post<{ Body: EmailChangeInput }>(
    '/api/v1/auth/email',
    {
      config: { access: signedIn({ sessionOnly: true }), ...perClient },
      schema: {
        tags: ['auth'],
        summary: 'Change my email address',
        description:
          'Needs the current password. Mails a confirmation link (valid 24 hours) to the new address; the change happens when it is followed. The reply is the same whether or not the new address is free (a taken address gets no mail), so it tells nothing about other accounts.',
        body: EmailChangeBody,
        response: { 202: Accepted },
      },
    },
    async (request, reply) => {
      await service.requestEmailChange(request.ctx, request.body)
      return reply.code(202).send({ status: 'accepted' as const })
    },
  )

  app.post<{ Body: TokenInput }>(
    '/api/v1/auth/email/confirm',
    {
      config: { access: PUBLIC, ...perClient },
      schema: {
        tags: ['auth'],
        summary: 'Confirm a new email address',
        description:
          'With the token from the confirmation link, changes the account’s address and notifies the old one. 409 when the address was taken in the meantime.',
        body: TokenBody,
        response: { 200: Done },
      },
    },
    async (request) => {
      await service.confirmEmailChange(request.ctx, request.body)
      return { status: 'ok' as const }
    },
  )

  app.patch<{ Body: ProfileInput }>(
    '/api/v1/auth/me',
    {
      config: { access: signedIn({ sessionOnly: false }) },
      schema: {
        tags: ['auth'],
        summary: 'Edit my profile',
        description: 'Changes the caller’s display name. The email address has its own confirmed flow.',
        body: ProfileBody,
        response: { 200: UserReply },
      },
    },
    async (request) => ({ user: await service.updateOwnProfile(request.ctx, request.body) }),
  )
}
