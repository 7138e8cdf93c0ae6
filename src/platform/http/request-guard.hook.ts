import type { FastifyInstance, FastifyRequest } from 'fastify'
import { PlatformErrors } from '../errors/index.ts'
import { reservedAreaOf } from './reserved-paths.ts'
import { decodeUtf8, invalidStringIn, urlTextProblem } from './text.rules.ts'

/**
 * Checks every request gets before anything reads it (host routing, credentials, the setup gate, route
 * validation), so that no module has to remember them:
 *
 * - exactly one `Host` header (RFC 9112 §3.2: a request with several is answered 400);
 * - valid text in the request target of the API and the admin: the path and the query string, once
 *   percent-decoded, must be UTF-8 without NUL (`/sites/%00/entries`, `?search=%ff` are refused, not
 *   passed on to PostgreSQL). Every other path is a site's page, whose resolver reads the URL as strictly
 *   itself and answers a bad one with the theme's 400 page (readers get HTML, not JSON);
 * - JSON bodies: decoded as strict UTF-8 (never with replacement characters), parsed by Fastify's own
 *   parser (which refuses `__proto__` and `constructor` tricks), then every string, keys included, is
 *   checked for NUL and unpaired surrogates (`"\u0000"`, `"\ud800"`).
 *
 * The body check is a content-type parser rather than an Ajv keyword so that it holds for every route,
 * whatever its schema says (`Type.Any()`, `additionalProperties`, no body schema at all), and before
 * validation reports on the shape. The API speaks JSON only: the plain-text parser Fastify adds by
 * default is removed, so `text/plain` bodies get 415 like any other unsupported type.
 */
export function registerRequestGuards(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (hostHeaderCount(request) > 1) throw PlatformErrors.duplicateHost()
    const url = request.raw.url ?? request.url
    const problem = reservedAreaOf(url) === null ? null : urlTextProblem(url)
    if (problem) throw PlatformErrors.invalidText({ details: { location: problem } })
  })

  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser(['application/json', 'text/plain'])
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    if (!isUtf8Charset(request.headers['content-type'])) {
      done(PlatformErrors.unsupportedMediaType())
      return
    }
    const text = decodeUtf8(body as Buffer)
    if (text === null) {
      done(PlatformErrors.invalidText({ details: { location: 'body' } }))
      return
    }
    parseJson(request, text, (err, value) => {
      if (err) return done(err)
      const at = invalidStringIn(value)
      if (at !== null) return done(PlatformErrors.invalidText({ details: { location: 'body', path: at } }))
      done(null, value)
    })
  })
}

function hostHeaderCount(request: FastifyRequest): number {
  const raw = request.raw.rawHeaders
  let count = 0
  for (let i = 0; i < raw.length; i += 2) if (raw[i]?.toLowerCase() === 'host') count++
  return count
}

/** JSON is UTF-8 (RFC 8259); a body declared in another charset is refused rather than misread. */
function isUtf8Charset(contentType: string | undefined): boolean {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]
  return charset === undefined || /^utf-?8$/i.test(charset)
}
