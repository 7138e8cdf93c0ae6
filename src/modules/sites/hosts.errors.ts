import { defineError } from '../../platform/errors/index.ts'

/** Errors of host routing and site domains. `COLOPHON_SITES_HOST_TAKEN` lives in `SitesErrors`. */
export const HostsErrors = {
  unknownHost: defineError(
    'COLOPHON_SITES_UNKNOWN_HOST',
    404,
    'No site of this network answers on this host.',
  ),
  wrongHost: defineError(
    'COLOPHON_SITES_WRONG_HOST',
    404,
    "The API and the admin are served on the network's root host only.",
  ),
  siteDisabled: defineError('COLOPHON_SITES_SITE_DISABLED', 503, 'This site is temporarily unavailable.'),
  hostUnavailable: defineError(
    'COLOPHON_SITES_HOST_UNAVAILABLE',
    503,
    'The sites of this network cannot be looked up right now. Try again in a moment.',
  ),
  hostInvalid: defineError(
    'COLOPHON_SITES_HOST_INVALID',
    400,
    'Not a valid host name: use letters, digits and hyphens in dot-separated labels, at most 253 characters.',
  ),
  hostReserved: defineError(
    'COLOPHON_SITES_HOST_RESERVED',
    409,
    'This host name is reserved for the network: a site cannot use it.',
  ),
  domainNotFound: defineError('COLOPHON_SITES_DOMAIN_NOT_FOUND', 404, 'No such host name on this site.'),
  domainUnverified: defineError(
    'COLOPHON_SITES_DOMAIN_UNVERIFIED',
    409,
    'This host name is not verified: its DNS verification record was not found.',
  ),
  primaryRequired: defineError(
    'COLOPHON_SITES_PRIMARY_REQUIRED',
    409,
    'The primary host name cannot be removed while the site has other host names: make another one primary first.',
  ),
}
