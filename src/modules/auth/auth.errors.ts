import { defineError } from '../../platform/errors/index.ts'
import { SecurityErrors } from '../../platform/security/index.ts'

export const AuthErrors = {
  invalidCredentials: SecurityErrors.invalidCredentials,
  accountSuspended: defineError('COLOPHON_AUTH_ACCOUNT_SUSPENDED', 403, 'This account is suspended.'),
  challengeInvalid: defineError(
    'COLOPHON_AUTH_CHALLENGE_INVALID',
    401,
    'The sign-in challenge is unknown, used or expired. Sign in again.',
  ),
  codeInvalid: defineError(
    'COLOPHON_AUTH_2FA_CODE_INVALID',
    401,
    'The verification code is wrong or already used.',
  ),
  csrfInvalid: defineError(
    'COLOPHON_AUTH_CSRF_INVALID',
    403,
    'This request needs the X-CSRF-Token header of the current session.',
  ),
  sessionRequired: defineError(
    'COLOPHON_AUTH_SESSION_REQUIRED',
    403,
    'This action needs a signed-in session; API keys cannot perform it.',
  ),
  signinCodeInvalid: defineError(
    'COLOPHON_AUTH_SIGNIN_CODE_INVALID',
    400,
    'The sign-in code is unknown, used, expired, or meant for another site or browser. Sign in again.',
  ),
  keyInvalid: defineError(
    'COLOPHON_AUTH_KEY_INVALID',
    401,
    'The API key is malformed, unknown, revoked or expired.',
  ),
  keySiteMismatch: defineError(
    'COLOPHON_AUTH_KEY_SITE_MISMATCH',
    403,
    'This API key is bound to another site.',
  ),
  enrolmentRequired: defineError(
    'COLOPHON_AUTH_2FA_ENROLMENT_REQUIRED',
    403,
    'Your role requires two-factor authentication: enrol before doing anything else.',
  ),
  passwordChangeRequired: defineError(
    'COLOPHON_AUTH_PASSWORD_CHANGE_REQUIRED',
    403,
    'You must choose a new password before doing anything else.',
  ),
  sessionNotFound: defineError('COLOPHON_AUTH_SESSION_NOT_FOUND', 404, 'No such session of yours.'),
  resetTokenInvalid: defineError(
    'COLOPHON_AUTH_RESET_TOKEN_INVALID',
    400,
    'This password reset link is unknown, already used or expired. Ask for a new one.',
  ),
  totpAlreadyEnabled: defineError(
    'COLOPHON_AUTH_2FA_ALREADY_ENABLED',
    409,
    'Two-factor authentication is already enabled on this account.',
  ),
  totpNotEnabled: defineError(
    'COLOPHON_AUTH_2FA_NOT_ENABLED',
    409,
    'Two-factor authentication is not enabled on this account.',
  ),
  totpSetupRequired: defineError(
    'COLOPHON_AUTH_2FA_SETUP_REQUIRED',
    409,
    'There is no pending two-factor setup to confirm: start the setup first.',
  ),
  totpRequiredByRole: defineError(
    'COLOPHON_AUTH_2FA_REQUIRED_BY_ROLE',
    409,
    'One of your roles requires two-factor authentication, so it cannot be turned off.',
  ),
}
