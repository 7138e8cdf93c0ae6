/**
 * Reading database failures without trusting their text. Two questions are answered here, for both
 * engines and whatever wraps the driver's error (the query builder puts it in `cause`):
 *
 * - Is the database unreachable or refusing work for now (`isConnectionFailure`)? Then the request gets a
 *   503 with Retry-After instead of a 500: a restart, a failover or a full connection table is an outage
 *   the client can wait out, not a bug.
 * - What can be logged about a failed statement (`sqlStateOf`, `statementLabel`)? The SQLSTATE and the
 *   statement's verb and table, never its bound parameters or the row values a driver error may carry.
 */
import { isNetworkErrorCode } from '../errors/index.ts'

interface ErrorLike {
  code?: unknown
  message?: unknown
  cause?: unknown
  errors?: unknown
  severity?: unknown
}

const MAX_DEPTH = 8

/** The error and everything it wraps (`cause` chains, AggregateError members), breadth first, bounded. */
function* chainOf(err: unknown): Generator<ErrorLike> {
  const queue: { value: unknown; depth: number }[] = [{ value: err, depth: 0 }]
  const seen = new Set<unknown>()
  while (queue.length > 0) {
    const { value, depth } = queue.shift() as { value: unknown; depth: number }
    if (value === null || typeof value !== 'object' || seen.has(value) || depth > MAX_DEPTH) continue
    seen.add(value)
    const e = value as ErrorLike
    yield e
    queue.push({ value: e.cause, depth: depth + 1 })
    if (Array.isArray(e.errors)) for (const inner of e.errors) queue.push({ value: inner, depth: depth + 1 })
  }
}

const SQLSTATE = /^[0-9A-Z]{5}$/

/** The SQLSTATE of a server error (pg and PGlite both carry `severity` beside it), or undefined. */
export function sqlStateOf(err: unknown): string | undefined {
  for (const e of chainOf(err)) {
    if (typeof e.code === 'string' && SQLSTATE.test(e.code) && typeof e.severity === 'string') return e.code
  }
  return undefined
}

/**
 * SQLSTATEs that mean "the server cannot take this work now": connection exceptions (class 08), too many
 * connections and other exhausted resources (53000, 53100, 53200, 53300; not 53400, a configured limit
 * a retry does not lift), operator intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03
 * cannot connect now, 57P04 database dropped, 57P05 idle session timeout).
 */
const UNAVAILABLE_STATES = new Set([
  '53000',
  '53100',
  '53200',
  '53300',
  '57P01',
  '57P02',
  '57P03',
  '57P04',
  '57P05',
])

/**
 * Messages of failures that carry no code: pg's own connection and pool errors, and PGlite's for an
 * instance that is closed or closing.
 */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^timeout expired$/,
  /^Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable/,
  /^Cannot use a pool after calling end on the pool/,
  /^PGlite is clos(ed|ing)/,
]

function isUnavailable(e: ErrorLike): boolean {
  const code = typeof e.code === 'string' ? e.code : ''
  if (code.startsWith('08') && SQLSTATE.test(code)) return true
  if (UNAVAILABLE_STATES.has(code) || isNetworkErrorCode(code)) return true
  const message = typeof e.message === 'string' ? e.message : ''
  // 55000 (object not in prerequisite state) means "unavailable" only when connecting to a database that
  // does not accept connections; elsewhere it is a programming error.
  if (code === '55000') return /accepting connections/i.test(message)
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))
}

/**
 * True when the failure, or anything it wraps, says the database is unreachable or refusing work for
 * now: connection refused, reset or timed out, the server shutting down or out of connections, a
 * terminated backend, a closed embedded engine.
 */
export function isConnectionFailure(err: unknown): boolean {
  for (const e of chainOf(err)) if (isUnavailable(e)) return true
  return false
}

const IDENT = String.raw`("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\s*\.\s*("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))?`
const TARGET = new RegExp(
  String.raw`\b(?:insert\s+into|update|delete\s+from|from|into)\s+(?:only\s+)?${IDENT}`,
  'i',
)

function unquote(identifier: string | undefined): string | undefined {
  if (!identifier) return undefined
  const bare = identifier.startsWith('"') ? identifier.slice(1, -1).replaceAll('""', '"') : identifier
  return /^[A-Za-z0-9_$]+$/.test(bare) ? bare : undefined
}

/**
 * A label for a statement that is safe to log: its verb and the first table it names (`INSERT users`,
 * `SELECT entries`, `BEGIN`…). Literals, comments and dollar-quoted bodies are removed before
 * looking, and only identifier-shaped words survive, so no value can appear in the label.
 */
export function statementLabel(sql: string): string {
  const text = sql
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/--[^\n]*/g, ' ')
    .replace(/\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
    .trim()
  const verb = (/^[A-Za-z]+/.exec(text)?.[0] ?? 'statement').toUpperCase()
  const match = TARGET.exec(text)
  const schemaOrTable = unquote(match?.[1])
  const table = match?.[2] ? unquote(match[2]) : schemaOrTable
  return table ? `${verb} ${table}` : verb
}
