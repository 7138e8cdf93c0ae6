import { defineError } from '../errors/index.ts'

/** Refusals of the access layer, shared by every route and service. */
export const AccessErrors = {
  authenticationRequired: defineError(
    'COLOPHON_AUTH_REQUIRED',
    401,
    'Sign in, or send an API key, to use this endpoint.',
  ),
  forbidden: defineError('COLOPHON_AUTH_FORBIDDEN', 403, 'You do not have the capability this action needs.'),
  // HTTP never shows it (the gate resolves `{site}` or answers 404): it marks a site service called at
  // network scope, by a job, the CLI or a plugin.
  siteRequired: defineError(
    'COLOPHON_AUTH_SITE_REQUIRED',
    400,
    'This action works on one site: call it under /api/v1/sites/{site}/.',
  ),
}
