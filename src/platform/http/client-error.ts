import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyBaseLogger } from 'fastify'
import { PlatformErrors, type ErrorFactory } from '../errors/index.ts'
import { envelopeWithId } from './error-handler.ts'

/**
 * Requests Node's HTTP parser cannot read (a header section over the size limit, a malformed header
 * line, a request that never finished arriving) never become Fastify requests, so neither hooks nor the
 * error handler see them. Fastify's `clientErrorHandler` answers them here, in the same envelope as
 * every other error: a raw HTTP/1.1 response, with a fresh request id (the request's own could not be
 * read), and the connection closed since the parser cannot resynchronise on it.
 */

function definitionFor(code: string | undefined): ErrorFactory {
  if (code === 'HPE_HEADER_OVERFLOW') return PlatformErrors.headersTooLarge
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return PlatformErrors.requestTimeout
  return PlatformErrors.badRequest
}

/** The raw response for an unreadable request (exported for its test). */
export function clientErrorResponse(code: string | undefined, requestId: string): string {
  const def = definitionFor(code)
  const body = JSON.stringify(envelopeWithId(requestId, def.code, def.message))
  return [
    `HTTP/1.1 ${def.status} ${STATUS_CODES[def.status] ?? 'Error'}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${requestId}`,
    'cache-control: no-store',
    'connection: close',
    '',
    body,
  ].join('\r\n')
}

/** Fastify's `clientErrorHandler` (called with the instance as `this`). */
export function clientErrorHandler(
  this: { log: FastifyBaseLogger },
  err: NodeJS.ErrnoException,
  socket: Socket,
): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const requestId = randomUUID()
  this.log.debug({ err, requestId }, 'unreadable request')
  // Like Node's own handler: answer only if no response to an earlier request on this socket has begun.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage
  if (socket.writable && !inFlight?.headersSent) socket.end(clientErrorResponse(err.code, requestId))
  socket.destroySoon()
}
