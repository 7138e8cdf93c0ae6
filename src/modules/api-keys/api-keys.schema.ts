import Type, { type Static } from 'typebox'
import { pageQuery } from '../../platform/http/index.ts'

const Timestamp = Type.String({ format: 'date-time' })
const NullableTimestamp = Type.Union([Timestamp, Type.Null()])

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: '\\S',
      description: 'What the key is for, e.g. "Deploy script". Shown in key lists.',
    }),
    scopes: Type.Array(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description:
          'A capability name (`site.content.read.drafts`) or a pattern ending in `.*` (`site.content.*`).',
      }),
      {
        minItems: 1,
        maxItems: 100,
        description:
          'Capabilities the key may use, each one held by the caller now. Patterns are expanded when the key is created.',
      },
    ),
    site: Type.Optional(
      Type.String({
        format: 'uuid',
        description:
          'Binds the key to this site: it then carries site capabilities only and works on this site’s routes only.',
      }),
    ),
    expiresAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'When the key stops working (in the future).' }),
    ),
    expiresInDays: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 3650,
        description: 'Alternative to `expiresAt`: the key stops working this many days from now.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type CreateApiKeyInput = Static<typeof CreateApiKeyBody>

export const ApiKeyView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  ownerId: Type.String({ format: 'uuid', description: 'The user the key acts for.' }),
  scopes: Type.Array(Type.String(), { description: 'Capability names (patterns already expanded).' }),
  site: Type.Union(
    [
      Type.Object({ id: Type.String({ format: 'uuid' }), slug: Type.String(), name: Type.String() }),
      Type.Null(),
    ],
    { description: 'The site the key is bound to; null for a network-wide key.' },
  ),
  status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
  createdAt: Timestamp,
  expiresAt: NullableTimestamp,
  lastUsedAt: Type.Union([Timestamp, Type.Null()], {
    description: 'Last use, recorded at most once a minute.',
  }),
  lastUsedIp: Type.Union([Type.String(), Type.Null()]),
  revokedAt: NullableTimestamp,
})

export const CreatedApiKey = Type.Object({
  ...ApiKeyView.properties,
  secret: Type.String({
    description:
      'The full key, `colophon_<id>_<secret>`, to send as `Authorization: Bearer …`. Shown this once; only its hash is stored.',
  }),
})

export const ApiKeyPage = Type.Object({
  items: Type.Array(ApiKeyView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const ListApiKeysQuery = Type.Object(
  {
    userId: Type.Optional(
      Type.String({
        format: 'uuid',
        description:
          'Whose keys to list (default: the caller’s). Another user’s needs `network.users.manage`.',
      }),
    ),
    ...pageQuery(),
  },
  { additionalProperties: false },
)
export type ListApiKeysInput = Static<typeof ListApiKeysQuery>

export const ApiKeyParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
