/** Media: the library of uploaded files of each site. See README.md. */
export { MediaErrors } from './library/media.errors.ts'
export { limitImageMemory } from './files/index.ts'
export { mediaRoutes } from './library/media.routes.ts'
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
