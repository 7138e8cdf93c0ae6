import Type, { type Static } from 'typebox'
import { pageQuery } from '../../platform/http/index.ts'

export const OutboxQuery = Type.Object(
  {
    ...pageQuery(),
  },
  { additionalProperties: false },
)
export type OutboxQueryInput = Static<typeof OutboxQuery>

export const OutboxMessageView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  to: Type.String(),
  subject: Type.String(),
  text: Type.String(),
  html: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
})

export const OutboxPage = Type.Object({
  transport: Type.Union([Type.Literal('capture'), Type.Literal('smtp')], {
    description:
      '`capture`: mail is kept here instead of sent (no SMTP server configured). `smtp`: mail is sent; the outbox only holds what was captured before.',
  }),
  items: Type.Array(OutboxMessageView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})
