/** Render: public sites through their themes. See README.md. */
export { RenderErrors } from './render.errors.ts'
export { createPagesService, findMainSite, pagesRoutes } from './pages/index.ts'
export type { PagesService, PagesRoutesOptions } from './pages/index.ts'
export { createThemeRegistry, type ThemeRegistry } from './themes/index.ts'
