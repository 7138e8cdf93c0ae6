import { defineError } from '../../../platform/errors/index.ts'

export const PreviewsErrors = {
  previewNotFound: defineError(
    'COLOPHON_CONTENT_PREVIEW_NOT_FOUND',
    404,
    'No such preview link of this entry, or it is already revoked.',
  ),
}
