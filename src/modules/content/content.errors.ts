import { defineError } from '../../platform/errors/index.ts'

/** Errors shared by the files of the content module. Each part adds its own in `<part>.errors.ts`. */
export const ContentErrors = {
  typeNotFound: defineError('COLOPHON_CONTENT_TYPE_NOT_FOUND', 404, 'No such content type on this site.'),
  entryNotFound: defineError('COLOPHON_CONTENT_ENTRY_NOT_FOUND', 404, 'No such entry on this site.'),
  revisionNotFound: defineError(
    'COLOPHON_CONTENT_REVISION_NOT_FOUND',
    404,
    'No such revision of this entry.',
  ),
  fieldsInvalid: defineError(
    'COLOPHON_CONTENT_FIELDS_INVALID',
    400,
    'Some values are invalid: see details for each field.',
  ),
}
