import type { FastifyInstance } from 'fastify'
import { needs, signedIn } from '../../platform/http/index.ts'
import {
  CapabilityList,
  CreateRoleBody,
  Done,
  MemberPage,
  MemberParams,
  MemberView,
  PageQuery,
  PutMemberBody,
  RolePage,
  RoleParams,
  RoleView,
  SiteParams,
  UpdateRoleBody,
  type CreateRoleInput,
  type PageInput,
  type PutMemberInput,
  type UpdateRoleInput,
} from './rbac.schema.ts'
import type { RbacService } from './rbac.service.ts'

export interface RbacRoutesOptions {
  service: RbacService
}

const NO_ESCALATION =
  'Refused with COLOPHON_RBAC_ESCALATION (naming the missing capabilities) when the role would hold a capability the caller lacks on the network.'

async function roleRoutes(app: FastifyInstance, { service }: RbacRoutesOptions): Promise<void> {
  app.get(
    '/api/v1/capabilities',
    {
      config: { access: signedIn() },
      schema: {
        tags: ['roles'],
        summary: 'Capability vocabulary',
        description:
          'Every capability a role can hold, with its scope (`network` or `site`) and what it allows.',
        response: { 200: CapabilityList },
      },
    },
    async (request) => ({ items: service.listCapabilities(request.ctx) }),
  )

  app.get<{ Querystring: PageInput }>(
    '/api/v1/roles',
    {
      config: { access: signedIn() },
      schema: {
        tags: ['roles'],
        summary: 'List roles',
        description:
          'Built-in and custom roles with their capabilities resolved to names. `holders` is filled in for callers who may manage roles. Paged with `cursor`.',
        querystring: PageQuery,
        response: { 200: RolePage },
      },
    },
    async (request) => service.listRoles(request.ctx, request.query),
  )

  app.get<{ Params: { id: string } }>(
    '/api/v1/roles/:id',
    {
      config: { access: signedIn() },
      schema: {
        tags: ['roles'],
        summary: 'Read a role',
        description:
          'One role with its capabilities resolved to names; `holders` is filled in for callers who may manage roles.',
        params: RoleParams,
        response: { 200: RoleView },
      },
    },
    async (request) => service.getRole(request.ctx, request.params.id),
  )

  app.post<{ Body: CreateRoleInput }>(
    '/api/v1/roles',
    {
      config: { access: needs('network.roles.manage') },
      schema: {
        tags: ['roles'],
        summary: 'Create a custom role',
        description: `Capabilities may be names or \`x.*\` patterns; unknown ones are refused (400), and a site role may hold site capabilities only. ${NO_ESCALATION}`,
        body: CreateRoleBody,
        response: { 201: RoleView },
      },
    },
    async (request, reply) => reply.code(201).send(await service.createRole(request.ctx, request.body)),
  )

  app.patch<{ Params: { id: string }; Body: UpdateRoleInput }>(
    '/api/v1/roles/:id',
    {
      config: { access: needs('network.roles.manage') },
      schema: {
        tags: ['roles'],
        summary: 'Change a role',
        description: `Name, description, capabilities (replaced as a whole) and the 2FA requirement. Built-in roles accept only \`require2fa\`. The change applies to every holder at their next request. ${NO_ESCALATION} The caller must also hold every capability the role has now.`,
        params: RoleParams,
        body: UpdateRoleBody,
        response: { 200: RoleView },
      },
    },
    async (request) => service.updateRole(request.ctx, request.params.id, request.body),
  )

  app.delete<{ Params: { id: string } }>(
    '/api/v1/roles/:id',
    {
      config: { access: needs('network.roles.manage') },
      schema: {
        tags: ['roles'],
        summary: 'Delete a custom role',
        description:
          'Refused for built-in roles and for roles someone still holds (409), and when the role holds a capability the caller lacks (403).',
        params: RoleParams,
        response: { 200: Done },
      },
    },
    async (request) => {
      await service.deleteRole(request.ctx, request.params.id)
      return { status: 'ok' as const }
    },
  )
}

async function memberRoutes(app: FastifyInstance, { service }: RbacRoutesOptions): Promise<void> {
  app.get<{ Params: { site: string }; Querystring: PageInput }>(
    '/api/v1/sites/:site/members',
    {
      config: { access: needs('site.members.read') },
      schema: {
        tags: ['members'],
        summary: 'List the members of a site',
        description: 'Users with a role on this site. Paged with `cursor` (a user id).',
        params: SiteParams,
        querystring: PageQuery,
        response: { 200: MemberPage },
      },
    },
    async (request) => service.listMembers(request.ctx, request.query),
  )

  app.put<{ Params: { site: string; userId: string }; Body: PutMemberInput }>(
    '/api/v1/sites/:site/members/:userId',
    {
      config: { access: needs('site.members.manage') },
      schema: {
        tags: ['members'],
        summary: 'Change a member’s role',
        description:
          'Gives a member of this site another site role (200, also when unchanged); a change ends the member’s sessions. The caller must hold every capability of the new role on this site (COLOPHON_RBAC_ESCALATION) and must not be outranked by the member: their network role and role here, and the site’s ownership, which only a network admin may override (COLOPHON_USERS_TARGET_OUTRANKS). Nobody changes their own membership. A user who is not a member answers 404 COLOPHON_RBAC_MEMBER_NOT_FOUND, exactly like an unknown id: invite them by email instead (`POST /api/v1/sites/{site}/invitations`). Only holders of `network.users.manage` may add an existing user here directly (201).',
        params: MemberParams,
        body: PutMemberBody,
        response: { 200: MemberView, 201: MemberView },
      },
    },
    async (request, reply) => {
      const { member, created } = await service.putMember(request.ctx, request.params.userId, request.body)
      return reply.code(created ? 201 : 200).send(member)
    },
  )

  app.delete<{ Params: { site: string; userId: string } }>(
    '/api/v1/sites/:site/members/:userId',
    {
      config: { access: needs('site.members.manage') },
      schema: {
        tags: ['members'],
        summary: 'Remove a member',
        description:
          'Takes the user off this site and ends their sessions. Refused when the member outranks the caller (COLOPHON_USERS_TARGET_OUTRANKS: a capability the caller lacks, or the site’s ownership); nobody removes themselves. A non-member and an unknown id get the same 404.',
        params: MemberParams,
        response: { 200: Done },
      },
    },
    async (request) => {
      await service.removeMember(request.ctx, request.params.userId)
      return { status: 'ok' as const }
    },
  )
}

/** The roles API (network scope) and the members API of each site. */
export async function rbacRoutes(app: FastifyInstance, options: RbacRoutesOptions): Promise<void> {
  await roleRoutes(app, options)
  await memberRoutes(app, options)
}
