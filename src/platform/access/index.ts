/** Access: the request context (`Ctx`), actors and the one capability check every service uses. */
export { AccessErrors } from './access.errors.ts'
export {
  actorUserId,
  asSystem,
  can,
  createCtx,
  grants,
  requireCapability,
  requireSite,
  requireUser,
} from './ctx.ts'
export type { Actor, Ctx, CtxInit, CtxLogger, OwnedResource, SiteRef } from './ctx.ts'
