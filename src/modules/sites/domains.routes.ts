import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { needs } from '../../platform/http/index.ts'
import {
  AddDomainBody,
  DomainPage,
  DomainParams,
  DomainView,
  ListDomainsQuery,
  SiteParams,
  type AddDomainInput,
  type ListDomainsInput,
} from './domains.schema.ts'
import type { DomainsService } from './domains.service.ts'

export interface DomainsRoutesOptions {
  service: DomainsService
}

type DomainRoute = { Params: { site: string; id: string } }

export async function domainsRoutes(app: FastifyInstance, { service }: DomainsRoutesOptions): Promise<void> {
  app.get<{ Params: { site: string }; Querystring: ListDomainsInput }>(
    '/api/v1/sites/:site/domains',
    {
      config: { access: needs('site.settings.read') },
      schema: {
        tags: ['sites'],
        summary: 'List a site’s host names',
        description:
          'The host names the site answers on, newest first: subdomains of the root domain and custom domains, with the primary flag and, for unverified custom domains, the DNS record to publish. Page with `cursor`.',
        params: SiteParams,
        querystring: ListDomainsQuery,
        response: { 200: DomainPage },
      },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.post<{ Params: { site: string }; Body: AddDomainInput }>(
    '/api/v1/sites/:site/domains',
    {
      config: { access: needs('network.sites.manage') },
      schema: {
        tags: ['sites'],
        summary: 'Add a host name to a site',
        description:
          'Adds `host` (normalised: lower case, no port, no trailing dot). A `subdomain` must be `<label>.<root domain>` and serves at once; a `custom` domain starts `pending` and serves once verified (publish the returned TXT record, then call `…/verify`). The root domain, names deeper under it and reserved labels are refused; a name another site uses gives 409 COLOPHON_SITES_HOST_TAKEN. The first host name that serves becomes primary.',
        params: SiteParams,
        body: AddDomainBody,
        response: { 201: DomainView },
      },
    },
    async (request, reply) => reply.code(201).send(await service.add(request.ctx, request.body)),
  )

  app.post<DomainRoute>(
    '/api/v1/sites/:site/domains/:id/verify',
    {
      config: { access: needs('network.sites.manage') },
      schema: {
        tags: ['sites'],
        summary: 'Verify a custom domain',
        description:
          'Looks up the TXT records at `_colophon.<host>` and expects `colophon-verify=<token>`. When found, the host name is verified and the site answers on it right away (other nodes within 30 seconds); otherwise it is marked `failed` and the reply is 409 COLOPHON_SITES_DOMAIN_UNVERIFIED (publish the record and retry; DNS changes can take a while to appear). Verifying a verified name changes nothing.',
        params: DomainParams,
        response: { 200: DomainView },
      },
    },
    async (request) => service.verify(request.ctx, request.params.id),
  )

  app.post<DomainRoute>(
    '/api/v1/sites/:site/domains/:id/primary',
    {
      config: { access: needs('network.sites.manage') },
      schema: {
        tags: ['sites'],
        summary: 'Make a host name primary',
        description:
          'Makes this verified host name the one links and redirects use; the previous primary stays as a secondary host name. An unverified name gives 409 COLOPHON_SITES_DOMAIN_UNVERIFIED.',
        params: DomainParams,
        response: { 200: DomainView },
      },
    },
    async (request) => service.makePrimary(request.ctx, request.params.id),
  )

  app.delete<DomainRoute>(
    '/api/v1/sites/:site/domains/:id',
    {
      config: { access: needs('network.sites.manage') },
      schema: {
        tags: ['sites'],
        summary: 'Remove a host name from a site',
        description:
          'The site stops answering on this host name at once on this node, within 30 seconds on the others. The primary host name can only be removed last: while the site has other host names, make one of them primary first (409 COLOPHON_SITES_PRIMARY_REQUIRED).',
        params: DomainParams,
        response: { 204: Type.Null({ description: 'Removed.' }) },
      },
    },
    async (request, reply) => {
      await service.remove(request.ctx, request.params.id)
      return reply.code(204).send()
    },
  )
}
