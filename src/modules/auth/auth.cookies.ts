import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * The session travels in an HttpOnly cookie the page's scripts cannot read. The CSRF token travels in a
 * readable cookie and must come back in the `X-CSRF-Token` header of every state-changing request: a
 * cross-site form can make the browser send the cookies, but cannot read the token to set the header.
 * The server keeps only hashes of both.
 */
export const SESSION_COOKIE = 'colophon_session'
export const CSRF_COOKIE = 'colophon_csrf'
export const CSRF_HEADER = 'x-csrf-token'

function base(request: FastifyRequest) {
  // Secure whenever the client reached us over HTTPS (directly, or through a trusted proxy).
  return { path: '/', sameSite: 'lax' as const, secure: request.protocol === 'https' }
}

export function setSessionCookies(
  reply: FastifyReply,
  request: FastifyRequest,
  tokens: { session: string; csrf: string; expiresAt: Date },
): void {
  reply.setCookie(SESSION_COOKIE, tokens.session, {
    ...base(request),
    httpOnly: true,
    expires: tokens.expiresAt,
  })
  reply.setCookie(CSRF_COOKIE, tokens.csrf, { ...base(request), httpOnly: false, expires: tokens.expiresAt })
}

export function clearSessionCookies(reply: FastifyReply, request: FastifyRequest): void {
  reply.clearCookie(SESSION_COOKIE, { ...base(request), httpOnly: true })
  reply.clearCookie(CSRF_COOKIE, { ...base(request), httpOnly: false })
}
