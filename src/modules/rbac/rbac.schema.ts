import Type, { type Static } from 'typebox'
import { pageQuery } from '../../platform/http/index.ts'

const Uuid = Type.String({ format: 'uuid' })
const Timestamp = Type.String({ format: 'date-time' })

const CapabilityPattern = Type.String({
  pattern: '^[a-z][a-z0-9_-]*(\\.[a-z0-9_-]+)*(\\.\\*)?$',
  maxLength: 100,
  description:
    'A capability name (`site.content.read.drafts`) or a pattern covering several (`site.content.*`).',
})
const Capabilities = Type.Array(CapabilityPattern, {
  maxItems: 200,
  description: 'Capability names or `x.*` patterns; patterns are expanded and stored as names.',
})
const RoleName = Type.String({ minLength: 1, maxLength: 100 })
const RoleDescription = Type.String({ maxLength: 500 })
const Require2fa = Type.Boolean({
  description: 'Holders must enrol in two-factor authentication before doing anything else.',
})

export const CapabilityList = Type.Object({
  items: Type.Array(
    Type.Object({
      name: Type.String(),
      scope: Type.Union([Type.Literal('network'), Type.Literal('site')]),
      description: Type.String(),
    }),
  ),
})

export const RoleView = Type.Object({
  id: Uuid,
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  scope: Type.Union([Type.Literal('network'), Type.Literal('site')], {
    description:
      '`network`: held through a user’s network role (its site capabilities apply on every site); `site`: held through a site membership.',
  }),
  capabilities: Type.Array(Type.String(), { description: 'What the role holds, resolved to names.' }),
  builtin: Type.Boolean({
    description: 'Shipped with Colophon; its capabilities follow the running version.',
  }),
  require2fa: Require2fa,
  holders: Type.Union([Type.Integer(), Type.Null()], {
    description:
      'Users holding the role (memberships on every site plus network holders); null unless the caller may manage roles.',
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})

export const RolePage = Type.Object({
  items: Type.Array(RoleView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const PageQuery = Type.Object(
  {
    ...pageQuery(),
  },
  { additionalProperties: false },
)
export type PageInput = Static<typeof PageQuery>

export const RoleParams = Type.Object({ id: Uuid })

export const CreateRoleBody = Type.Object(
  {
    slug: Type.String({
      pattern: '^[a-z][a-z0-9_-]*$',
      minLength: 2,
      maxLength: 50,
      description: 'Stable identifier used to grant the role; cannot be changed later.',
    }),
    name: RoleName,
    description: Type.Optional(RoleDescription),
    scope: Type.Union([Type.Literal('network'), Type.Literal('site')]),
    capabilities: Capabilities,
    require2fa: Type.Optional(Require2fa),
  },
  { additionalProperties: false },
)
export type CreateRoleInput = Static<typeof CreateRoleBody>

export const UpdateRoleBody = Type.Object(
  {
    name: Type.Optional(RoleName),
    description: Type.Optional(RoleDescription),
    capabilities: Type.Optional(Capabilities),
    require2fa: Type.Optional(Require2fa),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateRoleInput = Static<typeof UpdateRoleBody>

export const SiteParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'Site id or slug.' }),
})

export const MemberParams = Type.Object({
  site: SiteParams.properties.site,
  userId: Uuid,
})

export const PutMemberBody = Type.Object(
  {
    role: Type.String({
      pattern: '^[a-z][a-z0-9_-]*$',
      maxLength: 50,
      description: 'Slug of a site role.',
    }),
  },
  { additionalProperties: false },
)
export type PutMemberInput = Static<typeof PutMemberBody>

export const MemberView = Type.Object({
  userId: Uuid,
  email: Type.String(),
  name: Type.String(),
  status: Type.String({ description: 'Account status: active, suspended, invited or deleted.' }),
  role: Type.Object({ id: Uuid, slug: Type.String(), name: Type.String() }),
  since: Timestamp,
})

export const MemberPage = Type.Object({
  items: Type.Array(MemberView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const Done = Type.Object({ status: Type.Literal('ok') })
