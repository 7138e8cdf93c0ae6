import { hashOf } from './statements.ts'

/**
 * Server-side prepared statements on PostgreSQL (ADR 0015): what each pooled connection has prepared.
 *
 * - **Automatic names.** Every parameterised statement the application sends through a pooled connection
 *   (the query builder's, the raw SQL runners', pg-boss's) is given a name derived from its text, so the
 *   connection parses it once and PostgreSQL can keep its plan: the same text with other values is only
 *   bound and executed. pg's client remembers per connection which names it has parsed and sends Parse
 *   only the first time. Statements without parameters stay unnamed: their values are in the text (the
 *   binding statement, DDL), so each text would be a new name.
 * - **Compiled reads** (`ctx.read`, pg-read.ts) name their statements themselves; the connection's record
 *   of which of those it holds lives here too, so both kinds are forgotten together.
 * - **Bounded.** Past `MAX_NAMED_PER_CONNECTION` names of a kind a connection runs new texts unnamed, so a
 *   client producing endless distinct texts cannot grow a backend's memory without bound.
 * - **Forgotten when stale.** A prepared statement becomes unusable when its result type changed under it
 *   (SQLSTATE 0A000, a column type altered by a migration) or the server lost it (26000). The statement
 *   fails, and the connection starts a new generation of names, so the next use of that text is parsed
 *   afresh (compiled reads retry at once; a statement inside a transaction cannot be retried without the
 *   rest). `forgetAll()` does the same for every connection, for a node that has just seen its schema
 *   migrated.
 */

export const MAX_NAMED_PER_CONNECTION = 256

/** Text-to-value parsers of a statement's result columns, in order. */
export type RowParsers = readonly ((text: string) => unknown)[]

/** SQLSTATEs after which a connection's prepared statements are not to be trusted. */
export const STALE_STATEMENT = new Set(['26000', '0A000'])

/** What one connection has prepared, in its current generation. */
export interface ConnectionStatements {
  /** Part of every name, so that a new generation never collides with statements of an older one. */
  readonly generation: number
  /** Automatic names handed out (whether or not pg has parsed them yet). */
  readonly automatic: Set<string>
  /**
   * Compiled reads' names known to be prepared, with the parsers of their result columns (recorded only
   * after a pipeline that parsed them succeeded).
   */
  readonly reads: Map<string, RowParsers>
}

export interface PreparedStatements {
  /** The connection's record, started afresh after `forgetAll()` or a stale statement. */
  on(client: object): ConnectionStatements
  /**
   * The arguments of a `client.query` call, with a statement name added when the call is a promise query
   * with parameters (text and values, or a config object without a name of its own); otherwise unchanged.
   */
  withName(client: object, args: unknown[]): unknown[]
  /** After a failed statement: a stale prepared statement makes the connection name its texts afresh. */
  noteFailure(client: object, err: unknown): void
  /** Every connection prepares its statements afresh from its next use. */
  forgetAll(): void
}

type QueryConfig = { text: string; values?: unknown[]; name?: string; submit?: unknown }

export function createPreparedStatements(): PreparedStatements {
  let epoch = 0
  const records = new WeakMap<object, ConnectionStatements & { epoch: number }>()

  function renew(client: object, generation: number): ConnectionStatements & { epoch: number } {
    const record = { epoch, generation, automatic: new Set<string>(), reads: new Map<string, RowParsers>() }
    records.set(client, record)
    return record
  }

  function on(client: object): ConnectionStatements {
    const record = records.get(client)
    if (record === undefined) return renew(client, 0)
    return record.epoch === epoch ? record : renew(client, record.generation + 1)
  }

  return {
    on,
    withName(client, args) {
      if (typeof args[args.length - 1] === 'function') return args
      const [first, second] = args
      let config: QueryConfig
      if (typeof first === 'string') config = { text: first, values: second as unknown[] }
      else if (first !== null && typeof first === 'object') {
        const given = first as QueryConfig
        if (given.name !== undefined || typeof given.submit === 'function') return args
        config = { ...given, values: given.values ?? (second as unknown[]) }
      } else return args
      if (!Array.isArray(config.values) || config.values.length === 0 || typeof config.text !== 'string')
        return args
      const record = on(client)
      const name = `colophon_q${record.generation}_${hashOf(config.text)}`
      if (!record.automatic.has(name)) {
        if (record.automatic.size >= MAX_NAMED_PER_CONNECTION) return args
        record.automatic.add(name)
      }
      return [{ ...config, name }]
    },
    noteFailure(client, err) {
      const code = (err as { code?: unknown } | null)?.code
      if (typeof code === 'string' && STALE_STATEMENT.has(code)) renew(client, on(client).generation + 1)
    },
    forgetAll() {
      epoch += 1
    },
  }
}
