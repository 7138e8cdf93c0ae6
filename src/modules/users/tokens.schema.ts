import Type, { type Static } from 'typebox'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../platform/security/index.ts'

const Email = Type.String({ format: 'email', maxLength: 254, description: 'Email address.' })
const Name = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '\\S',
  description: 'Display name (not only spaces).',
})
const NewPassword = Type.String({
  minLength: PASSWORD_MIN_LENGTH,
  maxLength: PASSWORD_MAX_LENGTH,
  description: `${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters, not a commonly used one, not the email address.`,
})
/**
 * Deliberately loose: any malformed token gets the same coded refusal as an unknown, used or expired one.
 */
export const LinkToken = Type.String({
  minLength: 1,
  maxLength: 256,
  description: 'The token from the `#token=` fragment of the emailed link.',
})
const RoleSlug = Type.String({ pattern: '^[a-z0-9_-]{1,64}$', description: 'Role slug.' })

export const UserSummaryView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.String(),
  status: Type.String({ description: '`active`, `invited`, `suspended` or `deleted`.' }),
  networkRole: Type.Union([Type.String(), Type.Null()], { description: 'Slug of the network role, if any.' }),
})
export const UserReply = Type.Object({ user: UserSummaryView })

export const InviteBody = Type.Object(
  {
    email: Email,
    name: Type.Optional(Name),
    networkRole: Type.Optional(RoleSlug),
    site: Type.Optional(
      Type.Object(
        { id: Type.String({ format: 'uuid' }), role: RoleSlug },
        { additionalProperties: false, description: 'Make the invited user a member of this site.' },
      ),
    ),
  },
  { additionalProperties: false },
)
export type InviteInput = Static<typeof InviteBody>

export const AcceptInvitationBody = Type.Object(
  { token: LinkToken, name: Type.Optional(Name), password: NewPassword },
  { additionalProperties: false },
)
export type AcceptInvitationInput = Static<typeof AcceptInvitationBody>

export const EmailChangeBody = Type.Object(
  {
    newEmail: Email,
    password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH, description: 'Current password.' }),
  },
  { additionalProperties: false },
)
export type EmailChangeInput = Static<typeof EmailChangeBody>

export const TokenBody = Type.Object({ token: LinkToken }, { additionalProperties: false })
export type TokenInput = Static<typeof TokenBody>

export const ProfileBody = Type.Object({ name: Name }, { additionalProperties: false })
export type ProfileInput = Static<typeof ProfileBody>

export const Accepted = Type.Object({ status: Type.Literal('accepted') })
export const Done = Type.Object({ status: Type.Literal('ok') })
