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
  encryptionKeyRequired: defineError(
    'COLOPHON_SECURITY_ENCRYPTION_KEY_REQUIRED',
    500,
    'In production COLOPHON_ENCRYPTION_KEY (or COLOPHON_ENCRYPTION_KEY_FILE) must be set: it encrypts 2FA secrets and queued mail at rest. Generate one with `openssl rand -base64 32`.',
  ),
  secretKeyUnknown: defineError(
    'COLOPHON_SECURITY_SECRET_KEY_UNKNOWN',
    500,
    'A stored secret was encrypted with a key that is not configured.',
  ),
  secretUnreadable: defineError(
    'COLOPHON_SECURITY_SECRET_UNREADABLE',
    500,
    'A stored secret failed its integrity check.',
  ),
}
