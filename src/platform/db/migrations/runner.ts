import { performance } from 'node:perf_hooks'
import { DbErrors } from '../db.errors.ts'
import type { Engine, SqlRunner } from '../engine.ts'
import type { MigrationFile } from './migration-files.ts'

/**
 * Applies `migrations/*.sql` in order, each in its own transaction, and records it with its checksum in
 * `colophon_meta.schema_migrations`. Bookkeeping lives in its own schema, which the application role
 * cannot reach. Safe to run from several processes at once: each migration takes a transaction-scoped
 * advisory lock and re-checks whether it was applied meanwhile.
 */

export const META_SCHEMA = 'colophon_meta'
const MIGRATION_LOCK_KEY = 7_262_431_017 // arbitrary constant shared by every Colophon process

export interface AppliedMigration {
  id: string
  checksum: string
  appliedAt: Date
  durationMs: number
}

export interface MigrationStatus {
  applied: AppliedMigration[]
  pending: MigrationFile[]
  /** Applied migrations whose file changed since: a landed migration was edited. */
  mismatched: { id: string; applied: string; shipped: string }[]
  /** Applied migrations with no file: the database was migrated by a newer version. */
  unknown: string[]
  /** True when the schema is exactly what this version expects. */
  current: boolean
}

/** Creates the bookkeeping schema and table if needed. Idempotent; serialised by the advisory lock. */
export async function ensureMigrationTable(engine: Engine): Promise<void> {
  await engine.ownerTransaction(async (sql) => {
    await sql.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY])
    await sql.exec(`
      CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA};
      CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.schema_migrations (
        id text PRIMARY KEY,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        duration_ms integer NOT NULL
      );`)
  })
}

async function readApplied(sql: Pick<SqlRunner, 'query'>): Promise<AppliedMigration[]> {
  const [table] = await sql.query<{ exists: boolean }>(
    `SELECT to_regclass('${META_SCHEMA}.schema_migrations') IS NOT NULL AS exists`,
  )
  if (!table?.exists) return []
  const rows = await sql.query<{ id: string; checksum: string; applied_at: Date; duration_ms: number }>(
    `SELECT id, checksum, applied_at, duration_ms FROM ${META_SCHEMA}.schema_migrations ORDER BY id`,
  )
  return rows.map((r) => ({ id: r.id, checksum: r.checksum, appliedAt: r.applied_at, durationMs: r.duration_ms }))
}

/** Reads what is applied and compares it with the shipped files. Read-only: safe for health checks. */
export async function migrationStatus(engine: Engine, files: readonly MigrationFile[]): Promise<MigrationStatus> {
  const applied = await readApplied(engine)
  const appliedById = new Map(applied.map((m) => [m.id, m]))
  const shippedById = new Map(files.map((f) => [f.id, f]))
  const mismatched = applied
    .filter((m) => shippedById.has(m.id) && shippedById.get(m.id)?.checksum !== m.checksum)
    .map((m) => ({ id: m.id, applied: m.checksum, shipped: shippedById.get(m.id)?.checksum ?? '' }))
  const unknown = applied.filter((m) => !shippedById.has(m.id)).map((m) => m.id)
  const pending = files.filter((f) => !appliedById.has(f.id))
  return {
    applied,
    pending,
    mismatched,
    unknown,
    current: pending.length === 0 && mismatched.length === 0 && unknown.length === 0,
  }
}

export interface ApplyOptions {
  /** Report what would run without changing anything. */
  dryRun?: boolean
  onProgress?: (event: { id: string; index: number; total: number; durationMs?: number }) => void
}

export interface ApplyResult {
  applied: string[]
  dryRun: boolean
}

/**
 * Applies every pending migration in order. Refuses to run when an applied migration was edited or
 * when the database is ahead of this version: both mean the code and the schema disagree.
 */
export async function applyMigrations(
  engine: Engine,
  files: readonly MigrationFile[],
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  if (!options.dryRun) await ensureMigrationTable(engine)
  const status = await migrationStatus(engine, files)
  if (status.mismatched.length > 0) {
    throw DbErrors.migrationChecksumMismatch({ details: { migrations: status.mismatched.map((m) => m.id) } })
  }
  if (status.unknown.length > 0) throw DbErrors.migrationUnknown({ details: { migrations: status.unknown } })
  if (options.dryRun) return { applied: status.pending.map((m) => m.id), dryRun: true }

  const applied: string[] = []
  for (const [index, file] of status.pending.entries()) {
    options.onProgress?.({ id: file.id, index, total: status.pending.length })
    const started = performance.now()
    const ran = await engine.ownerTransaction(async (sql) => {
      // A migration may backfill tenant rows for every site. Forced row-level security binds the owner
      // role too; as a member of the application role it passes the same network-scope policy.
      await sql.query(
        "SELECT pg_advisory_xact_lock($1), set_config('app.network', 'on', true)",
        [MIGRATION_LOCK_KEY],
      )
      const done = await sql.query(`SELECT 1 FROM ${META_SCHEMA}.schema_migrations WHERE id = $1`, [file.id])
      if (done.length > 0) return false
      try {
        await sql.exec(file.sql)
      } catch (err) {
        throw DbErrors.migrationFailed({
          message: `Migration ${file.id} failed and was rolled back: ${(err as Error).message}`,
          details: { migration: file.id },
          cause: err,
        })
      }
      await sql.query(
        `INSERT INTO ${META_SCHEMA}.schema_migrations (id, checksum, duration_ms) VALUES ($1, $2, $3)`,
        [file.id, file.checksum, Math.round(performance.now() - started)],
      )
      return true
    })
    const durationMs = Math.round(performance.now() - started)
    if (ran) applied.push(file.id)
    options.onProgress?.({ id: file.id, index, total: status.pending.length, durationMs })
  }
  return { applied, dryRun: false }
}
