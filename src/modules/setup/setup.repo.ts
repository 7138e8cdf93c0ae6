import { sql } from 'drizzle-orm'
import { META_SCHEMA, rowsOf, type Engine, type Tx } from '../../platform/db/index.ts'
import type { SetupState } from './setup.schema.ts'

/**
 * The setup state is one row in `colophon_meta.setup_state`, outside the application schema: it must
 * exist before the first migration runs, and the application role cannot reach it. No row means
 * `not_configured`.
 */
export interface SetupRecord {
  state: Exclude<SetupState, 'not_configured'>
  tokenHash: string | null
}

const TABLE = `${META_SCHEMA}.setup_state`
const SETUP_LOCK_KEY = 7_262_431_018

export async function ensureSetupTable(engine: Engine): Promise<void> {
  await engine.ownerTransaction(async (q) => {
    await q.query('SELECT pg_advisory_xact_lock($1)', [SETUP_LOCK_KEY])
    await q.exec(`
      CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA};
      CREATE TABLE IF NOT EXISTS ${TABLE} (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        state text NOT NULL CHECK (state IN ('configured', 'migrated', 'ready')),
        token_hash text,
        configured_at timestamptz NOT NULL DEFAULT now(),
        migrated_at timestamptz,
        ready_at timestamptz
      );`)
  })
}

export async function readSetupRecord(engine: Engine): Promise<SetupRecord | null> {
  const [exists] = await engine.query<{ ok: boolean }>(`SELECT to_regclass('${TABLE}') IS NOT NULL AS ok`)
  if (!exists?.ok) return null
  const [row] = await engine.query<{ state: SetupRecord['state']; token_hash: string | null }>(
    `SELECT state, token_hash FROM ${TABLE} WHERE id`,
  )
  return row ? { state: row.state, tokenHash: row.token_hash } : null
}

/** not_configured → configured. Keeps an existing row (a concurrent node may have created it). */
export async function markConfigured(engine: Engine, tokenHash: string | null): Promise<void> {
  await engine.query(
    `INSERT INTO ${TABLE} (state, token_hash) VALUES ('configured', $1) ON CONFLICT (id) DO NOTHING`,
    [tokenHash],
  )
}

/** Replaces the token hash while setup is not complete; a completed setup keeps no token. */
export async function replaceTokenHash(engine: Engine, tokenHash: string): Promise<void> {
  await engine.query(`UPDATE ${TABLE} SET token_hash = $1 WHERE id AND state <> 'ready'`, [tokenHash])
}

/** configured → migrated (no-op in any later state). */
export async function markMigrated(engine: Engine): Promise<void> {
  await engine.query(
    `UPDATE ${TABLE} SET state = 'migrated', migrated_at = now() WHERE id AND state = 'configured'`,
  )
}

/** Locks the row for the final step and returns its state, inside the caller's transaction. */
export async function lockSetupState(tx: Tx): Promise<SetupRecord['state'] | null> {
  const result = await tx.execute(sql.raw(`SELECT state FROM ${TABLE} WHERE id FOR UPDATE`))
  return rowsOf<{ state: SetupRecord['state'] }>(result)[0]?.state ?? null
}

/** migrated → ready, forgetting the token, inside the caller's transaction. */
export async function markReady(tx: Tx): Promise<void> {
  await tx.execute(
    sql.raw(`UPDATE ${TABLE} SET state = 'ready', token_hash = NULL, ready_at = now() WHERE id`),
  )
}
