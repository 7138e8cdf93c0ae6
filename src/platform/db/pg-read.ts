import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { BINDING_TEXT, bindingStatement, bindingValues, type TxBinding } from './binding.ts'
import { MAX_NAMED_PER_CONNECTION, STALE_STATEMENT, type PreparedStatements } from './pg-prepared.ts'
import { planSinkFor, recordStatement } from './query-stats.ts'
import type { Statement, StatementReader } from './statements.ts'

/**
 * One-round-trip reads on PostgreSQL (ADR 0015). The binding statement and the read travel as one
 * extended-protocol pipeline closed by a single Sync:
 *
 *     [Close, Parse] Bind Describe Execute   (binding: role, app.site_id, app.user_id, app.network)
 *     [Close, Parse] Bind Describe Execute   (the read)
 *     Sync
 *
 * Everything before a Sync runs in one implicit transaction, so the transaction-local binding holds for
 * the read and ends with it, exactly as inside BEGIN … COMMIT; after an error the server skips every
 * message up to the Sync, so a read whose binding failed is never executed.
 *
 * Both statements are named and prepared on each connection the first time it meets them (Parse inline,
 * preceded by a Close of the same name, which is a no-op for an unknown name: whatever an earlier failed
 * pipeline left behind, the Parse cannot collide). A connection remembers a name only after a pipeline
 * that parsed it succeeded. A read whose prepared statement was lost (26000: a pooler, DISCARD ALL) or no
 * longer matches its result type (0A000, after a schema change) forgets it and is retried once.
 */

const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as {
  prepareValue(value: unknown): unknown
}

const BINDING_NAME = 'colophon_bind'

interface Part {
  text: string
  /** '' for the unnamed statement. */
  name: string
  /** As they go on the wire (text or null). */
  values: unknown[]
}

/** The messages of pg's wire connection this file sends (pg-protocol serialises them). */
interface WireConnection {
  parse(message: { text: string; name: string; types: number[] }): void
  bind(message: { portal: string; statement: string; values: unknown[] }): void
  describe(message: { type: 'P'; name: string }): void
  execute(message: { portal: string }): void
  close(message: { type: 'S'; name: string }): void
  sync(): void
}

type ResultSet = { rows: unknown[][] }

/**
 * A query object that pg's client queues, sends and answers like its own (so its bookkeeping of the
 * connection stays right), with the pipeline above as its messages. pg collects the two results into an
 * array, in order.
 */
class PipelinedRead extends pg.Query {
  private readonly parts: readonly Part[]
  private readonly prepared: ReadonlySet<string>

  constructor(
    parts: readonly Part[],
    prepared: ReadonlySet<string>,
    callback: (err: Error | undefined, results: ResultSet[]) => void,
  ) {
    // `queryMode: 'extended'` makes pg call prepare() rather than send a simple query.
    const config = { text: parts[parts.length - 1]!.text, rowMode: 'array', queryMode: 'extended' }
    super(config as pg.QueryConfig, [], callback as never)
    this.parts = parts
    this.prepared = prepared
  }

  /** Called by pg with the socket corked: every message below leaves in one write. */
  prepare(connection: WireConnection): void {
    for (const part of this.parts) {
      if (part.name === '' || !this.prepared.has(part.name)) {
        if (part.name !== '') connection.close({ type: 'S', name: part.name })
        connection.parse({ text: part.text, name: part.name, types: [] })
      }
      connection.bind({ portal: '', statement: part.name, values: part.values })
      connection.describe({ type: 'P', name: '' })
      connection.execute({ portal: '' })
    }
    connection.sync()
  }
}

function send(client: pg.PoolClient, parts: Part[], prepared: ReadonlySet<string>): Promise<ResultSet[]> {
  return new Promise((resolve, reject) => {
    client.query(new PipelinedRead(parts, prepared, (err, results) => (err ? reject(err) : resolve(results))))
  })
}

/**
 * Runs an application transaction on one pooled connection: `BEGIN` and the binding (`preamble`, no
 * parameters) as one simple-protocol message, then `fn`, then `COMMIT` (or `ROLLBACK`). A connection that
 * cannot even roll back is not handed to the next caller.
 */
export async function withBoundClient<T>(
  pool: pg.Pool,
  preamble: string,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect()
  let broken = false
  try {
    // The binding's marker stays first so that query counts still see it (transaction overhead).
    await client.query(openingOf(preamble))
    try {
      const result = await fn(client)
      await client.query('COMMIT')
      return result
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true
      })
      throw err
    }
  } finally {
    client.release(broken)
  }
}

const BIND_PREFIX = /^(\/\*[^*]*\*\/)\s*/

function openingOf(preamble: string): string {
  const marker = BIND_PREFIX.exec(preamble)
  return marker ? `${marker[1]} BEGIN; ${preamble.slice(marker[0].length)}` : `BEGIN; ${preamble}`
}

/** The statement reader of a PostgreSQL pool (see the top of this file). */
export function pipelinedReader(pool: pg.Pool, statements: PreparedStatements): StatementReader {
  async function attempt(
    client: pg.PoolClient,
    binding: TxBinding,
    statement: Statement,
    values: readonly unknown[],
  ) {
    const { generation, reads: prepared } = statements.on(client)
    const name = `${statement.name}_${generation}`
    const named = prepared.has(name) || prepared.size < MAX_NAMED_PER_CONNECTION
    const parts: Part[] = [
      { text: BINDING_TEXT, name: `${BINDING_NAME}_${generation}`, values: bindingValues(binding) },
      { text: statement.text, name: named ? name : '', values: values.map(prepareValue) },
    ]
    try {
      const results = await send(client, parts, prepared)
      for (const part of parts) if (part.name !== '') prepared.add(part.name)
      return results[results.length - 1]!.rows
    } catch (err) {
      for (const part of parts) prepared.delete(part.name)
      statements.noteFailure(client, err)
      throw err
    }
  }

  return async (binding, statement, values) => {
    // Tests that capture plans get them from the transactional path, which runs the same text.
    if (planSinkFor(statement.text))
      return withBoundClient(pool, bindingStatement(binding), async (client) => {
        const result = await client.query<unknown[]>({
          text: statement.text,
          values: [...values],
          rowMode: 'array',
        })
        return result.rows
      })
    const client = await pool.connect()
    const started = performance.now()
    let failure: Error | undefined
    try {
      try {
        return await attempt(client, binding, statement, values)
      } catch (err) {
        if (!(err instanceof pg.DatabaseError && STALE_STATEMENT.has(err.code ?? ''))) throw err
        return await attempt(client, binding, statement, values)
      }
    } catch (err) {
      // An answer from the server leaves the connection usable; anything else (a broken socket) does not.
      if (!(err instanceof pg.DatabaseError)) failure = err as Error
      throw err
    } finally {
      client.release(failure)
      recordStatement(BINDING_TEXT, 0)
      recordStatement(statement.text, performance.now() - started)
    }
  }
}
