import Type, { type Static } from 'typebox'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../platform/security/index.ts'
import { SiteParams } from './rbac.schema.ts'

const Uuid = Type.String({ format: 'uuid' })
const Timestamp = Type.String({ format: 'date-time' })
const name = (description: string) =>
  Type.String({
    minLength: 1,
    maxLength: 200,
    pattern: '\\S',
    description: `${description} Not only spaces.`,
  })

export const CreateInvitationBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254, description: 'Where the invitation is mailed.' }),
    role: Type.String({
      pattern: '^[a-z][a-z0-9_-]*$',
      maxLength: 50,
      description: 'Slug of the site role the invitee gets on accepting.',
    }),
    name: Type.Optional(name('Suggested display name, should the invitee need an account.')),
  },
  { additionalProperties: false },
)
export type CreateInvitationInput = Static<typeof CreateInvitationBody>

export const InvitationView = Type.Object({
  id: Uuid,
  email: Type.String({ description: 'The address as typed by whoever invited (lower-cased).' }),
  name: Type.Union([Type.String(), Type.Null()]),
  role: Type.Object({ id: Uuid, slug: Type.String(), name: Type.String() }),
  invitedBy: Type.Union([Type.Object({ id: Uuid, name: Type.String() }), Type.Null()]),
  createdAt: Timestamp,
  expiresAt: Timestamp,
})

export const InvitationPage = Type.Object({
  items: Type.Array(InvitationView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const InvitationParams = Type.Object({ site: SiteParams.properties.site, id: Uuid })

export const AcceptSiteInvitationBody = Type.Object(
  {
    // Deliberately loose: a malformed token gets the same coded refusal as an unknown, used or expired one.
    token: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'The token from the `#token=` fragment of the emailed link.',
    }),
    name: Type.Optional(name('Display name of the account created, if one is.')),
    password: Type.Optional(
      Type.String({
        minLength: PASSWORD_MIN_LENGTH,
        maxLength: PASSWORD_MAX_LENGTH,
        description:
          'Needed only when the address has no account yet: the password of the account created. Ignored otherwise.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type AcceptSiteInvitationInput = Static<typeof AcceptSiteInvitationBody>

export const AcceptedInvitation = Type.Object({
  site: Type.Object({ id: Uuid, slug: Type.String(), name: Type.String() }),
  role: Type.Object({ slug: Type.String(), name: Type.String() }),
  accountCreated: Type.Boolean({ description: 'Whether the invitation created the account.' }),
})
