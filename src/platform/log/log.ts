import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { LoggerOptions } from 'pino'

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
  '*.csrfToken',
  '*.challenge',
  '*.code',
  '*.recoveryCode',
  '*.recoveryCodes',
  '*.currentPassword',
  '*.newPassword',
]

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { service: 'colophon' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
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
