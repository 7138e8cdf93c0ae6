import Type, { type Static } from 'typebox'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../platform/security/index.ts'

export const Email = Type.String({ format: 'email', maxLength: 254, description: 'Email address.' })
/** A password being checked: any length up to the maximum (the policy applies to new passwords only). */
export const AnyPassword = Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH })
export const NewPassword = Type.String({
  minLength: PASSWORD_MIN_LENGTH,
  maxLength: PASSWORD_MAX_LENGTH,
  description: `New password: ${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters, not a commonly used one, not the email address.`,
})
const Timestamp = Type.String({ format: 'date-time' })

export const LoginBody = Type.Object({ email: Email, password: AnyPassword }, { additionalProperties: false })
export type LoginInput = Static<typeof LoginBody>

export const UserView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.String(),
  status: Type.String(),
  networkRole: Type.Union([Type.String(), Type.Null()], { description: 'Slug of the network role, if any.' }),
})

export const LoginResponse = Type.Union([
  Type.Object({
    status: Type.Literal('authenticated'),
    user: UserView,
    csrfToken: Type.String({
      description:
        'Send it back in the X-CSRF-Token header of every state-changing request (also in the colophon_csrf cookie).',
    }),
    expiresAt: Timestamp,
  }),
  Type.Object({
    status: Type.Literal('2fa_required'),
    challenge: Type.String({
      description: 'Single-use, short-lived; accepted by POST /api/v1/auth/2fa only.',
    }),
    expiresAt: Timestamp,
  }),
])

export const MeResponse = Type.Object({
  user: UserView,
  actor: Type.Object({
    kind: Type.Union([Type.Literal('user'), Type.Literal('api_key')]),
    sessionId: Type.Optional(Type.String()),
    keyId: Type.Optional(Type.String()),
  }),
  capabilities: Type.Array(Type.String(), {
    description: 'Network-level capabilities held (site roles are in memberships).',
  }),
  memberships: Type.Array(
    Type.Object({
      siteId: Type.String(),
      siteSlug: Type.String(),
      siteName: Type.String(),
      role: Type.String(),
    }),
  ),
  twoFactor: Type.Object({ enabled: Type.Boolean(), required: Type.Boolean() }),
  restriction: Type.Union([Type.Literal('enrol_2fa'), Type.Literal('change_password'), Type.Null()], {
    description: 'What the user must do before anything else, if anything.',
  }),
})

export const SessionList = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      current: Type.Boolean(),
      ip: Type.Union([Type.String(), Type.Null()]),
      device: Type.String(),
      createdAt: Timestamp,
      lastSeenAt: Timestamp,
      expiresAt: Timestamp,
      siteId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
        description:
          "A session handed to that site's own host by the sign-in handoff (it ends with the session it came from); null for a network session.",
      }),
    }),
  ),
})

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

export const ChangePasswordBody = Type.Object(
  { currentPassword: AnyPassword, newPassword: NewPassword },
  { additionalProperties: false },
)

export const Revoked = Type.Object({ revoked: Type.Integer() })
export const Done = Type.Object({ status: Type.Literal('ok') })
