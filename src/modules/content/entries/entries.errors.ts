import { defineError } from '../../../platform/errors/index.ts'

/** Errors of entries and revisions (the shared ones live in content.errors.ts). */
export const EntriesErrors = {
  trashed: defineError(
    'COLOPHON_CONTENT_ENTRY_TRASHED',
    409,
    'This entry is in the trash: restore it before editing.',
  ),
  slugTaken: defineError(
    'COLOPHON_CONTENT_SLUG_TAKEN',
    409,
    'Another entry of this type already uses this slug.',
  ),
  parentInvalid: defineError(
    'COLOPHON_CONTENT_PARENT_INVALID',
    400,
    'The parent must be another entry of the same hierarchical type on this site, and not a descendant.',
  ),
  authorInvalid: defineError(
    'COLOPHON_CONTENT_AUTHOR_INVALID',
    400,
    'The author must be a member of this site.',
  ),
  passwordRequired: defineError(
    'COLOPHON_CONTENT_PASSWORD_REQUIRED',
    400,
    'Password-protected visibility needs a password.',
  ),
}
