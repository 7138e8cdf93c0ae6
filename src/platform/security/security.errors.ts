import { defineError } from '../errors/index.ts'

export const SecurityErrors = {
  invalidCredentials: defineError(
    'COLOPHON_AUTH_INVALID_CREDENTIALS',
    401,
    'The email address or password is wrong.',
  ),
  passwordWeak: defineError(
    'COLOPHON_AUTH_PASSWORD_WEAK',
    400,
    'The password does not meet the password policy.',
  ),
}
