import { defineError } from '../../../platform/errors/index.ts'

/** Errors of relations between entries and of series. */
export const RelationsErrors = {
  relationTargetNotFound: defineError(
    'COLOPHON_CONTENT_RELATION_TARGET_NOT_FOUND',
    404,
    'A related entry does not exist on this site: see details.missing.',
  ),
  relationSelf: defineError('COLOPHON_CONTENT_RELATION_SELF', 400, 'An entry cannot be related to itself.'),
  relationDuplicate: defineError(
    'COLOPHON_CONTENT_RELATION_DUPLICATE',
    400,
    'The same relation (kind and entry) is listed twice: see details.',
  ),
}

export const SeriesErrors = {
  notFound: defineError('COLOPHON_CONTENT_SERIES_NOT_FOUND', 404, 'No such series on this site.'),
  slugTaken: defineError(
    'COLOPHON_CONTENT_SERIES_SLUG_TAKEN',
    409,
    'Another series of this site already uses this slug.',
  ),
  entryNotFound: defineError(
    'COLOPHON_CONTENT_SERIES_ENTRY_NOT_FOUND',
    404,
    'An entry of the series does not exist on this site: see details.missing.',
  ),
  duplicateEntry: defineError(
    'COLOPHON_CONTENT_SERIES_DUPLICATE_ENTRY',
    400,
    'An entry is listed twice in the series: see details.',
  ),
}
