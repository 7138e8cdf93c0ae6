export { PUBLIC, enforceAccessDeclarations, needs, signedIn } from './access.ts'
export type { DeclaredRoute, RouteAccess } from './access.ts'
export { envelope, frameworkErrorHandler, registerErrorHandling } from './error-handler.ts'
export type { ErrorEnvelope } from './error-handler.ts'
export { escapeHtml, htmlDocument, plainPage } from './html.ts'
export { acceptFormBodies, formOf, postedFromOwnOrigin } from './form-body.ts'
export { parseRange, type RangeRequest } from './byte-range.ts'
export { registerHealthRoutes } from './health.ts'
export type { Readiness } from './health.ts'
export { metricsOptionsOf, metricsWarning, registerMetrics } from './metrics.ts'
export type { MetricsOptions } from './metrics.ts'
export { operationIdFor, registerOpenApi, securityFor } from './openapi.ts'
export type { OpenApiOptions } from './openapi.ts'
export { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, pageQuery } from './page-query.ts'
export type { PageQueryOptions } from './page-query.ts'
export { registerQueryTiming } from './query-timing.ts'
export { registerValidation } from './validation.ts'
export { registerRequestGuards } from './request-guard.hook.ts'
export { clientErrorHandler } from './client-error.ts'
export { createLimiter } from './limiter.ts'
export type { Limiter } from './limiter.ts'
export { cacheKeyOf, createResponseCache } from './response-cache.ts'
export type { ResponseCache, ResponseCacheOptions } from './response-cache.ts'
export { rateLimitStore } from './rate-limit.store.ts'
export { SANDBOXED_FILE_CSP, registerSecurityHeaders, securityHeadersOf } from './security-headers.ts'
export { entityTag, etagHash } from './etag.ts'
export { reservedAreaOf, type ReservedArea } from './reserved-paths.ts'
export {
  CACHE_TAG_HEADER_MAX_BYTES,
  authorTag,
  cacheTagHeader,
  entryTag,
  isCacheTag,
  listingTag,
  menuTag,
  pageTags,
  siteTag,
  termTag,
} from './cache-tags.ts'
export type { CacheTag } from './cache-tags.ts'
export { cachedPageOf, createPageCache, pageChangeMessage, parsePageChange } from './page-cache.ts'
export type {
  CachedPage,
  PageCache,
  PageCacheOptions,
  PageChange,
  PageLookup,
  PageToKeep,
  SharedPageStore,
} from './page-cache.ts'
export { isValidText, urlTextProblem } from './text.rules.ts'
export { fetchRemoteFile } from './remote-fetch.ts'
export type { RemoteFetchOptions, RemoteFile, ResolvedAddress } from './remote-fetch.ts'
export { RemoteFetchErrors } from './remote-fetch.errors.ts'
export { PUBLIC_RANGE, addressRangeOf } from './remote-address.rules.ts'
export type { RemoteAllowList } from './remote-address.rules.ts'
