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
    serializers: { err: serializeError },
    hooks: { logMethod: withSafeErrorMessage },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
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
