import Type, { type Static } from 'typebox'
import { pageQuery } from '../../platform/http/index.ts'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../platform/security/index.ts'

const Id = Type.String({ format: 'uuid' })
const Timestamp = Type.String({ format: 'date-time' })

export const USER_STATUSES = ['active', 'suspended', 'invited', 'deleted'] as const
const Status = Type.Union(
  USER_STATUSES.map((s) => Type.Literal(s)),
  { description: '`active`, `suspended`, `invited` (has not accepted yet) or `deleted`.' },
)
const roleSlug = (description: string) =>
  Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9_-]*$', description })
const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: 'Display name.' })

export const UserIdParams = Type.Object({ id: Id })

export const UserListQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        maxLength: 100,
        description: 'Part of the name or email address, case-insensitive (empty: no filter).',
      }),
    ),
    status: Type.Optional(Status),
    role: Type.Optional(roleSlug('Only users holding this network role (slug).')),
    ...pageQuery(),
  },
  { additionalProperties: false },
)
export type UserListQueryInput = Static<typeof UserListQuery>

export const UserListItem = Type.Object({
  id: Id,
  email: Type.String(),
  name: Type.String(),
  status: Type.String(),
  networkRole: Type.Union([Type.String({ description: 'Slug of the network role, if any.' }), Type.Null()]),
  twoFactorEnabled: Type.Boolean(),
  createdAt: Timestamp,
  lastLoginAt: Type.Union([Timestamp, Type.Null()]),
})

export const UserPage = Type.Object({
  items: Type.Array(UserListItem),
  nextCursor: Type.Union([
    Type.String({ description: 'Pass as `cursor` for the next page; null on the last.' }),
    Type.Null(),
  ]),
})

export const UserDetail = Type.Object({
  ...UserListItem.properties,
  mustChangePassword: Type.Boolean({ description: 'The user must choose a new password at next sign-in.' }),
  updatedAt: Timestamp,
  memberships: Type.Array(
    Type.Object({
      siteId: Id,
      siteSlug: Type.String(),
      siteName: Type.String(),
      role: Type.String({ description: 'Slug of the site role.' }),
    }),
  ),
})

export const CreateUserBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254, description: 'Email address used to sign in.' }),
    name: Name,
    // No minimum length here: the password policy answers with its own code and names the rule broken.
    password: Type.String({
      maxLength: PASSWORD_MAX_LENGTH,
      description: `Initial password: ${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters, not a commonly used one, not the email address.`,
    }),
    networkRole: Type.Optional(roleSlug('Network role to grant (slug), e.g. `network_admin`.')),
    mustChangePassword: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'Ask the user to choose a new password at first sign-in.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type CreateUserInput = Static<typeof CreateUserBody>

export const UpdateUserBody = Type.Object(
  {
    name: Type.Optional(Name),
    networkRole: Type.Optional(
      Type.Union([roleSlug('Slug of the new network role.'), Type.Null()], {
        description: 'The new network role; null removes it.',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateUserInput = Static<typeof UpdateUserBody>

export const DeleteUserQuery = Type.Object(
  {
    reassignTo: Type.Optional(
      Type.String({
        format: 'uuid',
        description:
          'Active user who takes over the deleted user’s content. Without it, the content stays attributed to the deleted user.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type DeleteUserQueryInput = Static<typeof DeleteUserQuery>

export const Done = Type.Object({ status: Type.Literal('ok') })
