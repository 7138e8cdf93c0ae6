import Type, { type Static } from 'typebox'
import { Email, NewPassword } from './auth.schema.ts'

export const ResetRequestBody = Type.Object({ email: Email }, { additionalProperties: false })
export type ResetRequestInput = Static<typeof ResetRequestBody>

export const ResetConfirmBody = Type.Object(
  {
    // Deliberately loose: a malformed token gets the same coded refusal as an unknown, used or expired one.
    token: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'The token from the `#token=` fragment of the emailed link.',
    }),
    password: NewPassword,
  },
  { additionalProperties: false },
)
export type ResetConfirmInput = Static<typeof ResetConfirmBody>

export const ResetAccepted = Type.Object({ status: Type.Literal('accepted') })
export const ResetDone = Type.Object({ status: Type.Literal('ok') })
