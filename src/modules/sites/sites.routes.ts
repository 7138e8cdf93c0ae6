import type { FastifyInstance } from 'fastify'
import { needs, signedIn } from '../../platform/http/index.ts'
import {
  CreateSiteBody,
  DeleteSiteBody,
  DeleteSiteQuery,
  ListSitesQuery,
  PatchSettingsBody,
  SettingsView,
  SitePage,
  SiteParams,
  SiteView,
  TransferBody,
  type CreateSiteInput,
  type DeleteSiteInput,
  type ListSitesInput,
  type PatchSettingsInput,
  type TransferInput,
} from './sites.schema.ts'
import type { SitesService } from './sites.service.ts'

export interface SitesRoutesOptions {
  service: SitesService
}

type SiteRequest = { Params: { site: string } }

const LIFECYCLE: {
  step: 'disable' | 'enable' | 'archive' | 'unarchive'
  summary: string
  description: string
  run: (service: SitesService) => SitesService['disableSite']
}[] = [
  {
    step: 'disable',
    summary: 'Disable a site',
    description:
      'Takes the site offline: readers get 503, members keep access to the API. Refused for the main site (409).',
    run: (s) => s.disableSite,
  },
  {
    step: 'enable',
    summary: 'Enable a site',
    description: 'Brings a disabled site back online. An archived site is unarchived instead (409 here).',
    run: (s) => s.enableSite,
  },
  {
    step: 'archive',
    summary: 'Archive a site',
    description:
      'Makes the site read-only: every write under it answers 409 COLOPHON_SITES_ARCHIVED until it is unarchived. Refused for the main site (409).',
    run: (s) => s.archiveSite,
  },
  {
    step: 'unarchive',
    summary: 'Unarchive a site',
    description: 'Makes an archived site active and writable again.',
    run: (s) => s.unarchiveSite,
  },
]

async function networkRoutes(app: FastifyInstance, { service }: SitesRoutesOptions): Promise<void> {
  app.get<{ Querystring: ListSitesInput }>(
    '/api/v1/sites',
    {
      config: { access: signedIn() },
      schema: {
        tags: ['sites'],
        summary: 'List sites',
        description:
          'Every site for callers holding `network.sites.read`; otherwise the sites the caller is a member of, with their role. Deleted sites appear only with `status=deleted`, to those who see every site. Filter by `status` and `q` (name or slug); paged with `cursor`.',
        querystring: ListSitesQuery,
        response: { 200: SitePage },
      },
    },
    async (request) => service.listSites(request.ctx, request.query),
  )

  app.post<{ Body: CreateSiteInput }>(
    '/api/v1/sites',
    {
      config: { access: needs('network.sites.create') },
      schema: {
        tags: ['sites'],
        summary: 'Create a site',
        description:
          'Creates a site answering on `<slug>.<root domain>`; the caller becomes its owner and an administrator. Reserved slugs are refused (400), as are taken slugs and hosts (409) and unknown time zones (400).',
        body: CreateSiteBody,
        response: { 201: SiteView },
      },
    },
    async (request, reply) => reply.code(201).send(await service.createSite(request.ctx, request.body)),
  )
}

async function siteRoutes(app: FastifyInstance, { service }: SitesRoutesOptions): Promise<void> {
  app.get<SiteRequest>(
    '/api/v1/sites/:site',
    {
      config: { access: needs('site.settings.read') },
      schema: {
        tags: ['sites'],
        summary: 'Read a site',
        description: 'The site with its status, owner and primary host. Deleted sites answer 404.',
        params: SiteParams,
        response: { 200: SiteView },
      },
    },
    async (request) => service.getSite(request.ctx),
  )

  app.get<SiteRequest>(
    '/api/v1/sites/:site/settings',
    {
      config: { access: needs('site.settings.read') },
      schema: {
        tags: ['sites'],
        summary: 'Read the site settings',
        description: 'Name, tagline, locale, time zone and the site preferences.',
        params: SiteParams,
        response: { 200: SettingsView },
      },
    },
    async (request) => service.getSettings(request.ctx),
  )

  app.patch<SiteRequest & { Body: PatchSettingsInput }>(
    '/api/v1/sites/:site/settings',
    {
      config: { access: needs('site.settings.manage') },
      schema: {
        tags: ['sites'],
        summary: 'Change the site settings',
        description:
          'Changes the fields sent and keeps the others; `settings` is merged key by key. Unknown time zones and malformed locales are refused (400).',
        params: SiteParams,
        body: PatchSettingsBody,
        response: { 200: SettingsView },
      },
    },
    async (request) => service.updateSettings(request.ctx, request.body),
  )

  for (const { step, summary, description, run } of LIFECYCLE) {
    app.post<SiteRequest>(
      `/api/v1/sites/:site/${step}`,
      {
        config: { access: needs('network.sites.manage', { allowArchived: true }) },
        schema: { tags: ['sites'], summary, description, params: SiteParams, response: { 200: SiteView } },
      },
      async (request) => run(service)(request.ctx),
    )
  }

  app.post<SiteRequest & { Body: TransferInput }>(
    '/api/v1/sites/:site/transfer',
    {
      config: { access: needs('network.sites.manage', { allowArchived: true }) },
      schema: {
        tags: ['sites'],
        summary: 'Transfer ownership',
        description:
          'Makes another member the owner (409 COLOPHON_SITES_OWNER_NOT_MEMBER when they are not a member). The previous owner stays a member with their role.',
        params: SiteParams,
        body: TransferBody,
        response: { 200: SiteView },
      },
    },
    async (request) => service.transferSite(request.ctx, request.body.userId),
  )

  app.delete<SiteRequest & { Body: DeleteSiteInput; Querystring: DeleteSiteInput }>(
    '/api/v1/sites/:site',
    {
      config: { access: needs('network.sites.delete', { allowArchived: true }) },
      // The body is optional (`confirm` may come in the query); an absent body validates as an empty one.
      preValidation: async (request) => {
        request.body ??= {}
      },
      schema: {
        tags: ['sites'],
        summary: 'Delete a site',
        description:
          'Soft-deletes the site: it answers 404 at once and is purged for good after 30 days. `confirm` (in the body or the query) must be the exact slug (400 otherwise). The main site cannot be deleted (409).',
        params: SiteParams,
        querystring: DeleteSiteQuery,
        body: DeleteSiteBody,
        response: { 200: SiteView },
      },
    },
    async (request) => service.deleteSite(request.ctx, request.body.confirm ?? request.query.confirm),
  )
}

/** The network's sites API and each site's settings and lifecycle. */
export async function sitesRoutes(app: FastifyInstance, options: SitesRoutesOptions): Promise<void> {
  await networkRoutes(app, options)
  await siteRoutes(app, options)
}
