import { sqlStateOf, statementLabel } from '../db/index.ts'
import { isAppError } from '../errors/index.ts'

/**
 * The one way an error becomes a log field. A driver or query-builder error carries far more than its
 * message: the statement with every bound parameter (a password hash, a token hash, an email), the
 * failing row (`detail`), the PL/pgSQL context (`where`). Copying an error's properties, as pino's
 * standard serializer does, writes all of that to the log. This serializer copies a fixed list of fields
 * known to hold no values, replaces a failed statement by its SQLSTATE and a label (`INSERT users`), and
 * masks quoted values in database messages. It is pino's `err` serializer on the app logger, so every
 * `log.error({ err })` goes through it; `describeError` gives the same in one line for job rows.
 */

export interface SerializedError {
  type: string
  message: string
  stack?: string
  code?: string
  status?: number
  details?: unknown
  sqlState?: string
  statement?: string
  severity?: string
  schema?: string
  table?: string
  column?: string
  constraint?: string
  dataType?: string
  routine?: string
  errno?: number
  syscall?: string
  address?: string
  port?: number
  cause?: SerializedError
  errors?: SerializedError[]
}

type Loose = Record<string, unknown>

const MAX_DEPTH = 4
const MAX_MEMBERS = 5
/** Server-error fields that name objects (identifiers), never data. */
const IDENTIFIER_FIELDS = ['schema', 'table', 'column', 'constraint', 'dataType'] as const
const SYSTEM_FIELDS = ['syscall', 'address'] as const

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function isServerError(e: Loose): boolean {
  return typeof e.severity === 'string' && typeof e.code === 'string'
}

/** Database messages quote both identifiers and values; only the error's own identifiers stay visible. */
function maskedServerMessage(e: Loose): string {
  const identifiers = new Set(IDENTIFIER_FIELDS.map((f) => text(e[f])).filter(Boolean))
  return String(e.message ?? '').replace(/"((?:[^"]|"")*)"/g, (whole, inner: string) =>
    identifiers.has(inner) ? whole : '"…"',
  )
}

function safeMessage(e: Loose, statement: string | undefined): string {
  const message = String(e.message ?? '')
  // The query builder's message is "Failed query: <sql>\nparams: <values>".
  if (statement !== undefined || message.startsWith('Failed query:'))
    return `failed statement: ${statement ?? 'unknown'}`
  if (isServerError(e)) return maskedServerMessage(e)
  return message
}

/** Only the frames: the first line of a stack repeats the (unsafe) message. */
function framesOf(stack: unknown): string | undefined {
  if (typeof stack !== 'string') return undefined
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line))
  return frames.length > 0 ? frames.join('\n') : undefined
}

function serialize(err: unknown, depth: number): SerializedError {
  if (err === null || typeof err !== 'object') return { type: typeof err, message: String(err) }
  const e = err as Loose
  const statement = typeof e.query === 'string' ? statementLabel(e.query) : undefined
  // The class name first: pg names its server errors `error`, the name of the protocol message.
  const ctor = text((e.constructor as { name?: unknown } | undefined)?.name)
  const type = ctor && ctor !== 'Error' && ctor !== 'Object' ? ctor : (text(e.name) ?? 'Error')
  const message = safeMessage(e, statement)
  const out: SerializedError = { type, message }
  const frames = framesOf(e.stack)
  if (frames) out.stack = `${type}: ${message}\n${frames}`
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = String(e.code)
  if (isAppError(err)) {
    out.status = err.status
    // Details of a coded error are written for the client: they hold nothing the log must not.
    if (err.details !== undefined) out.details = err.details
  }
  if (statement) out.statement = statement
  const sqlState = sqlStateOf(err)
  if (sqlState) out.sqlState = sqlState
  if (isServerError(e)) {
    out.severity = String(e.severity)
    for (const field of IDENTIFIER_FIELDS) if (text(e[field])) out[field] = text(e[field])
    if (text(e.routine)) out.routine = text(e.routine)
  }
  if (typeof e.errno === 'number') out.errno = e.errno
  for (const field of SYSTEM_FIELDS) if (text(e[field])) out[field] = text(e[field])
  if (typeof e.port === 'number') out.port = e.port
  if (depth < MAX_DEPTH) {
    if (e.cause !== undefined) out.cause = serialize(e.cause, depth + 1)
    if (Array.isArray(e.errors) && e.errors.length > 0)
      out.errors = e.errors.slice(0, MAX_MEMBERS).map((inner) => serialize(inner, depth + 1))
  }
  return out
}

/** pino's `err` serializer: a fixed, value-free subset of the error and of what it wraps. */
export function serializeError(err: unknown): SerializedError {
  return serialize(err, 0)
}

/** The same in one line, e.g. for the `error` column of a job run: type, message, and SQLSTATE if any. */
export function describeError(err: unknown): string {
  if (isAppError(err)) return `${err.code}: ${err.message}`
  const s = serializeError(err)
  const sqlState = sqlStateOf(err)
  // A failed statement's own message is the label; the server's reason is in the wrapped error.
  const reason = s.statement && s.cause ? `: ${s.cause.message}` : ''
  return `${s.type}: ${s.message}${reason}${sqlState ? ` (SQLSTATE ${sqlState})` : ''}`
}
