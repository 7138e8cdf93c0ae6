import { defineError } from '../../../platform/errors/index.ts'

/** The media library's own refusals; what a file is (its type, its pixels) is refused by `files/`. */
export const MediaErrors = {
  notFound: defineError('COLOPHON_MEDIA_NOT_FOUND', 404, 'There is no such media item on this site.'),
  fileMissing: defineError(
    'COLOPHON_MEDIA_FILE_MISSING',
    400,
    'The upload carries no file: send multipart/form-data with one part named `file`.',
  ),
  tooManyFiles: defineError('COLOPHON_MEDIA_TOO_MANY_FILES', 400, 'One upload carries exactly one file.'),
  uploadMalformed: defineError(
    'COLOPHON_MEDIA_UPLOAD_MALFORMED',
    400,
    'The multipart body cannot be read: too many parts or fields, a field name or value too long, or a broken body.',
  ),
  fieldInvalid: defineError(
    'COLOPHON_MEDIA_FIELD_INVALID',
    400,
    'A field of the upload is too long or not valid text: see details for the field and its limit.',
  ),
  fileTooLarge: defineError(
    'COLOPHON_MEDIA_FILE_TOO_LARGE',
    413,
    'The file is larger than an upload may be on this network.',
  ),
  idempotencyKeyInvalid: defineError(
    'COLOPHON_MEDIA_IDEMPOTENCY_KEY_INVALID',
    400,
    'The Idempotency-Key header must be 8 to 200 letters, digits, `-`, `_`, `.` or `:`.',
  ),
}
