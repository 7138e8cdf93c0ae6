import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ErrorFactory } from '../../platform/errors/index.ts'
import type { Orm } from '../../platform/db/index.ts'
import { envelope, plainPage, reservedAreaOf } from '../../platform/http/index.ts'
import { HostsErrors } from './hosts.errors.ts'
import {
  createHostDirectory,
  isIpHost,
  normaliseRequestHost,
  type HostDirectory,
  type HostSite,
} from './hosts.service.ts'

/**
 * Host routing: every request learns which site it is for from its host name, before anyone is
 * identified. The root host (`COLOPHON_ROOT_DOMAIN`) is the network's own: the main site, the admin and
 * the network API. Requests by IP address, or without a `Host` header, count as the root host too, so
 * health checks, a first-run `curl http://127.0.0.1:3000/…` and the CLI work before any DNS exists.
 * Any other host must be a verified host name of a site that is not deleted; unknown hosts get the
 * network's own 404 (never another site's content). Behind a trusted proxy the forwarded host is used.
 */

declare module 'fastify' {
  interface FastifyRequest {
    /** The site whose host the request came in on; null on the root host. */
    hostSite: HostSite | null
  }
}

export interface HostRoutingOptions {
  orm: Orm
  rootDomain: string
  /** Defaults to a directory with a 30-second cache. */
  directory?: HostDirectory
}

/** Infrastructure endpoints answer on any host: load balancers probe nodes by whatever name they use. */
const ANY_HOST = new Set(['/health', '/ready', '/metrics'])

const PAGES = {
  notFound: {
    title: 'Not found',
    body: ['There is no site at this address.', 'Check the address, or contact whoever sent you here.'],
  },
  wrongHost: {
    title: 'Not found',
    body: ['There is nothing at this address on this site.'],
  },
  unavailable: {
    title: 'Temporarily unavailable',
    body: ['This site is temporarily unavailable. Please try again later.'],
  },
}

function refuse(
  request: FastifyRequest,
  reply: FastifyReply,
  def: ErrorFactory,
  page: { title: string; body: string[] },
  api: boolean,
): FastifyReply {
  reply.code(def.status).header('cache-control', 'no-store')
  if (def.status === 503) reply.header('retry-after', '60')
  if (api) return reply.send(envelope(request, def.code, def.message))
  return reply.type('text/html; charset=utf-8').send(plainPage(page))
}

/**
 * Registers the host routing hook (onRequest) and returns the host directory, whose `invalidate()` every
 * change to host names or site status must call. Register it after the setup gate and before the
 * authentication gate: refused hosts never reach credential checks.
 */
export function registerHostRouting(app: FastifyInstance, options: HostRoutingOptions): HostDirectory {
  const rootHost = normaliseRequestHost(options.rootDomain)
  const directory = options.directory ?? createHostDirectory({ orm: options.orm })

  app.decorateRequest('hostSite', null)
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/'
    if (ANY_HOST.has(path)) return
    const host = normaliseRequestHost(request.host)
    if (host === '' || host === rootHost || isIpHost(host)) return
    const routeUrl = request.routeOptions.url
    // The matched route is checked as well as the path, so an encoded path cannot slip past.
    const area = reservedAreaOf(request.url) ?? reservedAreaOf(routeUrl ?? '')
    const api = area === 'api'
    let site: HostSite | null
    try {
      site = await directory.resolve(host)
    } catch (err) {
      // Before installation the table does not exist yet; afterwards, the database is unreachable.
      request.log.warn({ err }, 'cannot resolve the request host')
      return refuse(request, reply, HostsErrors.hostUnavailable, PAGES.unavailable, api)
    }
    if (!site) return refuse(request, reply, HostsErrors.unknownHost, PAGES.notFound, api)
    if (area !== null) return refuse(request, reply, HostsErrors.wrongHost, PAGES.wrongHost, api)
    if (site.status === 'disabled') {
      return refuse(request, reply, HostsErrors.siteDisabled, PAGES.unavailable, false)
    }
    request.hostSite = site
  })
  return directory
}
