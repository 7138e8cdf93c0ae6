/** Account pages: what the links in password-reset, invitation and email-change mails open. */
export { accountRoutes } from './account.routes.ts'
export { ACCOUNT_PAGES } from './account.pages.ts'
