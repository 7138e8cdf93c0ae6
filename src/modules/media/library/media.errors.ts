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
  inUse: defineError(
    'COLOPHON_MEDIA_IN_USE',
    409,
    'Entries show this media item: take it out of them first, or delete with `force` to have it removed from each. See details.entries.',
  ),
  forceNotAllowed: defineError(
    'COLOPHON_MEDIA_FORCE_NOT_ALLOWED',
    403,
    'Removing a media item from entries that show it needs `site.content.edit.any`.',
  ),
  folderNotFound: defineError(
    'COLOPHON_MEDIA_FOLDER_NOT_FOUND',
    404,
    'There is no such media folder on this site.',
  ),
  folderNameTaken: defineError(
    'COLOPHON_MEDIA_FOLDER_NAME_TAKEN',
    409,
    'Another folder in the same place already has this name (names are compared without case).',
  ),
  folderNameInvalid: defineError(
    'COLOPHON_MEDIA_FOLDER_NAME_INVALID',
    400,
    'A folder name may not contain `/`, `\\` or control characters, nor be only spaces.',
  ),
  folderCycle: defineError(
    'COLOPHON_MEDIA_FOLDER_CYCLE',
    409,
    'A folder cannot be moved into itself or one of its own folders, nor deeper than the depth limit. See details.',
  ),
  folderNotEmpty: defineError(
    'COLOPHON_MEDIA_FOLDER_NOT_EMPTY',
    409,
    'The folder still holds files or folders: move or delete them first. See details for the counts.',
  ),
  urlExpired: defineError(
    'COLOPHON_MEDIA_URL_EXPIRED',
    403,
    'This signed media link has expired: reload the page or ask the API for a new one.',
  ),
  urlInvalid: defineError(
    'COLOPHON_MEDIA_URL_INVALID',
    403,
    'This media link’s signature is not valid for this file on this site.',
  ),
  notReady: defineError(
    'COLOPHON_MEDIA_NOT_READY',
    503,
    'The image is still being prepared (metadata removed, variants made): try again in a few seconds.',
  ),
}
