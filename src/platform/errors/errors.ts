/**
 * Coded errors. Every error a client can see is declared once with `defineError`, carries a stable
 * `COLOPHON_<MODULE>_<REASON>` code and an HTTP status, and is listed in docs/errors.md (a test keeps
 * the two in sync). The HTTP layer renders them as `{ error: { code, message, details?, requestId } }`.
 */

export interface ErrorDefinition {
  readonly code: string
  readonly status: number
  readonly message: string
}

export interface ErrorFactory extends ErrorDefinition {
  /** Builds a throwable error; `message` overrides the default sentence, `details` is shown to the client. */
  (options?: { message?: string; details?: unknown; cause?: unknown }): AppError
  /** True when `err` was made by this factory. */
  is(err: unknown): err is AppError
}

const CODE_PATTERN = /^COLOPHON_[A-Z0-9]+(_[A-Z0-9]+)+$/

const registry = new Map<string, ErrorDefinition>()

export class AppError extends Error {
  readonly code: string
  readonly status: number
  readonly details: unknown

  constructor(def: ErrorDefinition, options: { message?: string; details?: unknown; cause?: unknown } = {}) {
    super(options.message ?? def.message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AppError'
    this.code = def.code
    this.status = def.status
    this.details = options.details
  }
}

/**
 * Declares a coded error. Codes are global: declaring the same code twice with a different status or
 * message is a programming error and throws at import time.
 */
export function defineError(code: string, status: number, message: string): ErrorFactory {
  if (!CODE_PATTERN.test(code))
    throw new TypeError(`error code ${code} must look like COLOPHON_<MODULE>_<REASON>`)
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new TypeError(`error ${code} needs an HTTP status between 400 and 599`)
  }
  const existing = registry.get(code)
  if (existing && (existing.status !== status || existing.message !== message)) {
    throw new TypeError(`error code ${code} is declared twice with different meanings`)
  }
  const def: ErrorDefinition = Object.freeze({ code, status, message })
  registry.set(code, def)
  const factory = ((options?: { message?: string; details?: unknown; cause?: unknown }) =>
    new AppError(def, options)) as ErrorFactory
  Object.assign(factory, def, {
    is: (err: unknown): err is AppError => err instanceof AppError && err.code === code,
  })
  return factory
}

/** Every error declared so far, sorted by code (the docs sync test compares it with docs/errors.md). */
export function listErrors(): ErrorDefinition[] {
  return [...registry.values()].sort((a, b) => a.code.localeCompare(b.code))
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError
}
