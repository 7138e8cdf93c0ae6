import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { PGlite, type Transaction as PGliteTransaction } from '@electric-sql/pglite'
import pg from 'pg'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePg, NodePgSession, NodePgTransaction } from 'drizzle-orm/node-postgres'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { setBoundTransactionRunner } from './bound-tx.ts'
import { DbErrors } from './db.errors.ts'
import { TYPE_PARSERS } from './parsers.ts'
import { acquireDataDirLock, type DataDirLock } from './pglite-lock.ts'
import { bindingStatement } from './binding.ts'
import { createPreparedStatements } from './pg-prepared.ts'
import { pipelinedReader, withBoundClient } from './pg-read.ts'
import { EXPLAIN_PREFIX, planSinkFor, recordStatement, type Plan } from './query-stats.ts'
import { setStatementReader } from './statements.ts'
import { schema, type Schema } from './schema/index.ts'

/** The Drizzle database, typed the same for both engines. */
export type Orm = PgDatabase<PgQueryResultHKT, Schema>

/** Raw SQL on one connection. `exec` runs several statements and takes no parameters. */
export interface SqlRunner {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>
  exec(text: string): Promise<void>
}

export type EngineKind = 'pglite' | 'postgres'

export interface Engine {
  readonly kind: EngineKind
  readonly orm: Orm
  /** Autocommit statement as the connecting (owner) role. */
  query: SqlRunner['query']
  /** A transaction on one connection as the owner role: migrations and installation steps only. */
  ownerTransaction<T>(fn: (sql: SqlRunner) => Promise<T>): Promise<T>
  /** PGlite only: the whole database as a tarball (test templates; later, backups). */
  dumpDataDir?(): Promise<Blob>
  /**
   * Every connection prepares its statements afresh from its next use (ADR 0015): for a node that has
   * just seen its schema migrated under it. PGlite prepares nothing, so there it does nothing.
   */
  forgetPreparedStatements(): void
  /**
   * The client underneath, for a library that brings its own SQL (pg-boss). Statements sent through it
   * run as the owner role, bound to no site, and are not counted in request query statistics.
   */
  readonly rawClient: { kind: 'pglite'; client: PGlite } | { kind: 'postgres'; pool: pg.Pool }
  close(): Promise<void>
}

export interface OpenEngineOptions {
  databaseUrl?: string | undefined
  dataDir: string
  poolMax?: number
  /** PGlite only: start from a dumped data directory (tests clone a migrated template this way). */
  pgliteLoadDataDir?: Blob
  /** PGlite only: keep the database in memory (tests). */
  pgliteInMemory?: boolean
}

/** The one row `EXPLAIN (…, FORMAT JSON)` answers. */
type PlanRow = { 'QUERY PLAN': unknown }

/** Wraps a statement runner so that every statement is counted and timed for the current request. */
function timed<A extends unknown[], R>(
  text: string,
  run: (...args: A) => Promise<R>,
  ...args: A
): Promise<R> {
  const started = performance.now()
  return run(...args).finally(() => recordStatement(text, performance.now() - started))
}

export async function openEngine(options: OpenEngineOptions): Promise<Engine> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.poolMax ?? 10) : openPglite(options)
}

