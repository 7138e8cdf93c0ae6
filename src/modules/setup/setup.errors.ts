import { defineError } from '../../platform/errors/index.ts'

export const SetupErrors = {
  alreadyComplete: defineError(
    'COLOPHON_SETUP_ALREADY_COMPLETE',
    409,
    'Colophon is already set up. Setup cannot run again.',
  ),
  notConfigured: defineError(
    'COLOPHON_SETUP_NOT_CONFIGURED',
    409,
    'No setup token has been issued yet. Start the server once (`colophon serve`) to issue one.',
  ),
  tokenInvalid: defineError(
    'COLOPHON_SETUP_TOKEN_INVALID',
    403,
    'The setup token is wrong or no longer valid.',
  ),
  required: defineError(
    'COLOPHON_SETUP_REQUIRED',
    503,
    'Colophon is not set up yet. Complete setup with POST /api/v1/setup and the setup token.',
  ),
  migrationRequired: defineError(
    'COLOPHON_SETUP_MIGRATION_REQUIRED',
    503,
    'Database update required. A network admin must apply it (`colophon migrate` or POST /api/v1/setup/migrations).',
  ),
  schemaConflict: defineError(
    'COLOPHON_SETUP_SCHEMA_CONFLICT',
    503,
    'The database schema does not match this version of Colophon (edited or newer migrations). See the logs.',
  ),
  notComplete: defineError(
    'COLOPHON_SETUP_NOT_COMPLETE',
    409,
    'Setup is not complete: there is no network admin yet. Use POST /api/v1/setup, which also applies migrations.',
  ),
}
