import { defineError } from '../errors/index.ts'

/** Failures of the object stores (`createLocalStore`, `createS3Store`). */
export const StorageErrors = {
  /** The body passed the `maxBytes` of a `put`; nothing was stored. `details.maxBytes` names the limit. */
  tooLarge: defineError('COLOPHON_STORAGE_TOO_LARGE', 413, 'The file is larger than this server accepts.'),
  /** A key or prefix that breaks the key rules: a bug in the caller, never user input. */
  keyInvalid: defineError(
    'COLOPHON_STORAGE_KEY_INVALID',
    500,
    'An object key does not follow the storage key rules.',
  ),
  /** A range that starts past the last byte (or is malformed). `details.size` is the object's size. */
  rangeNotSatisfiable: defineError(
    'COLOPHON_STORAGE_RANGE_NOT_SATISFIABLE',
    416,
    'The requested byte range is outside the file.',
  ),
  /** The provider cannot be reached or refuses work for now (connection refused or reset, timeouts, 5xx). */
  unavailable: defineError(
    'COLOPHON_STORAGE_UNAVAILABLE',
    503,
    'File storage cannot be reached right now. Try again shortly.',
  ),
}
