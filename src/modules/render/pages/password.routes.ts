import type { FastifyInstance } from 'fastify'
import type { SiteRef } from '../../../platform/access/index.ts'
import { PUBLIC, acceptFormBodies, formOf, reservedAreaOf } from '../../../platform/http/index.ts'
import { entryPasswordGuards } from '../../content/index.ts'
import { failedPage } from './failed-page.ts'
import type { PagesService } from './pages.service.ts'

export interface PasswordRoutesOptions {
  service: PagesService
  mainSite: () => Promise<SiteRef | undefined>
  /** Attempts per client, and wrong ones per entry, in 15 minutes: the reading API's limits. */
  passwordLimits: { perClient: number; perEntry: number }
}

/** The longest password a form may send (the API's entry passwords are shorter). */
const MAX_FORM_BYTES = 4096

/**
 * The password form of protected entries: `POST <entry path>` with `password=…`, as a plain HTML form
 * sends it (no script needed). Only that form body is read here, and only on these routes: the API still
 * speaks JSON alone.
 */
export async function passwordRoutes(app: FastifyInstance, options: PasswordRoutesOptions): Promise<void> {
  const { service, mainSite } = options
  // The same counters as the reading API's X-Entry-Password: a guess is a guess, whatever the door.
  const guards = entryPasswordGuards(app, options.passwordLimits)
  acceptFormBodies(app, MAX_FORM_BYTES)

  app.post('/*', { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    if (reservedAreaOf(request.url) !== null) return reply.callNotFound()
    const site = request.hostSite ?? (await mainSite())
    if (!site) return reply.callNotFound()
    const password = formOf(request).get('password') ?? ''
    try {
      const result = await service.unlock(
        {
          site: { id: site.id, slug: site.slug, name: site.name },
          url: request.url,
          requestId: request.id,
          ip: request.ip,
          log: request.log,
        },
        password,
        (entry) => guards(request, reply, entry),
      )
      reply.header('cache-control', 'private, no-store')
      if (result.kind === 'redirect') {
        if (result.cookie)
          reply.setCookie(result.cookie.name, result.cookie.value, {
            path: result.cookie.path,
            maxAge: result.cookie.maxAgeSeconds,
            httpOnly: true,
            sameSite: 'lax',
            secure: result.cookie.secure,
          })
        return reply.code(result.status).header('location', result.location).send()
      }
      if (result.kind === 'document') return reply.code(404).send()
      if (result.retryAfter !== undefined) reply.header('retry-after', String(result.retryAfter))
      return reply.code(result.status).type('text/html; charset=utf-8').send(result.html)
    } catch (err) {
      return failedPage(request, reply, err)
    }
  })
}
