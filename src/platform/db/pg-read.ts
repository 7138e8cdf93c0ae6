import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { BINDING_TEXT, bindingStatement, bindingValues } from './binding.ts'
import {
  MAX_NAMED_PER_CONNECTION,
  STALE_STATEMENT,
  type PreparedStatements,
  type RowParsers,
} from './pg-prepared.ts'
import { planSinkFor, recordStatement } from './query-stats.ts'
import type { Statement, StatementReader } from './statements.ts'

/**
 * One-round-trip reads on PostgreSQL (ADR 0015). The binding statement and the read travel as one
 * extended-protocol pipeline closed by a single Sync:
 *
 *     [Close, Parse] Bind Execute             (binding: role, app.site_id, app.user_id, app.network)
 *     [Close, Parse] Bind [Describe] Execute  (the read)
 *     Sync
 *
 * Everything before a Sync runs in one implicit transaction, so the transaction-local binding holds for
 * the read and ends with it, exactly as inside BEGIN … COMMIT; after an error the server skips every
 * message up to the Sync, so a read whose binding failed is never executed.
 *
 * **Batches.** Reads queued in one turn of the event loop (every request whose bytes arrived in the same
 * poll phase) leave together, up to `MAX_BATCH`, as one pipeline on one connection: binding, read,
 * binding, read, …, Sync. Each read is preceded by a binding that sets all four values, so it sees its own
 * caller's and nobody else's; the pipeline is still one implicit transaction, so an error in any read
 * skips the rest, and then every read of the batch runs again on its own so that only the failing one
 * sees an error. One write and one wake-up of the server per batch instead of per read: on a loopback
 * connection of a virtual machine that write was the largest single cost of a read. A statement seen in
 * a slow pipeline (`SLOW_READ_MS`) goes alone until it runs fast again, so it cannot hold up others.
 *
 * Both statements are named and prepared on each connection the first time it meets them (Parse inline,
 * preceded by a Close of the same name, which is a no-op for an unknown name: whatever an earlier failed
 * pipeline left behind, the Parse cannot collide). A connection remembers a name, with the parsers of its
 * columns, only after a pipeline that parsed it succeeded; a remembered read is sent without Describe, as a
 * prepared statement's result columns cannot change under it (the server refuses it instead: 0A000). A
 * read whose prepared statement was lost (26000: a pooler, DISCARD ALL) or no longer matches its result
 * type (0A000, after a schema change) forgets it and is retried once.
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
  /** False for the binding, whose row nobody reads (it is never described). */
  wanted: boolean
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

type Field = { dataTypeID: number; format?: string }
const parsersOf = (fields: readonly Field[]): RowParsers =>
  fields.map((f) => pg.types.getTypeParser(f.dataTypeID, (f.format ?? 'text') as 'text'))

/**
 * A query object that pg's client queues, sends and answers like its own (so its bookkeeping of the
 * connection stays right), with the pipeline above as its messages. Rows are parsed as arrays with each
 * part's parsers (from its RowDescription, or remembered by the connection); the binding's are dropped.
 */
class PipelinedRead extends pg.Query {
  private readonly parts: readonly Part[]
  private readonly prepared: ReadonlyMap<string, RowParsers>
  private readonly done: (err: Error | undefined, read: PipelinedRead) => void
  /** The part whose results arrive now (advanced by each CommandComplete). */
  private current = 0
  private failed: Error | undefined
  /** Per part: parsers from a RowDescription of this pipeline, and the rows. */
  readonly described: (RowParsers | undefined)[]
  readonly rows: unknown[][][]

  constructor(
    parts: readonly Part[],
    prepared: ReadonlyMap<string, RowParsers>,
    done: (err: Error | undefined, read: PipelinedRead) => void,
  ) {
    // `queryMode: 'extended'` makes pg call prepare() rather than send a simple query.
    const config = { text: parts[parts.length - 1]!.text, queryMode: 'extended' }
    super(config as pg.QueryConfig, [], ((err: Error | undefined) => done(err, this)) as never)
    this.parts = parts
    this.prepared = prepared
    this.done = done
    this.described = parts.map(() => undefined)
    this.rows = parts.map(() => [])
  }

