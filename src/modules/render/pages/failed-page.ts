import type { FastifyReply, FastifyRequest } from 'fastify'
import { isAppError } from '../../../platform/errors/index.ts'
import { plainPage } from '../../../platform/http/index.ts'

/**
 * A page that could not be made: readers get a plain page with the request id and never an error's
 * detail (no stack, no template name); the cause goes to the log.
 */
export function failedPage(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const status = isAppError(err) && err.status < 500 ? err.status : 500
  request.log.error({ err, details: isAppError(err) ? err.details : undefined }, 'a public page failed')
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(
      plainPage({
        title: 'This page cannot be shown',
        body: [
          'Something went wrong while preparing this page. Please try again in a moment.',
          `If it keeps happening, quote this reference to the site's owners: ${request.id}`,
        ],
      }),
    )
}
