export { LISTING_PAGE_SIZE, createPagesService, type PageResult, type PagesService } from './pages.service.ts'
export { findMainSite } from './pages.repo.ts'
export { pagesRoutes, type PagesRoutesOptions } from './pages.routes.ts'
export { passwordRoutes, type PasswordRoutesOptions } from './password.routes.ts'
