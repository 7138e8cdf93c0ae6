/** Menus: a site's navigation menus, placed at the locations its theme declares. See README.md. */
export { MenusErrors } from './menus.errors.ts'
export { createMenusService } from './menus.service.ts'
export type {
  CreateMenuInput,
  MenuLocation,
  MenuLocationView,
  MenusService,
  MenusServiceDeps,
  UpdateMenuInput,
} from './menus.service.ts'
export { menusRoutes } from './menus.routes.ts'
export type { MenusRoutesOptions } from './menus.routes.ts'
export { readSiteMenus } from './menus.pages.ts'
export type { MenuNode, MenuTarget, SiteMenus } from './menus.model.ts'
