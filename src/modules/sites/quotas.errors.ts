import { defineError } from '../../platform/errors/index.ts'

export const QuotasErrors = {
  apiCalls: defineError(
    'COLOPHON_SITES_QUOTA_API_CALLS',
    429,
    'This site has used its API calls for this minute. Wait before trying again.',
  ),
  mediaBytes: defineError(
    'COLOPHON_SITES_QUOTA_MEDIA_BYTES',
    413,
    'This file does not fit in the media space left to this site: delete unused files or ask a network admin to raise the quota.',
  ),
  entries: defineError(
    'COLOPHON_SITES_QUOTA_ENTRIES',
    403,
    'This site holds as many entries as its quota allows: delete some or ask a network admin to raise it.',
  ),
}
