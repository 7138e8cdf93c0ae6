/** The themes API: installed themes, each site's theme and settings, render errors. See ../README.md. */
export { ThemesErrors } from './theme-admin.errors.ts'
export { RENDER_ERRORS_KEPT, readInstalledThemeFiles } from './theme-admin.repo.ts'
export {
  createRenderErrorRecorder,
  type RecordRenderError,
  type RenderErrorInput,
  type RenderErrorRecorderDeps,
} from './render-errors.ts'
export { createThemesService, type ThemesService, type ThemesServiceDeps } from './themes.service.ts'
export {
  createSiteThemeService,
  type SiteThemeService,
  type SiteThemeServiceDeps,
  type UpdateSiteThemeInput,
} from './site-theme.service.ts'
export { themeAdminRoutes, type ThemeAdminRoutesOptions } from './theme-admin.routes.ts'
