import { getTableName } from 'drizzle-orm'
import type { Engine } from './engine.ts'
import { schema } from './schema/index.ts'

/**
 * Planner statistics after a bulk change. PostgreSQL's autovacuum refreshes them once enough rows
 * changed, but only on its own schedule (and never on a server where it is off, or on PGlite, which runs
 * no background workers): until then a plan may be made for a table ten times smaller or larger than it
 * is, and a list that should read one index range reads every row. Work that inserts or deletes in bulk
 * (purging a site, an import) calls this when it is done.
 *
 * `ANALYZE` needs the table's owner (the application role is not), so it runs on the engine's owner
 * connection, outside any application transaction. It samples a bounded number of rows per table, so its
 * cost does not grow with the table.
 */

const TABLES: ReadonlySet<string> = new Set(Object.values(schema).map((table) => getTableName(table)))

/** ANALYZEs the given tables of the application schema (default: all of them). */
export async function analyzeTables(engine: Engine, tables: readonly string[] = [...TABLES]): Promise<void> {
  const unknown = tables.filter((t) => !TABLES.has(t))
  // Names reach the SQL text, so only the schema's own are accepted (a programming error otherwise).
  if (unknown.length > 0) throw new TypeError(`analyzeTables: not application tables: ${unknown.join(', ')}`)
  if (tables.length === 0) return
  await engine.query(`ANALYZE ${[...new Set(tables)].map((t) => `"${t}"`).join(', ')}`)
}
