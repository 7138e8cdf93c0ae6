import { BIND_MARKER } from './query-stats.ts'

/** The non-superuser role every application transaction runs as (created by migration 0000). */
export const APP_ROLE = 'colophon_app'

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

/** Ids are UUIDs (tests use short names): letters, digits, `-` and `_` only, so quoting is enough. */
const ID = /^[A-Za-z0-9_-]{1,100}$/

/** An id as bound (empty when absent); anything not id-shaped is refused. */
function checkedId(value: string | null | undefined, name: string): string {
  if (value === null || value === undefined || value === '') return ''
  if (!ID.test(value)) throw new TypeError(`${name} must be an id`)
  return value
}

// Inlined rather than sent as a parameter so that the statement can share a simple-protocol round trip
// with BEGIN; nothing but an id-shaped value ever reaches the text.
const idLiteral = (value: string | null | undefined, name: string): string => `'${checkedId(value, name)}'`

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
 * The same binding as a parameterised statement (`$1` site, `$2` user, `$3` `on`/`off`), for reads that
 * send it in one pipeline with their statement (engine.ts): prepared once per connection like any other.
 */
export const BINDING_TEXT =
  `${BIND_MARKER} SELECT set_config('role', '${APP_ROLE}', true), set_config('app.site_id', $1, true), ` +
  `set_config('app.user_id', $2, true), set_config('app.network', $3, true)`

/** The values of `BINDING_TEXT`, held to the same id rule as the inlined form. */
export function bindingValues(binding: TxBinding): [string, string, string] {
  return [
    checkedId(binding.siteId, 'siteId'),
    checkedId(binding.userId, 'userId'),
    binding.network ? 'on' : 'off',
  ]
}