  /** Called by pg with the socket corked: every message below leaves in one write. */
  prepare(connection: WireConnection): void {
    // A name parsed earlier in this pipeline (the binding of every read in a batch, or two reads of one
    // shape) is only bound again; a read of a statement this pipeline parses is always described.
    const parsed = new Set<string>()
    for (const part of this.parts) {
      const known = part.name !== '' && this.prepared.has(part.name)
      if (!known && !parsed.has(part.name)) {
        if (part.name !== '') connection.close({ type: 'S', name: part.name })
        connection.parse({ text: part.text, name: part.name, types: [] })
        parsed.add(part.name)
      }
      connection.bind({ portal: '', statement: part.name, values: part.values })
      if (part.wanted && !known) connection.describe({ type: 'P', name: '' })
      connection.execute({ portal: '' })
    }
    connection.sync()
  }

  /** The parsers of part `index`'s columns. */
  parsersOf(index: number): RowParsers | undefined {
    const part = this.parts[index]!
    return this.described[index] ?? (part.name === '' ? undefined : this.prepared.get(part.name))
  }

  handleRowDescription(message: { fields: Field[] }): void {
    this.described[this.current] = parsersOf(message.fields)
  }

  handleDataRow(message: { fields: (string | null)[] }): void {
    if (this.failed !== undefined || !this.parts[this.current]!.wanted) return
    const parsers = this.parsersOf(this.current)
    try {
      if (parsers === undefined) throw new Error('a row arrived before its description')
      const raw = message.fields
      const row = new Array<unknown>(raw.length)
      for (let i = 0; i < raw.length; i++) {
        const value = raw[i]
        row[i] = value === null || value === undefined ? null : parsers[i]!(value)
      }
      this.rows[this.current]!.push(row)
    } catch (err) {
      // Reported once the server is ready again, like pg's own row-parsing failures.
      this.failed = err as Error
    }
  }

  handleCommandComplete(): void {
    this.current += 1
  }

  handleReadyForQuery(): void {
    this.done(this.failed, this)
  }
}

