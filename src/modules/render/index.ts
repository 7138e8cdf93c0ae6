/** Render: public sites through their themes. See README.md. */
export { RenderErrors } from './render.errors.ts'
export { createPagesService, findMainSite, pagesRoutes, passwordRoutes } from './pages/index.ts'
export type { PagesService, PagesRoutesOptions } from './pages/index.ts'
export { DEFAULT_THEME_ID, createThemeRegistry, type ThemeRegistry } from './themes/index.ts'
export {
  ThemesErrors,
  createRenderErrorRecorder,
  createSiteThemeService,
  createThemesService,
  readInstalledThemeFiles,
  themeAdminRoutes,
} from './theme-admin/index.ts'
export type { RecordRenderError, RenderErrorInput } from './theme-admin/index.ts'
