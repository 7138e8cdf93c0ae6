import { defineError } from './errors.ts'

/** Errors raised by the platform itself (HTTP layer, database, configuration). */
export const PlatformErrors = {
  internal: defineError(
    'COLOPHON_INTERNAL_ERROR',
    500,
    'Something went wrong on our side. The request id identifies it in the logs.',
  ),
  notFound: defineError('COLOPHON_HTTP_NOT_FOUND', 404, 'No resource at this address.'),
  validation: defineError(
    'COLOPHON_HTTP_VALIDATION_FAILED',
    400,
    'The request does not match the expected shape.',
  ),
  malformedJson: defineError('COLOPHON_HTTP_MALFORMED_JSON', 400, 'The request body is not valid JSON.'),
  emptyJson: defineError('COLOPHON_HTTP_EMPTY_BODY', 400, 'The request has a JSON content type but no body.'),
  bodyTooLarge: defineError(
    'COLOPHON_HTTP_BODY_TOO_LARGE',
    413,
    'The request body is larger than this server accepts.',
  ),
  unsupportedMediaType: defineError(
    'COLOPHON_HTTP_UNSUPPORTED_MEDIA_TYPE',
    415,
    'The request body has a content type this address does not accept.',
  ),
  badRequest: defineError('COLOPHON_HTTP_BAD_REQUEST', 400, 'The request could not be understood.'),
  invalidText: defineError(
    'COLOPHON_HTTP_INVALID_TEXT',
    400,
    'The request holds text that is not valid: a NUL character, bytes that are not UTF-8, or an unpaired surrogate.',
  ),
  duplicateHost: defineError(
    'COLOPHON_HTTP_DUPLICATE_HOST',
    400,
    'The request carries more than one Host header.',
  ),
  headersTooLarge: defineError(
    'COLOPHON_HTTP_HEADERS_TOO_LARGE',
    431,
    'The request headers are larger than this server accepts.',
  ),
  requestTimeout: defineError('COLOPHON_HTTP_REQUEST_TIMEOUT', 408, 'The request did not arrive in time.'),
  rateLimited: defineError('COLOPHON_HTTP_RATE_LIMITED', 429, 'Too many requests. Wait before trying again.'),
  metricsForbidden: defineError(
    'COLOPHON_HTTP_METRICS_FORBIDDEN',
    403,
    'Metrics need the metrics bearer token.',
  ),
  unavailable: defineError(
    'COLOPHON_HTTP_SHUTTING_DOWN',
    503,
    'This node is shutting down. Retry on another node.',
  ),
}
