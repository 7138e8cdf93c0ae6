/** Sites: the sites of the network, their settings and lifecycle. See README.md. */
export { SitesErrors } from './sites.errors.ts'
export {
  RESERVED_SLUGS,
  createMainSite,
  createSitesService,
  purgeDeletedSites,
  slugFromName,
} from './sites.service.ts'
export type { SiteSummary, SiteView, SitesService, SitesServiceDeps } from './sites.service.ts'
export { readSiteSettings, robotsTxtIssue } from './settings.rules.ts'
export type { RobotsTxtIssue } from './settings.rules.ts'
export type { MediaCategory, MediaSettings, SiteSettings } from './sites.schema.ts'
export { MEDIA_CATEGORIES } from './sites.schema.ts'
export { fillTitleTemplate, readSeoSettings, seoSettingsIssue } from './seo-settings.rules.ts'
export type { SeoSettingsIssue } from './seo-settings.rules.ts'
export { DEFAULT_SEO_SETTINGS, TITLE_TEMPLATE_TOKENS } from './seo-settings.schema.ts'
export type { SeoSettings, TitleTemplateToken } from './seo-settings.schema.ts'
export { sitesRoutes } from './sites.routes.ts'
export type { SitesRoutesOptions } from './sites.routes.ts'
// --- how a request gets its site: `{site}` in the path, or the host name ---
export { createRequestSiteResolver } from './request-site.ts'
export type { RequestSiteResolver, RequestSiteResolverOptions } from './request-site.ts'
export { findSiteWithMembership } from './request-site.repo.ts'
export type { MemberRole, SiteWithMembership } from './request-site.repo.ts'
// --- host routing and site domains ---
export { HostsErrors } from './hosts.errors.ts'
export { registerHostRouting } from './hosts.hook.ts'
export type { HostRoutingOptions } from './hosts.hook.ts'
export { createHostDirectory, isIpHost, normaliseRequestHost, parseHostName } from './hosts.service.ts'
export type { HostDirectory, HostDirectoryOptions, HostSite, HostSiteStatus } from './hosts.service.ts'
export { domainsRoutes } from './domains.routes.ts'
export type { DomainsRoutesOptions } from './domains.routes.ts'
export { createDomainsService, verificationRecordOf } from './domains.service.ts'
export type { DomainView, DomainsService, DomainsServiceDeps, ResolveTxt } from './domains.service.ts'
// --- end host routing and site domains ---
// --- quotas ---
export { QuotasErrors } from './quotas.errors.ts'
export { createQuotasService } from './quotas.service.ts'
export type { QuotaDefaults, QuotasService } from './quotas.service.ts'
export { quotasRoutes } from './quotas.routes.ts'
export type { QuotasRoutesOptions } from './quotas.routes.ts'
// --- end quotas ---
// --- indexing (network admins discourage search engines from a site) ---
export { createIndexingService } from './indexing.service.ts'
export type { IndexingService } from './indexing.service.ts'
export { indexingRoutes } from './indexing.routes.ts'
export type { IndexingRoutesOptions } from './indexing.routes.ts'
// --- end indexing ---
