import { defineError } from '../../platform/errors/index.ts'

/** Errors of the redirects module. */
export const RedirectsErrors = {
  notFound: defineError('COLOPHON_REDIRECTS_NOT_FOUND', 404, 'No such redirect on this site.'),
  pathInvalid: defineError(
    'COLOPHON_REDIRECTS_PATH_INVALID',
    400,
    'Invalid redirect path: see details for each field.',
  ),
  fromTaken: defineError(
    'COLOPHON_REDIRECTS_FROM_TAKEN',
    409,
    'This site already redirects this path: edit that redirect instead.',
  ),
  loop: defineError(
    'COLOPHON_REDIRECTS_LOOP',
    409,
    'This redirect would create a loop: following it leads back to its own path (see details.chain).',
  ),
}
