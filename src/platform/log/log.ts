import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { LogFn, Logger, LoggerOptions } from 'pino'
import { serializeError } from './error-serializer.ts'

/**
 * Logging: pino JSON lines on stdout, one per event, each request's lines tagged with its `requestId`.
 * Secrets never reach a log line: credentials in headers and bodies are redacted by path.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-setup-token"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.secret',
  '*.setupToken',
  '*.databaseUrl',
  '*.metricsToken',
  '*.smtpUrl',
  '*.redisUrl',
  '*.csrfToken',
  '*.challenge',
  '*.code',
  '*.recoveryCode',
  '*.recoveryCodes',
  '*.currentPassword',
  '*.newPassword',
]

/**
 * `log.error(err)` and `log.error({ err })` without a message make pino use `err.message` as the line's
 * message, outside the serializer: a query builder's message holds the statement and its parameters.
 * The serialized (value-free) message is used instead.
 */
function withSafeErrorMessage(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
  const [first, second] = args as unknown[]
  const err = first instanceof Error ? first : (first as { err?: unknown } | null)?.err
  if (err && typeof second !== 'string') {
    const fields = first instanceof Error ? { err: first } : (first as object)
    method.apply(this, [fields, serializeError(err).message])
    return
  }
  method.apply(this, args)
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { service: 'colophon' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Errors are logged field by field from a fixed list: never a statement's parameters or row values.
    serializers: { err: serializeError, req: serializeRequest },
    hooks: { logMethod: withSafeErrorMessage },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
  }
}

/**
 * Secrets that travel in a URL's path, replaced before a URL is logged: the token of a preview link
 * (`/_preview/<token>`, served by the render module) opens unpublished content to whoever holds it.
 */
const SECRET_IN_PATH = /(\/_preview\/)[^/?#]+/g

/** A URL as it may be logged. */
export function loggableUrl(url: string): string {
  return url.replace(SECRET_IN_PATH, '$1[redacted]')
}

interface LoggedRequest {
  method?: string
  url?: string
  host?: string
  ip?: string
  socket?: { remotePort?: number } | null
}

/** The request line of a log entry (Fastify's fields), its URL made loggable. */
function serializeRequest(req: LoggedRequest) {
  return {
    method: req.method,
    url: req.url === undefined ? undefined : loggableUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * Request ids: a caller (or a proxy) may pass `X-Request-Id` to correlate logs across systems; anything
 * that is not a short plain token is replaced, so log lines cannot be forged through it.
 */
export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id']
  const value = Array.isArray(incoming) ? incoming[0] : incoming
  return value && SAFE_REQUEST_ID.test(value) ? value : randomUUID()
}
