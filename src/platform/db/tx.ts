import { sql } from 'drizzle-orm'
import type { Orm } from './engine.ts'
import { boundTransactionRunnerOf } from './bound-tx.ts'
import { BIND_MARKER } from './query-stats.ts'

/** The non-superuser role every application transaction runs as (created by migration 0000). */
export const APP_ROLE = 'colophon_app'

/** A Drizzle transaction handle, as given to repositories. */
export type Tx = Parameters<Parameters<Orm['transaction']>[0]>[0]

/**
 * Who a transaction acts for: row-level security policies read these through `current_setting`.
 * - `siteId`: the site the work is scoped to (requests under `/sites/{site}`, jobs of a site).
 * - `userId`: the acting user, for policies that let a user see their own rows.
 * - `network`: network-scope work (network routes, credential lookups), which may see every site's rows.
 *   Only set after the caller's capability to act network-wide was checked, or for system work.
 */
export interface TxBinding {
  siteId?: string | null
  userId?: string | null
  network?: boolean
}

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

/** Ids are UUIDs (tests use short names): letters, digits, `-` and `_` only, so quoting is enough. */
const ID = /^[A-Za-z0-9_-]{1,100}$/

function idLiteral(value: string | null | undefined, name: string): string {
  if (value === null || value === undefined || value === '') return "''"
  // Inlined rather than sent as a parameter so that the statement can share a round trip with BEGIN;
  // nothing but an id-shaped value ever reaches the text.
  if (!ID.test(value)) throw new TypeError(`${name} must be an id`)
  return `'${value}'`
}

/**
 * The one statement that binds a transaction: the application role and `app.site_id`, `app.user_id`,
 * `app.network`, all transaction-local (`set_config(…, true)`), so a pooled connection never carries them
 * into another request. Marked so that query counts treat it as transaction overhead.
 */
export function bindingStatement(binding: TxBinding): string {
  return (
    `${BIND_MARKER} SELECT set_config('role', '${APP_ROLE}', true), ` +
    `set_config('app.site_id', ${idLiteral(binding.siteId, 'siteId')}, true), ` +
    `set_config('app.user_id', ${idLiteral(binding.userId, 'userId')}, true), ` +
    `set_config('app.network', '${binding.network ? 'on' : 'off'}', true)`
  )
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
