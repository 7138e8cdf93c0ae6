import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { inject } from 'vitest'
import { openEngine, type Engine } from '../../src/platform/db/index.ts'
import { adminQuery, quoteIdent, quoteLiteral, urlForDatabase } from './pg-admin.ts'

export type DatabaseState = 'empty' | 'migrated'

export interface TestDatabase {
  /** For tests to arrange and inspect rows: `query` runs at network scope (see below). */
  engine: Engine
  /** The same database, untouched, for the app under test: what it does here it does in production. */
  appEngine: Engine
  /** PostgreSQL only: the URL of this test's database (for spawning a server process against it). */
  url?: string
  /** Closes the engine and drops the database. */
  destroy(): Promise<void>
}

export interface TestDatabaseOptions {
  /**
   * Planner or run-time settings (`enable_seqscan: 'off'`) for every session on this database, the app's
   * included: on PostgreSQL `ALTER DATABASE … SET` before the first connection, on PGlite (one session)
   * `set_config` once.
   */
  settings?: Record<string, string>
}

/**
 * A database of its own for one test: a copy of the empty or the migrated template. On PGlite it lives
 * in memory; on PostgreSQL it is a new database, dropped by `destroy()`.
 */
export async function createTestDatabase(
  state: DatabaseState = 'migrated',
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const harness = inject('harness')
  const template = state === 'empty' ? harness.emptyTemplate : harness.migratedTemplate
  const settings = Object.entries(options.settings ?? {})
  if (harness.engine === 'pglite') {
    const appEngine = await openEngine({
      dataDir: tmpdir(),
      pgliteLoadDataDir: new Blob([await readFile(template)]),
    })
    for (const [key, value] of settings)
      await appEngine.query('SELECT set_config($1, $2, false)', [key, value])
    return { engine: withNetworkScopeQueries(appEngine), appEngine, destroy: () => appEngine.close() }
  }
  const adminUrl = harness.adminUrl as string
  const name = `colophon_t_${process.pid}_${randomBytes(6).toString('hex')}`
  await adminQuery(adminUrl, `CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`)
  for (const [key, value] of settings)
    await adminQuery(
      adminUrl,
      `ALTER DATABASE ${quoteIdent(name)} SET ${quoteIdent(key)} = ${quoteLiteral(value)}`,
    )
  const url = urlForDatabase(adminUrl, name)
  const appEngine = await openEngine({ databaseUrl: url, dataDir: tmpdir(), poolMax: 4 })
  return {
    engine: withNetworkScopeQueries(appEngine),
    appEngine,
    url,
    async destroy() {
      await appEngine.close()
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)
    },
  }
}

/**
 * Tests inspect and arrange rows with `engine.query`, as the connecting role. That role is a
 * least-privileged owner (CI never connects to PostgreSQL as a superuser; a test hands a PGlite database
 * to one), which forced row-level security binds like the application role: each such statement runs in a
 * transaction of its own at network scope.
 * Only the tests' `query` changes: the app runs on `appEngine`, so a production path that writes tenant
 * rows without a binding still fails here as it would in production.
 */
function withNetworkScopeQueries(engine: Engine): Engine {
  return {
    ...engine,
    query: <R>(text: string, params?: unknown[]) =>
      engine.ownerTransaction(async (sql) => {
        await sql.query("SELECT set_config('app.network', 'on', true)")
        return sql.query<R>(text, params)
      }),
  }
}