async function openPglite(options: OpenEngineOptions): Promise<Engine> {
  let lock: DataDirLock | undefined
  let dataDir: string | undefined
  if (!options.pgliteInMemory && !options.pgliteLoadDataDir) {
    lock = acquireDataDirLock(options.dataDir)
    dataDir = path.join(options.dataDir, 'pglite')
    mkdirSync(dataDir, { recursive: true })
  }
  let client: PGlite
  try {
    client = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      ...(options.pgliteLoadDataDir ? { loadDataDir: options.pgliteLoadDataDir } : {}),
      parsers: TYPE_PARSERS,
      // Memory (ADR 0013). WebAssembly memory never shrinks, so whatever Postgres touches stays resident.
      // Its files are read through Node, so the OS page cache holds the data anyway: 16 MB of shared
      // buffers (PGlite's default is 128 MB, all touched at start) keep the hot catalog and index pages,
      // and index builds and VACUUM spill to disk past 16 MB instead of growing the heap by 64 MB for good.
      startParams: [
        ...PGlite.defaultStartParams,
        '-c',
        'shared_buffers=16MB',
        '-c',
        'maintenance_work_mem=16MB',
      ],
    })
  } catch (err) {
    lock?.release()
    throw err
  }

  const wrapRunner = (target: PGlite | PGliteTransaction) => ({
    query: async (text: string, params?: unknown[], opts?: object) => {
      const plans = planSinkFor(text)
      if (plans) {
        // Not timed, so not counted: the plan is the test's cost, not the request's.
        const explained = await target.query<PlanRow>(EXPLAIN_PREFIX + text, params as unknown[])
        plans.push({ text, plan: explained.rows[0]?.['QUERY PLAN'] })
      }
      return timed(text, () => target.query(text, params as unknown[], opts))
    },
    exec: (text: string, opts?: object) => timed(text, () => target.exec(text, opts)),
  })
  // Drizzle talks to this object, so its statements (transactions included) pass through the counter.
  const instrumented = {
    ...wrapRunner(client),
    transaction: <T>(fn: (tx: ReturnType<typeof wrapRunner>) => Promise<T>) =>
      client.transaction((tx) => fn(wrapRunner(tx))),
  }
  const orm = drizzlePglite({ client: instrumented as unknown as PGlite, schema }) as unknown as Orm
  // In-process, a round trip costs next to nothing: a compiled read runs in a bound transaction.
  setStatementReader(orm, (binding, statement, values) =>
    client.transaction(async (tx) => {
      const target = wrapRunner(tx)
      await target.query(bindingStatement(binding))
      const result = await target.query(statement.text, values as unknown[], { rowMode: 'array' })
      return result.rows as unknown[][]
    }),
  )

  const runnerOf = (target: PGlite | PGliteTransaction): SqlRunner => ({
    query: async <R>(text: string, params?: unknown[]) =>
      (await timed(text, () => target.query<R>(text, params))).rows,
    exec: async (text: string) => {
      await timed(text, () => target.exec(text))
    },
  })

  return {
    kind: 'pglite',
    orm,
    query: runnerOf(client).query,
    ownerTransaction: (fn) => client.transaction((tx) => fn(runnerOf(tx))),
    dumpDataDir: () => client.dumpDataDir('none'),
    forgetPreparedStatements: () => undefined,
    rawClient: { kind: 'pglite', client },
    async close() {
      try {
        if (!client.closed) await client.close()
      } finally {
        lock?.release()
      }
    },
  }
}

