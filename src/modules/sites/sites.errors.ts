import { defineError } from '../../platform/errors/index.ts'

export const SitesErrors = {
  notFound: defineError('COLOPHON_SITES_NOT_FOUND', 404, 'No such site.'),
  slugReserved: defineError(
    'COLOPHON_SITES_SLUG_RESERVED',
    400,
    'This slug is reserved for the network itself: choose another.',
  ),
  slugTaken: defineError('COLOPHON_SITES_SLUG_TAKEN', 409, 'Another site already has this slug.'),
  hostTaken: defineError(
    'COLOPHON_SITES_HOST_TAKEN',
    409,
    'The host name this site would answer on already belongs to another site.',
  ),
  timezoneUnknown: defineError(
    'COLOPHON_SITES_TIMEZONE_UNKNOWN',
    400,
    'Unknown time zone: use an IANA name such as Europe/Paris or UTC.',
  ),
  localeInvalid: defineError(
    'COLOPHON_SITES_LOCALE_INVALID',
    400,
    'Invalid locale: use a BCP 47 language tag such as en or pt-BR.',
  ),
  mainSite: defineError(
    'COLOPHON_SITES_MAIN_SITE',
    409,
    'The main site cannot be deleted, disabled or archived.',
  ),
  confirmationRequired: defineError(
    'COLOPHON_SITES_CONFIRMATION_REQUIRED',
    400,
    'Deleting a site needs `confirm` set to the exact slug of the site.',
  ),
  ownerNotMember: defineError(
    'COLOPHON_SITES_OWNER_NOT_MEMBER',
    409,
    'The new owner must be a member of the site first.',
  ),
  archived: defineError(
    'COLOPHON_SITES_ARCHIVED',
    409,
    'This site is archived and read-only: unarchive it before changing anything.',
  ),
  robotsTxtInvalid: defineError(
    'COLOPHON_SITES_ROBOTS_TXT_INVALID',
    400,
    'robots.txt rules must be lines of `field: value`, `#` comments or blank lines, without control characters.',
  ),
  seoInvalid: defineError(
    'COLOPHON_SITES_SEO_INVALID',
    400,
    'A SEO setting is refused: an unknown title token, a stray brace, a title template without {title}, a bad X handle or an image URL that is not https.',
  ),
  statusConflict: defineError(
    'COLOPHON_SITES_STATUS_CONFLICT',
    409,
    'The site is not in a state that allows this change.',
  ),
}
