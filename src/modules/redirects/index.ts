/** Redirects: manual and automatic redirects of a site's public paths. See README.md. */
export { RedirectsErrors } from './redirects.errors.ts'
export { recordPathChange, redirectSourceOf, resolveRedirect } from './redirects.automatic.ts'
export { redirectTargetColumn } from './redirects.repo.ts'
export { normaliseFromPath, normaliseToPath } from './redirects.paths.ts'
export { createRedirectsService } from './redirects.service.ts'
export type {
  CreateRedirectInput,
  ListRedirectsInput,
  RedirectStatus,
  RedirectView,
  RedirectsService,
  UpdateRedirectInput,
} from './redirects.service.ts'
export { redirectsRoutes } from './redirects.routes.ts'
export type { RedirectsRoutesOptions } from './redirects.routes.ts'