async function openPostgres(databaseUrl: string, poolMax: number): Promise<Engine> {
  // Drizzle passes its own per-query parsers that fall back to pg's global table, so the normalisation
  // has to be installed there. It is idempotent and only touches the types listed in TYPE_PARSERS.
  for (const [oid, parse] of Object.entries(TYPE_PARSERS)) pg.types.setTypeParser(Number(oid), parse)
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolMax, connectionTimeoutMillis: 10_000 })
  // Idle clients can fail when the server restarts; the pool replaces them. Without a listener the error
  // would crash the process.
  pool.on('error', () => undefined)
  const prepared = createPreparedStatements()
  pool.on('connect', (client) => {
    const original = client.query.bind(client) as (...args: unknown[]) => unknown
    ;(client as unknown as { query: unknown }).query = (...args: unknown[]) => {
      const first = args[0]
      const text = typeof first === 'string' ? first : String((first as { text?: string }).text ?? '')
      const sent = prepared.withName(client, args)
      const plans = planSinkFor(text)
      if (plans && isPlainPromiseQuery(sent)) return explainFirst(original, plans, text, sent)
      const result = original(...sent)
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        const started = performance.now()
        return (result as Promise<unknown>)
          .catch((err: unknown) => {
            prepared.noteFailure(client, err)
            throw err
          })
          .finally(() => recordStatement(text, performance.now() - started))
      }
      return result
    }
  })
  /** The plan on the same connection (so the same transaction), then the statement itself, counted. */
  const explainFirst = async (
    original: (...args: unknown[]) => unknown,
    plans: Plan[],
    text: string,
    args: unknown[],
  ) => {
    const first = args[0]
    // A prepared statement's `name` stays off the EXPLAIN: under that name pg would reuse the plain one.
    const values = typeof first === 'string' ? args[1] : ((first as { values?: unknown }).values ?? args[1])
    const explained = (await original({ text: EXPLAIN_PREFIX + text, values })) as pg.QueryResult<PlanRow>
    plans.push({ text, plan: explained.rows[0]?.['QUERY PLAN'] })
    const started = performance.now()
    return (original(...args) as Promise<unknown>).finally(() =>
      recordStatement(text, performance.now() - started),
    )
  }
  // pg's own pool.query hands the statement to a client from inside a callback, which runs in the async
  // context of whoever released that client: the statement would be counted for another request. Checking
  // out with the promise API keeps the caller's context.
  const poolQuery = pool.query.bind(pool) as (...args: unknown[]) => unknown
  ;(pool as unknown as { query: unknown }).query = (...args: unknown[]) => {
    if (typeof args[args.length - 1] === 'function') return poolQuery(...args)
    return pool
      .connect()
      .then((client) =>
        (client.query as (...a: unknown[]) => Promise<unknown>)(...args).finally(() => client.release()),
      )
  }
  // Fail fast with a clear error when the server is unreachable.
  try {
    const probe = await pool.connect()
    probe.release()
  } catch (err) {
    await pool.end().catch(() => undefined)
    throw DbErrors.unavailable({
      message: `Cannot connect to PostgreSQL (DATABASE_URL): ${(err as Error).message}`,
      cause: err,
    })
  }

  const orm = drizzlePg({ client: pool, schema }) as unknown as Orm
  setBoundTransactionRunner(orm, boundTransactionsOn(pool, orm))
  setStatementReader(orm, pipelinedReader(pool, prepared))
  const runnerOf = (client: pg.PoolClient | pg.Pool): SqlRunner => ({
    query: async <R>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as R[],
    exec: async (text: string) => {
      await client.query(text)
    },
  })
  return {
    kind: 'postgres',
    orm,
    query: runnerOf(pool).query,
    rawClient: { kind: 'postgres', pool },
    forgetPreparedStatements: () => prepared.forgetAll(),
    async ownerTransaction(fn) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const result = await fn(runnerOf(client))
        await client.query('COMMIT')
        return result
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw err
      } finally {
        client.release()
      }
    },
    close: () => pool.end(),
  }
}

/**
 * A `client.query` call answered by a promise, with text or a plain config object: not a callback call, not
 * a submittable (cursor, stream), which only tests asking for plans would have to care about.
 */
function isPlainPromiseQuery(args: unknown[]): boolean {
  const first = args[0]
  if (typeof args[args.length - 1] === 'function') return false
  return typeof first === 'string' || typeof (first as { submit?: unknown }).submit !== 'function'
}

/**
 * Application transactions on PostgreSQL in three round trips instead of four (`withBoundClient`). The
 * transaction handle is the query builder's own (same class as `orm.transaction` gives, savepoints
 * included), built on the checked-out connection.
 */
function boundTransactionsOn(pool: pg.Pool, orm: Orm) {
  const internals = (orm as unknown as { session: NodePgSession<Schema, never> }).session as unknown as {
    dialect: ConstructorParameters<typeof NodePgSession>[1]
    schema: ConstructorParameters<typeof NodePgSession>[2]
    options: ConstructorParameters<typeof NodePgSession>[3]
  }
  return <T>(preamble: string, fn: (tx: never) => Promise<T>): Promise<T> =>
    withBoundClient(pool, preamble, (client) => {
      const session = new NodePgSession(client, internals.dialect, internals.schema, internals.options)
      return fn(new NodePgTransaction(internals.dialect, session, internals.schema) as never)
    })
}
