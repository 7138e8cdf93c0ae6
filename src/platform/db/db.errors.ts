import { defineError } from '../errors/index.ts'

export const DbErrors = {
  dataDirLocked: defineError(
    'COLOPHON_DB_DATA_DIR_LOCKED',
    503,
    'The embedded database is in use by another process.',
  ),
  unavailable: defineError('COLOPHON_DB_UNAVAILABLE', 503, 'The database cannot be reached.'),
  migrationChecksumMismatch: defineError(
    'COLOPHON_DB_MIGRATION_CHECKSUM_MISMATCH',
    500,
    'An applied migration differs from the file shipped with this version.',
  ),
  migrationUnknown: defineError(
    'COLOPHON_DB_MIGRATION_UNKNOWN',
    500,
    'The database has migrations this version does not know: it was upgraded by a newer version.',
  ),
  migrationFailed: defineError(
    'COLOPHON_DB_MIGRATION_FAILED',
    500,
    'A migration failed and was rolled back.',
  ),
  schemaBehind: defineError(
    'COLOPHON_DB_SCHEMA_BEHIND',
    503,
    'The database schema is older than this version: apply the pending migrations (colophon migrate).',
  ),
}
