import Type, { type Static } from 'typebox'
import { AnyPassword } from './auth.schema.ts'

const Challenge = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'The challenge from the `2fa_required` answer of POST /api/v1/auth/login.',
})
const TotpCode = Type.String({
  pattern: '^[0-9]{6}$',
  description: 'The 6-digit code shown by the authenticator app.',
})
const RecoveryCode = Type.String({
  minLength: 10,
  maxLength: 32,
  description: 'One of the recovery codes (`xxxxx-xxxxx`; case, spaces and dashes are ignored).',
})
const CodeOrRecoveryCode = Type.String({
  minLength: 6,
  maxLength: 32,
  description: 'A 6-digit code from the authenticator app, or one of the recovery codes.',
})

export const SecondFactorBody = Type.Union(
  [
    Type.Object({ challenge: Challenge, code: TotpCode }, { additionalProperties: false }),
    Type.Object({ challenge: Challenge, recoveryCode: RecoveryCode }, { additionalProperties: false }),
  ],
  { description: 'The challenge with either a code from the app or a recovery code.' },
)
export type SecondFactorInput = Static<typeof SecondFactorBody>

export const TotpEnrolmentResponse = Type.Object({
  secret: Type.String({ description: 'Base32 secret, for apps that cannot scan the QR code.' }),
  otpauthUri: Type.String({ description: '`otpauth://totp/…` URI holding the secret.' }),
  qrCode: Type.String({ description: 'The URI as a QR code: a `data:image/svg+xml;base64,…` URL.' }),
})

export const ConfirmTotpBody = Type.Object({ code: TotpCode }, { additionalProperties: false })
export type ConfirmTotpInput = Static<typeof ConfirmTotpBody>

export const PasswordAndCodeBody = Type.Object(
  { password: AnyPassword, code: CodeOrRecoveryCode },
  { additionalProperties: false },
)
export type PasswordAndCodeInput = Static<typeof PasswordAndCodeBody>

export const RecoveryCodesResponse = Type.Object({
  recoveryCodes: Type.Array(Type.String(), {
    description: 'Ten single-use codes. Shown only now: only their hashes are stored.',
  }),
})

export const UserIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
