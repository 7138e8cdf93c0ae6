import { defineError } from '../../../platform/errors/index.ts'

/**
 * Errors of the media file checks and the image pipeline. Statuses: 415 when the type is the problem,
 * 422 when the file is broken, hides markup or carries active or outside content (an SVG) or an archive
 * trap (an office document), 413 when an image is too big to process.
 */
export const MediaFileErrors = {
  fileEmpty: defineError('COLOPHON_MEDIA_FILE_EMPTY', 422, 'The file is empty.'),
  typeUnknown: defineError(
    'COLOPHON_MEDIA_TYPE_UNKNOWN',
    415,
    'The file is not of a type media accepts: see the list of allowed types.',
  ),
  typeNotAllowed: defineError(
    'COLOPHON_MEDIA_TYPE_NOT_ALLOWED',
    415,
    'This site does not accept files of this type: see details for the type and its category.',
  ),
  typeForbidden: defineError(
    'COLOPHON_MEDIA_TYPE_FORBIDDEN',
    415,
    'Files of this type are never accepted: web pages, scripts and programs.',
  ),
  polyglot: defineError(
    'COLOPHON_MEDIA_POLYGLOT',
    422,
    'The file holds web-page markup or script inside it and is not accepted.',
  ),
  imageInvalid: defineError(
    'COLOPHON_MEDIA_IMAGE_INVALID',
    422,
    'The image cannot be read: it is damaged or cut short.',
  ),
  imageTooLarge: defineError(
    'COLOPHON_MEDIA_IMAGE_TOO_LARGE',
    413,
    'The image has more pixels than this server processes: see details for the limits.',
  ),
  svgUnsafe: defineError(
    'COLOPHON_MEDIA_SVG_UNSAFE',
    422,
    'The SVG file is not accepted: it holds script or links outside itself, is malformed, or is past the limits (see details.reason).',
  ),
  archiveUnsafe: defineError(
    'COLOPHON_MEDIA_ARCHIVE_UNSAFE',
    422,
    'The document is not accepted: as an archive it is damaged, unpacks to too much data or holds too many or overlapping parts (see details.reason).',
  ),
}
