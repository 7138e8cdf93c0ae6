import Type, { type Static } from 'typebox'
import { FieldDefView, FieldDefsInput, TYPE_KEY_PATTERN } from './types.schema.ts'

const Timestamp = Type.String({ format: 'date-time' })

export const FieldGroupView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  key: Type.String({ description: 'Stable key, unique on the site; types include the group by it.' }),
  name: Type.String(),
  description: Type.String(),
  fields: Type.Array(FieldDefView),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})

export const FieldGroupPage = Type.Object({
  items: Type.Array(FieldGroupView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

const fields = { ...FieldDefsInput, description: 'The group’s field definitions (same shape as a type’s).' }

export const CreateFieldGroupBody = Type.Object(
  {
    key: Type.String({
      pattern: TYPE_KEY_PATTERN,
      description: 'Lower case, digits and `-`, at most 40 characters.',
    }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    fields,
  },
  { additionalProperties: false },
)
export type CreateFieldGroupBody = Static<typeof CreateFieldGroupBody>

export const UpdateFieldGroupBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    fields: Type.Optional(fields),
  },
  { additionalProperties: false },
)
export type UpdateFieldGroupBody = Static<typeof UpdateFieldGroupBody>

export const FieldGroupParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
  key: Type.String({ minLength: 1, maxLength: 40, description: 'The field group key.' }),
})
