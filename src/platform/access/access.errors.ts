import { defineError } from '../errors/index.ts'

/** Refusals of the access layer, shared by every route and service. */
export const AccessErrors = {
  authenticationRequired: defineError(
    'COLOPHON_AUTH_REQUIRED',
    401,
    'Sign in, or send an API key, to use this endpoint.',
  ),
  forbidden: defineError('COLOPHON_AUTH_FORBIDDEN', 403, 'You do not have the capability this action needs.'),
}
