import { defineError } from '../../../platform/errors/index.ts'

/** Errors of the reading API (lists and single entries under `/sites/{site}/entries`). */
export const ReadingErrors = {
  limitTooLarge: defineError(
    'COLOPHON_CONTENT_LIMIT_TOO_LARGE',
    400,
    'A page holds at most 100 entries: lower `limit` and follow `nextCursor`.',
  ),
  cursorInvalid: defineError(
    'COLOPHON_CONTENT_CURSOR_INVALID',
    400,
    'This cursor is not one the API gave for this sort: start again without `cursor`.',
  ),
  filterInvalid: defineError(
    'COLOPHON_CONTENT_FILTER_INVALID',
    400,
    'A filter of this list is invalid: see details.',
  ),
  fieldsetInvalid: defineError(
    'COLOPHON_CONTENT_FIELDSET_INVALID',
    400,
    '`fields` names fields an entry does not have: see details for the known ones.',
  ),
  includeInvalid: defineError(
    'COLOPHON_CONTENT_INCLUDE_INVALID',
    400,
    '`include` takes up to three distinct names among author, terms and parent.',
  ),
  entryProtected: defineError(
    'COLOPHON_CONTENT_ENTRY_PROTECTED',
    403,
    'This entry is protected by a password: send it in the X-Entry-Password header.',
  ),
  passwordThrottled: defineError(
    'COLOPHON_CONTENT_ENTRY_PASSWORD_THROTTLED',
    429,
    'Too many password attempts on this entry or from this address: wait for the time in Retry-After, then try again.',
  ),
}
