import Type, { type Static } from 'typebox'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../platform/security/index.ts'

export const SETUP_STATES = ['not_configured', 'configured', 'migrated', 'ready'] as const
export type SetupState = (typeof SETUP_STATES)[number]

const Email = Type.String({ format: 'email', maxLength: 254, description: 'Email address used to sign in.' })
const Password = Type.String({
  minLength: PASSWORD_MIN_LENGTH,
  maxLength: PASSWORD_MAX_LENGTH,
  description: `Password, ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.`,
})
const Name = (description: string) =>
  Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description })

export const SetupStatusResponse = Type.Object(
  {
    state: Type.Union(
      SETUP_STATES.map((s) => Type.Literal(s)),
      {
        description: 'Where the installation stands: not_configured → configured → migrated → ready.',
      },
    ),
    schema: Type.Object({
      current: Type.Boolean({ description: 'True when the database schema matches this version.' }),
      pending: Type.Integer({ description: 'Migrations shipped with this version and not yet applied.' }),
      conflict: Type.Boolean({
        description: 'True when applied migrations were edited or come from a newer version.',
      }),
    }),
  },
  { additionalProperties: false },
)

export const CompleteSetupBody = Type.Object(
  {
    token: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'The one-time setup token printed at first start.',
    }),
    admin: Type.Object(
      { email: Email, password: Password, name: Name('Display name of the network admin.') },
      { additionalProperties: false },
    ),
    site: Type.Object({ name: Name('Name of the main site.') }, { additionalProperties: false }),
  },
  { additionalProperties: false },
)
export type CompleteSetupInput = Static<typeof CompleteSetupBody>

export const CompleteSetupResponse = Type.Object({
  state: Type.Literal('ready'),
  admin: Type.Object({ id: Type.String({ format: 'uuid' }), email: Type.String(), name: Type.String() }),
  site: Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String(), slug: Type.String() }),
})

export const ApplyMigrationsBody = Type.Object(
  {
    dryRun: Type.Optional(
      Type.Boolean({ description: 'List what would be applied without changing anything.' }),
    ),
  },
  { additionalProperties: false },
)
export type ApplyMigrationsInput = Static<typeof ApplyMigrationsBody>

export const ApplyMigrationsResponse = Type.Object({
  applied: Type.Array(Type.String(), {
    description: 'Ids of the migrations applied (or, in a dry run, to apply).',
  }),
  dryRun: Type.Boolean(),
  schema: SetupStatusResponse.properties.schema,
})
