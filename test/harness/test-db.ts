import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { inject } from 'vitest'
import { openEngine, type Engine } from '../../src/platform/db/index.ts'
import { adminQuery, quoteIdent, urlForDatabase } from './pg-admin.ts'

export type DatabaseState = 'empty' | 'migrated'

export interface TestDatabase {
  engine: Engine
  /** PostgreSQL only: the URL of this test's database (for spawning a server process against it). */
  url?: string
  /** Closes the engine and drops the database. */
  destroy(): Promise<void>
}

/**
 * A database of its own for one test: a copy of the empty or the migrated template. On PGlite it lives
 * in memory; on PostgreSQL it is a new database, dropped by `destroy()`.
 */
export async function createTestDatabase(state: DatabaseState = 'migrated'): Promise<TestDatabase> {
  const harness = inject('harness')
  const template = state === 'empty' ? harness.emptyTemplate : harness.migratedTemplate
  if (harness.engine === 'pglite') {
    const engine = await openEngine({
      dataDir: tmpdir(),
      pgliteLoadDataDir: new Blob([await readFile(template)]),
    })
    return { engine, destroy: () => engine.close() }
  }
  const adminUrl = harness.adminUrl as string
  const name = `colophon_t_${process.pid}_${randomBytes(6).toString('hex')}`
  await adminQuery(adminUrl, `CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`)
  const url = urlForDatabase(adminUrl, name)
  const engine = await openEngine({ databaseUrl: url, dataDir: tmpdir(), poolMax: 4 })
  return {
    engine,
    url,
    async destroy() {
      await engine.close()
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)
    },
  }
}
