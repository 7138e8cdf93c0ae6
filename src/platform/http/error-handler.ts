import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DbErrors, isConnectionFailure } from '../db/index.ts'
import { isAppError, PlatformErrors, type ErrorFactory } from '../errors/index.ts'
import { plainPage } from './html.ts'
import { reservedAreaOf } from './reserved-paths.ts'
import { urlTextProblem } from './text.rules.ts'

/**
 * One place turns every failure into the envelope `{ error: { code, message, details?, requestId } }`.
 * Our coded errors keep their status; Fastify's own errors (validation, parsing, limits) are mapped to
 * platform codes; anything else is a 500 whose cause is logged but never shown.
 */

export interface ErrorEnvelope {
  error: { code: string; message: string; details?: unknown; requestId: string }
}

const FASTIFY_CODES: Record<string, ErrorFactory> = {
  FST_ERR_CTP_INVALID_JSON_BODY: PlatformErrors.malformedJson,
  FST_ERR_CTP_EMPTY_JSON_BODY: PlatformErrors.emptyJson,
  FST_ERR_CTP_BODY_TOO_LARGE: PlatformErrors.bodyTooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: PlatformErrors.unsupportedMediaType,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: PlatformErrors.badRequest,
  FST_ERR_NOT_FOUND: PlatformErrors.notFound,
}

interface ValidationIssue {
  instancePath?: string
  message?: string
  keyword?: string
  params?: Record<string, unknown>
}

function validationDetails(err: FastifyError): {
  location: string
  issues: { path: string; message: string }[]
} {
  const issues = ((err.validation ?? []) as ValidationIssue[]).map((issue) => {
    const missing = issue.keyword === 'required' ? String(issue.params?.missingProperty ?? '') : ''
    const base = issue.instancePath ?? ''
    return {
      path: missing ? `${base}/${missing}` : base || '/',
      message: issue.message ?? 'is invalid',
    }
  })
  return { location: err.validationContext ?? 'body', issues }
}

export function envelope(
  request: FastifyRequest,
  code: string,
  message: string,
  details?: unknown,
): ErrorEnvelope {
  return envelopeWithId(String(request.id), code, message, details)
}

/** The envelope where no Fastify request exists (a request the HTTP parser refused). */
export function envelopeWithId(
  requestId: string,
  code: string,
  message: string,
  details?: unknown,
): ErrorEnvelope {
  return { error: { code, message, ...(details === undefined ? {} : { details }), requestId } }
}

function send(reply: FastifyReply, status: number, body: ErrorEnvelope): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(body)
}

/** PostgreSQL's undefined_table, raised directly or wrapped by the query builder. */
function isUndefinedTable(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 3; depth++) {
    if (e.code === '42P01') return true
    e = e.cause as typeof e
  }
  return false
}

/**
 * A database outage, whoever raised it: our own COLOPHON_DB_UNAVAILABLE, or a connection-class failure
 * (possibly wrapped) that is not already a coded client error nor another service's own coded outage (a
 * 503 such as COLOPHON_STORAGE_UNAVAILABLE keeps its code, though its cause is a refused connection too).
 */
function isOutage(err: unknown): boolean {
  if (DbErrors.unavailable.is(err)) return true
  return (!isAppError(err) || (err.status >= 500 && err.status !== 503)) && isConnectionFailure(err)
}

/** Seconds a client is asked to wait when the database is unreachable: a pool reconnects quickly. */
const DB_RETRY_AFTER_SECONDS = 5

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isOutage(err)) {
      // An outage the client can wait out (restart, failover, full connection table), not a bug.
      request.log.warn({ err }, 'database unavailable')
      const def = DbErrors.unavailable
      reply.header('retry-after', String(DB_RETRY_AFTER_SECONDS))
      return send(reply, def.status, envelope(request, def.code, def.message))
    }
    if (isAppError(err)) {
      if (err.status >= 500) request.log.error({ err }, err.message)
      return send(reply, err.status, envelope(request, err.code, err.message, err.details))
    }
    if (err.validation) {
      const def = PlatformErrors.validation
      return send(reply, def.status, envelope(request, def.code, def.message, validationDetails(err)))
    }
    const mapped = err.code ? FASTIFY_CODES[err.code] : undefined
    if (mapped) return send(reply, mapped.status, envelope(request, mapped.code, mapped.message))
    const status = err.statusCode ?? 500
    if (status === 429) {
      const def = PlatformErrors.rateLimited
      return send(
        reply,
        429,
        envelope(request, def.code, def.message, {
          retryAfterSeconds: Number(reply.getHeader('retry-after')) || undefined,
        }),
      )
    }
    if (isUndefinedTable(err)) {
      // A table this version needs does not exist yet: an update is pending (e.g. signing in right after
      // upgrading from a version without the identity tables). Say so instead of failing obscurely.
      request.log.warn({ err }, 'query on a table that does not exist: schema behind')
      const def = DbErrors.schemaBehind
      return send(reply, def.status, envelope(request, def.code, def.message))
    }
    if (status >= 400 && status < 500) {
      // A client error from a library (e.g. a malformed header): keep its status, not its wording.
      const def = status === 413 ? PlatformErrors.bodyTooLarge : PlatformErrors.badRequest
      return send(reply, status, envelope(request, def.code, def.message))
    }
    request.log.error({ err }, 'unhandled error')
    const def = PlatformErrors.internal
    return send(reply, 500, envelope(request, def.code, def.message))
  })

  app.setNotFoundHandler((request, reply) => {
    const def = PlatformErrors.notFound
    return send(
      reply,
      404,
      envelope(request, def.code, def.message, { method: request.method, path: request.url.split('?')[0] }),
    )
  })
}

/**
 * Errors Fastify raises before routing (an undecodable URL such as `/%ff`) bypass the error handler;
 * this renders them in the same envelope. A path whose escapes decode to bytes that are not UTF-8 (or
 * to NUL) gets the same code as invalid text anywhere else in a request. Outside the API and the admin
 * the path was meant for a site's page: a reader gets a plain HTML page saying so, as the host routing
 * answers them before any site is known.
 */
export function frameworkErrorHandler(
  _err: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const url = request.raw.url ?? request.url
  if (reservedAreaOf(url) === null) {
    void reply
      .code(400)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(
        plainPage({
          title: 'Bad request',
          body: [
            'This address cannot be read, so no page can be shown for it. Please check it and try again.',
          ],
        }),
      )
    return
  }
  const problem = urlTextProblem(url)
  if (problem) {
    const def = PlatformErrors.invalidText
    void send(reply, def.status, envelope(request, def.code, def.message, { location: problem }))
    return
  }
  const def = PlatformErrors.badRequest
  void send(reply, def.status, envelope(request, def.code, def.message))
}
