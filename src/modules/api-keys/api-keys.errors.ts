import { defineError } from '../../platform/errors/index.ts'

export const ApiKeysErrors = {
  scopeUnknown: defineError('COLOPHON_API_KEYS_SCOPE_UNKNOWN', 400, 'A scope names no known capability.'),
  scopeNotHeld: defineError(
    'COLOPHON_API_KEYS_SCOPE_NOT_HELD',
    403,
    'A key cannot carry a capability you do not hold yourself.',
  ),
  scopeNotSite: defineError(
    'COLOPHON_API_KEYS_SCOPE_NOT_SITE',
    400,
    'A key bound to a site can only carry site capabilities (site.*).',
  ),
  siteNotMember: defineError(
    'COLOPHON_API_KEYS_SITE_NOT_MEMBER',
    403,
    'You can only bind a key to a site you belong to.',
  ),
  expiryInvalid: defineError(
    'COLOPHON_API_KEYS_EXPIRY_INVALID',
    400,
    'Give either expiresAt or expiresInDays, and a time in the future.',
  ),
  notFound: defineError('COLOPHON_API_KEYS_NOT_FOUND', 404, 'No such API key.'),
}
