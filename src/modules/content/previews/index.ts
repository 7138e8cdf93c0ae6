/**
 * Preview links of entries: secret, expiring, revocable addresses of an entry's latest saved content.
 * The public surface of content/previews/: content/index.ts imports only from it.
 */
export { PreviewsErrors } from './previews.errors.ts'
export {
  PREVIEW_DEFAULT_HOURS,
  PREVIEW_MAX_HOURS,
  PREVIEW_PATH_SEGMENT,
  createPreviewsService,
} from './previews.service.ts'
export type { CreatedPreview, PreviewView, PreviewsService, PreviewsServiceDeps } from './previews.service.ts'
export { previewsRoutes } from './previews.routes.ts'
export type { PreviewsRoutesOptions } from './previews.routes.ts'
