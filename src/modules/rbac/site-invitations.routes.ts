import type { FastifyInstance } from 'fastify'
import { PUBLIC, needs } from '../../platform/http/index.ts'
import { Done, PageQuery, SiteParams, type PageInput } from './rbac.schema.ts'
import {
  AcceptSiteInvitationBody,
  AcceptedInvitation,
  CreateInvitationBody,
  InvitationPage,
  InvitationParams,
  InvitationView,
  type AcceptSiteInvitationInput,
  type CreateInvitationInput,
} from './site-invitations.schema.ts'
import type { SiteInvitationsService } from './site-invitations.service.ts'

export interface SiteInvitationRoutesOptions {
  service: SiteInvitationsService
  /**
   * Requests per client address per 15 minutes on the routes that mail someone or take a token: accepting
   * (like every emailed token) and inviting (so that a site administrator's account cannot flood mailboxes).
   */
  clientLimit: number
}

/** Invitations to join a site (site scope) and their acceptance (public, token in the body). */
export async function siteInvitationRoutes(
  app: FastifyInstance,
  options: SiteInvitationRoutesOptions,
): Promise<void> {
  const { service } = options
  const perClient = { rateLimit: { max: options.clientLimit, timeWindow: '15 minutes' } }

  app.post<{ Params: { site: string }; Body: CreateInvitationInput }>(
    '/api/v1/sites/:site/invitations',
    {
      config: { access: needs('site.members.manage'), ...perClient },
      schema: {
        tags: ['members'],
        summary: 'Invite someone to the site by email',
        description:
          'Mails a link (valid 7 days) that makes the address a member with `role` once followed: an existing account joins as it is, otherwise the invitee creates one. The reply is the same whether or not the address has an account. Inviting an address again replaces its earlier link. The caller must hold every capability of the role (COLOPHON_RBAC_ESCALATION); an address that is already a member is refused (COLOPHON_RBAC_ALREADY_MEMBER: change the role instead). The reply never contains the link.',
        params: SiteParams,
        body: CreateInvitationBody,
        response: { 201: InvitationView },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(request.ctx, request.body)),
  )

  app.get<{ Params: { site: string }; Querystring: PageInput }>(
    '/api/v1/sites/:site/invitations',
    {
      config: { access: needs('site.members.manage') },
      schema: {
        tags: ['members'],
        summary: 'List pending invitations',
        description:
          'Invitations of this site not yet accepted, revoked or expired, newest first, with the address as it was typed. Paged with `cursor`.',
        params: SiteParams,
        querystring: PageQuery,
        response: { 200: InvitationPage },
      },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.delete<{ Params: { site: string; id: string } }>(
    '/api/v1/sites/:site/invitations/:id',
    {
      config: { access: needs('site.members.manage') },
      schema: {
        tags: ['members'],
        summary: 'Revoke an invitation',
        description:
          'The link stops working at once. Needs every capability of the invitation’s role, like granting it.',
        params: InvitationParams,
        response: { 200: Done },
      },
    },
    async (request) => {
      await service.revoke(request.ctx, request.params.id)
      return { status: 'ok' as const }
    },
  )

  app.post<{ Body: AcceptSiteInvitationInput }>(
    '/api/v1/site-invitations/accept',
    {
      config: { access: PUBLIC, ...perClient },
      schema: {
        tags: ['members'],
        summary: 'Accept an invitation to a site',
        description:
          'With the token from the invitation link. If the address has an account, it becomes a member (no password needed; one sent is ignored). If not, `password` is required (COLOPHON_RBAC_INVITATION_PASSWORD_REQUIRED) and an active account is created with it. Refused for a suspended or deleted account (COLOPHON_RBAC_INVITATION_ACCOUNT_INACTIVE) and for an address already a member (COLOPHON_RBAC_ALREADY_MEMBER). The link works once.',
        body: AcceptSiteInvitationBody,
        response: { 200: AcceptedInvitation },
      },
    },
    async (request) => service.accept(request.ctx, request.body),
  )
}