function send(
  client: pg.PoolClient,
  parts: Part[],
  prepared: ReadonlyMap<string, RowParsers>,
): Promise<PipelinedRead> {
  return new Promise((resolve, reject) => {
    client.query(new PipelinedRead(parts, prepared, (err, read) => (err ? reject(err) : resolve(read))))
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

/**
 * At most this many reads share one pipeline (and one connection). Larger batches save few more writes,
 * and run more reads one after another on one server process while the others idle: Node and PostgreSQL
 * end up waiting on each other instead of working at once. Measured with 10 clients on 2 cores: batches of
 * 3–4 served 25–30 % more reads per second than batches of 10, and more than batches of 2.
 */
export const MAX_BATCH = 4

/**
 * A read that was part of a pipeline taking this long goes alone from then on, so that one slow statement
 * does not hold up the fast reads queued with it; it joins batches again once it ran alone in less.
 */
export const SLOW_READ_MS = 20
/** How many slow statements are remembered (the oldest is forgotten first). */
const SLOW_REMEMBERED = 1000

/**
 * A read waiting for the next flush. Its binding's values were checked, and its values made wire values,
 * when it was queued: a bad value fails its own caller only.
 */
interface Queued {
  bound: readonly string[]
  statement: Statement
  wireValues: unknown[]
  resolve(rows: unknown[][]): void
  reject(err: unknown): void
}

export interface PipelinedReaderOptions {
  /** See `SLOW_READ_MS` (tests set their own, so that a loaded machine does not change what they see). */
  slowReadMs?: number
}

/** The statement reader of a PostgreSQL pool (see the top of this file). */
export function pipelinedReader(
  pool: pg.Pool,
  statements: PreparedStatements,
  { slowReadMs = SLOW_READ_MS }: PipelinedReaderOptions = {},
): StatementReader {
  /** Sends `batch` as one pipeline on `client`; the rows of each read, in order. */
  async function attempt(client: pg.PoolClient, batch: readonly Queued[]): Promise<unknown[][][]> {
    const { generation, reads: prepared } = statements.on(client)
    const parts: Part[] = []
    for (const read of batch) {
      const name = `${read.statement.name}_${generation}`
      const named = prepared.has(name) || prepared.size < MAX_NAMED_PER_CONNECTION
      parts.push(
        { text: BINDING_TEXT, name: `${BINDING_NAME}_${generation}`, values: [...read.bound], wanted: false },
        {
          text: read.statement.text,
          name: named ? name : '',
          values: read.wireValues,
          wanted: true,
        },
      )
    }
    const started = performance.now()
    try {
      const sent = await send(client, parts, prepared)
      noteDuration(batch, performance.now() - started)
      parts.forEach((part, i) => {
        if (part.name !== '' && !prepared.has(part.name)) prepared.set(part.name, sent.parsersOf(i) ?? [])
      })
      return batch.map((_, i) => sent.rows[2 * i + 1]!)
    } catch (err) {
      for (const part of parts) prepared.delete(part.name)
      statements.noteFailure(client, err)
      throw err
    }
  }

  /** Statement names whose last pipeline was slow (see `SLOW_READ_MS`). */
  const slow = new Set<string>()
  function noteDuration(batch: readonly Queued[], ms: number): void {
    for (const read of batch) {
      const name = read.statement.name
      if (ms < slowReadMs) slow.delete(name)
      else if (!slow.has(name)) {
        slow.add(name)
        if (slow.size > SLOW_REMEMBERED) slow.delete(slow.values().next().value as string)
      }
    }
  }

  /** One read on its own, retried once when its prepared statement turned out stale. */
  async function alone(client: pg.PoolClient, read: Queued): Promise<unknown[][]> {
    try {
      return (await attempt(client, [read]))[0]!
    } catch (err) {
      if (!(err instanceof pg.DatabaseError && STALE_STATEMENT.has(err.code ?? ''))) throw err
      return (await attempt(client, [read]))[0]!
    }
  }

  async function run(batch: readonly Queued[]): Promise<void> {
    let client: pg.PoolClient
    try {
      client = await pool.connect()
    } catch (err) {
      for (const read of batch) read.reject(err)
      return
    }
    let failure: Error | undefined
    try {
      if (batch.length > 1) {
        try {
          const rows = await attempt(client, batch)
          batch.forEach((read, i) => read.resolve(rows[i]!))
          return
        } catch (err) {
          // One read failed and the server skipped the others: each runs again on its own, so that only
          // the failing one sees its error.
          if (!(err instanceof pg.DatabaseError)) throw err
        }
      }
      for (const read of batch) {
        try {
          read.resolve(await alone(client, read))
        } catch (err) {
          if (!(err instanceof pg.DatabaseError)) throw err
          read.reject(err)
        }
      }
    } catch (err) {
      // Not an answer from the server (a broken socket): the connection is not reused, and every read
      // still waiting fails with it (settling a settled promise does nothing).
      failure = err as Error
      for (const read of batch) read.reject(err)
    } finally {
      client.release(failure)
    }
  }

  let queue: Queued[] = []
  function flush(): void {
    const due = queue
    queue = []
    // Batches of even size, at most MAX_BATCH each.
    const size = Math.ceil(due.length / Math.ceil(due.length / MAX_BATCH))
    for (let i = 0; i < due.length; i += size) void run(due.slice(i, i + size))
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
    const bound = bindingValues(binding)
    const wireValues = values.map(prepareValue)
    const started = performance.now()
    try {
      return await new Promise<unknown[][]>((resolve, reject) => {
        const read = { bound, statement, wireValues, resolve, reject }
        if (slow.has(statement.name)) return void run([read])
        queue.push(read)
        // Reads queued until the event loop's next check phase (every request whose bytes arrived in this
        // poll phase) leave together.
        if (queue.length === 1) setImmediate(flush)
      })
    } finally {
      // Counted in the caller's async context (the flush runs in the first caller's).
      recordStatement(BINDING_TEXT, 0)
      recordStatement(statement.text, performance.now() - started)
    }
  }
}
