import { defineError } from '../../../platform/errors/index.ts'

/** Errors of the themes API: installed themes, each site's theme and settings. */
export const ThemesErrors = {
  notFound: defineError('COLOPHON_THEMES_NOT_FOUND', 404, 'No theme has this id on the network.'),
  archiveInvalid: defineError(
    'COLOPHON_THEMES_ARCHIVE_INVALID',
    400,
    'The theme archive is refused: see details for the entry and the rule it breaks.',
  ),
  archiveTooLarge: defineError(
    'COLOPHON_THEMES_ARCHIVE_TOO_LARGE',
    413,
    'The theme archive is over a size limit: see details for the entry and the limit.',
  ),
  alreadyInstalled: defineError(
    'COLOPHON_THEMES_ALREADY_INSTALLED',
    409,
    'A theme with this id is installed already: send the archive again with ?replace=true to update it.',
  ),
  bundled: defineError(
    'COLOPHON_THEMES_BUNDLED',
    409,
    'This theme ships with Colophon: it cannot be replaced or deleted.',
  ),
  inUse: defineError(
    'COLOPHON_THEMES_IN_USE',
    409,
    'Sites still use this theme: switch them to another theme first (details.sites says how many).',
  ),
  settingsInvalid: defineError(
    'COLOPHON_THEMES_SETTINGS_INVALID',
    400,
    'Invalid theme settings: see details for each field.',
  ),
}
