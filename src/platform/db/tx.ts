import { sql } from 'drizzle-orm'
import type { Orm } from './engine.ts'
import { boundTransactionRunnerOf } from './bound-tx.ts'
import { APP_ROLE, bindingStatement, type TxBinding } from './binding.ts'
import { readStatement, type Statement } from './statements.ts'

export { APP_ROLE, bindingStatement } from './binding.ts'
export type { TxBinding } from './binding.ts'

/** A Drizzle transaction handle, as given to repositories. */
export type Tx = Parameters<Parameters<Orm['transaction']>[0]>[0]

/**
 * Runs `fn` in a transaction as the application role, with `app.site_id`, `app.user_id` and `app.network`
 * bound for row-level security. One statement sets them all, transaction-local (`set_config(…, true)`), so
 * a pooled connection never carries them into another request.
 */
export function appTransaction<T>(orm: Orm, binding: TxBinding, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const runBound = boundTransactionRunnerOf(orm)
  if (runBound) return runBound(bindingStatement(binding), fn as (tx: never) => Promise<T>)
  return orm.transaction(async (tx) => {
    await tx.execute(sql.raw(bindingStatement(binding)))
    return fn(tx)
  })
}

/**
 * The one named way to leave the tenant scope: runs `fn` in an application transaction bound to network
 * scope (`app.network = on`, no site, no user), where row-level security lets it see every site's rows.
 * Legitimate only for work that has no site yet or spans all of them, and runs either after a network
 * capability check or before anyone is identified: resolving a request's site or host, credential lookups,
 * installation, and the job machinery's own bookkeeping. Site work goes through `ctx.tx` instead.
 *
 * `reason` says why this call may see every site (`'credential lookup'`); it is not stored, it is there so
 * that every use reads as a decision and `grep networkTransaction(` lists them all for review. Passing
 * `{ network: true }` to `appTransaction` directly is refused by ESLint outside `platform/db` and `Ctx`.
 */
export function networkTransaction<T>(orm: Orm, reason: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (reason.trim() === '') throw new TypeError('networkTransaction needs a reason')
  return appTransaction(orm, { network: true }, fn)
}

/**
 * `networkTransaction` for one compiled read (`compileStatement`, `compileSelect`): bound to network scope
 * the same way, and on PostgreSQL sent with its binding in one round trip (ADR 0015). The same rules of
 * use apply: `reason` says why this read may see every site.
 */
export function networkRead(
  orm: Orm,
  reason: string,
  statement: Statement,
  values: Readonly<Record<string, unknown>>,
): Promise<unknown[][]> {
  if (reason.trim() === '') throw new TypeError('networkRead needs a reason')
  return readStatement(orm, { network: true }, statement, values)
}

/**
 * Inside an application transaction, runs `fn` as the connecting (owner) role, then returns to the
 * application role. For the few statements on tables the application role cannot reach (the setup state,
 * pg-boss's queue); the transaction's bindings stay set. `SET ROLE NONE` is allowed to any session.
 * Row-level security still binds the owner where a table forces it, so tenant rows are never written here.
 */
export async function withOwnerRole<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
  await tx.execute(sql`SELECT set_config('role', 'none', true)`)
  const result = await fn()
  await tx.execute(sql.raw(`SELECT set_config('role', '${APP_ROLE}', true)`))
  return result
}
