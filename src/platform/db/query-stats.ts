import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * Per-request (or per-job) database statistics. The engines report every statement here; the HTTP layer
 * turns the totals into `Server-Timing: db;desc="N queries";dur=…`, and tests assert query budgets on it.
 *
 * Counted: every statement the application sends. Not counted as queries (reported as `transactions`):
 * BEGIN/COMMIT/ROLLBACK/SAVEPOINT and the one statement that binds the role and tenant of a transaction,
 * because they are the fixed cost of a transaction, not work a feature chose to do.
 */
export interface QueryStats {
  queries: number
  transactions: number
  durationMs: number
  /**
   * When present, the text of every statement counted in `queries` is appended (parameters are not part
   * of it). Tests compare what two paths run (a password-reset request for a known and an unknown address).
   */
  statements?: string[]
  /**
   * Test-only: when present, each counted read (a statement starting with SELECT, or WITH without a write)
   * is first run as `EXPLAIN (ANALYZE, FORMAT JSON)` on the same connection, with the same parameters and
   * inside the same transaction (same role, tenant binding and snapshot), and its plan is appended here.
   * The EXPLAIN executes the read a second time, so production never asks for it.
   */
  plans?: Plan[]
}

/** One captured plan: the statement's text and the JSON that `EXPLAIN (ANALYZE, FORMAT JSON)` returned. */
export interface Plan {
  text: string
  plan: unknown
}

const storage = new AsyncLocalStorage<QueryStats>()

export function newQueryStats(): QueryStats {
  return { queries: 0, transactions: 0, durationMs: 0 }
}

/** Runs `fn` with `stats` collecting every statement issued inside it (across awaits). */
export function withQueryStats<T>(stats: QueryStats, fn: () => T): T {
  return storage.run(stats, fn)
}

export function currentQueryStats(): QueryStats | undefined {
  return storage.getStore()
}

/** Marker put in the binding statement so the counter can tell it apart. */
export const BIND_MARKER = '/* colophon:bind */'

/** Prefix that turns a read into its plan; the engines send it uncounted, before the read itself. */
export const EXPLAIN_PREFIX = 'EXPLAIN (ANALYZE, FORMAT JSON) '

const READ = /^\s*(select|with)\b/i
// A data-modifying CTE would run twice under EXPLAIN ANALYZE: such a statement is never planned.
const WRITE = /\b(insert|update|delete|merge)\b/i

/**
 * Where the plan of `text` goes, or `undefined` when nobody asked for plans (the usual case: one property
 * check) or the statement is not a read (control, the binding, writes).
 */
export function planSinkFor(text: string): Plan[] | undefined {
  const plans = storage.getStore()?.plans
  if (plans === undefined || !READ.test(text) || (/^\s*with\b/i.test(text) && WRITE.test(text)))
    return undefined
  return plans
}

const CONTROL = /^\s*(begin|start transaction|commit|rollback|savepoint|release)\b/i

export function recordStatement(text: string, durationMs: number): void {
  const stats = storage.getStore()
  if (!stats) return
  stats.durationMs += durationMs
  if (text.startsWith(BIND_MARKER)) stats.transactions += 1
  else if (!CONTROL.test(text)) {
    stats.queries += 1
    stats.statements?.push(text)
  }
}
