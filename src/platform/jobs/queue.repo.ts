import { AsyncLocalStorage } from 'node:async_hooks'
import { sql } from 'drizzle-orm'
import { fromDrizzle, fromPglite, type Db, type DrizzleTransactionLike } from 'pg-boss'
import { withOwnerRole, type Engine, type Tx } from '../db/index.ts'

/**
 * How pg-boss reaches our database. pg-boss keeps its queue in its own schema, owned by the owner role
 * (the role the engine connects as); the application role has no rights there.
 */

/** pg-boss statements issued inside `withQueueStatements` go through that transaction. */
const current = new AsyncLocalStorage<Db>()

/**
 * pg-boss's connection: the engine's own PGlite instance or `pg` pool. On PGlite a statement sent to the
 * instance while one of our transactions is open on the same async path would wait for that transaction
 * forever (one connection), so statements pg-boss issues from inside `withQueueStatements` (its queue
 * cache lookups included) are routed into the open transaction instead.
 */
export function queueDatabaseFor(engine: Engine): Db {
  const raw = engine.rawClient
  const base: Db =
    raw.kind === 'pglite'
      ? fromPglite(raw.client)
      : {
          // The pool's answer as pg-boss's own pool-backed driver returns it (an array of results for
          // its multi-statement scripts, which pg-boss unwraps itself).
          executeSql: (text, values) =>
            raw.pool.query(text, values) as unknown as Promise<{ rows: Record<string, unknown>[] }>,
        }
  return {
    executeSql: (text, values) => (current.getStore() ?? base).executeSql(text, values),
    ...(base.listen ? { listen: base.listen.bind(base) } : {}),
  }
}

/**
 * Runs pg-boss calls inside one of our application transactions, so that a job and its `jobs` row are
 * created (or cancelled, or re-queued) atomically. The role switches back to the owner for pg-boss's
 * statements (SET ROLE NONE: allowed to any session) and returns to the application role after.
 */
export async function withQueueStatements<T>(tx: Tx, fn: (db: Db) => Promise<T>): Promise<T> {
  return withOwnerRole(tx, () => {
    // Drizzle types `execute` loosely (unknown rows); both engines' sessions answer `{ rows }`.
    const db = fromDrizzle(tx as unknown as DrizzleTransactionLike, sql)
    return current.run(db, () => fn(db))
  })
}
