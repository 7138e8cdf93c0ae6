import type { FastifyInstance, FastifyRequest } from 'fastify'

/**
 * Plain HTML forms on public pages (an entry's password, the sign-in form): their bodies, read only by the
 * plugin that registers the parser (the API still speaks JSON alone), and the check that a form was
 * posted from this origin.
 */

/** Lets the routes of `app`'s plugin read `application/x-www-form-urlencoded` bodies of at most `maxBytes`. */
export function acceptFormBodies(app: FastifyInstance, maxBytes: number): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: maxBytes },
    (_request, body, done) => done(null, new URLSearchParams(body as string)),
  )
}

/** The posted form's fields; empty when the body was not a form. */
export function formOf(request: FastifyRequest): URLSearchParams {
  return request.body instanceof URLSearchParams ? request.body : new URLSearchParams()
}

/**
 * Whether a form post came from a page of this very origin, so another site's page cannot sign a reader in
 * or out. Browsers say so in `Sec-Fetch-Site` (which no page can set): it must be `same-origin`. Without
 * it (an older browser), the `Origin` header, else the `Referer`, must name the scheme, host and port the
 * request reached; `Origin: null`, which browsers also send under a `no-referrer` policy, proves nothing.
 * A post that says none of these is refused.
 */
export function postedFromOwnOrigin(request: FastifyRequest): boolean {
  const fetchSite = request.headers['sec-fetch-site']
  if (typeof fetchSite === 'string') return fetchSite === 'same-origin'
  const own = `${request.protocol}://${request.host}`.toLowerCase()
  const origin = request.headers.origin
  if (typeof origin === 'string' && origin !== 'null') return origin.toLowerCase() === own
  const referer = request.headers.referer
  if (typeof referer !== 'string') return false
  try {
    return new URL(referer).origin.toLowerCase() === own
  } catch {
    return false
  }
}
