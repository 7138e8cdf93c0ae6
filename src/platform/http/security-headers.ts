import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'
import helmet, { type HelmetOptions } from 'helmet'

/**
 * The security headers of every reply (Content-Security-Policy, X-Content-Type-Options, Referrer-Policy,
 * …), as helmet writes them for `options`. None of them depends on the request (no CSP nonces), so they
 * are computed once at start and copied onto each reply; running helmet's middleware per request rebuilt
 * the same strings every time (ADR 0015 measured it at a tenth of a `/health` request).
 */
export function securityHeadersOf(options: HelmetOptions): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {}
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()]
    },
  }
  let failure: unknown
  let done = false
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (err?: unknown) => {
    failure = err
    done = true
  })
  // helmet reports a bad option through `next(err)`, synchronously.
  if (failure !== undefined || !done)
    throw new TypeError(`security header options refused: ${String(failure)}`)
  return Object.freeze(headers)
}

/** Sets the headers of `securityHeadersOf(options)` on every reply, errors and 404s included. */
export function registerSecurityHeaders(server: FastifyInstance, options: HelmetOptions): void {
  const headers = securityHeadersOf(options)
  server.addHook('onRequest', async (_request, reply) => {
    reply.headers(headers)
  })
}

/**
 * The Content-Security-Policy of a file opened on its own that could carry script (an SVG, a PDF): it runs
 * nothing, loads nothing and is sandboxed, whatever it holds; inline styles still apply.
 */
export const SANDBOXED_FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
