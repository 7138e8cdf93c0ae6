/** Media: the library of uploaded files of each site. See README.md. */
export { MediaErrors } from './library/media.errors.ts'
export { limitImageMemory } from './files/index.ts'
export { mediaRoutes } from './library/media.routes.ts'
export { publicMediaRoutes } from './library/public-media.routes.ts'
export type { PublicMediaRoutesOptions } from './library/public-media.routes.ts'
export { createPublicMedia } from './library/public-media.ts'
export type { PublicMedia, PublicMediaDeps } from './library/public-media.ts'
export { createFoldersService } from './library/folders.service.ts'
export type { FoldersService } from './library/folders.service.ts'
export { expiryFor, filePathOf, signPath, variantPathOf } from './library/media.urls.ts'
export type { UrlSigner } from './library/media.urls.ts'
export type { MediaRoutesOptions } from './library/media.routes.ts'
export { createMediaService } from './library/media.service.ts'
export {
  MEDIA_PROCESS_QUEUE,
  VARIANT_WIDTHS,
  createMediaProcessor,
  registerMediaJobs,
} from './library/media.jobs.ts'
export type { MediaProcessJob, MediaProcessor } from './library/media.jobs.ts'
export type { MediaService, MediaServiceDeps } from './library/media.service.ts'
export { readSiteStorageKind, setSiteStorageKind } from './library/storage-kind.repo.ts'
export {
  MEDIA_CLEANUP_QUEUE,
  MEDIA_PURGE_SITE_QUEUE,
  ORPHAN_GRACE_MS,
  cleanupOrphanObjects,
  cleanupSiteObjects,
  purgeSiteObjects,
} from './library/media.cleanup.ts'
export { createMediaLinker } from './library/media-linker.ts'
