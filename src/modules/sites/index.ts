/**
 * Sites: the sites of the network. This first cut creates the main site during installation; the sites
 * API, domains and tenancy come with the multi-site module.
 */
export { SitesErrors } from './sites.errors.ts'
export { createMainSite, slugFromName } from './sites.service.ts'
export type { SiteSummary } from './sites.service.ts'
