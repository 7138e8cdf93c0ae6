export { openEngine } from './engine.ts'
export type { Engine, EngineKind, OpenEngineOptions, Orm, SqlRunner } from './engine.ts'
export { DbErrors } from './db.errors.ts'
export { isConnectionFailure, sqlStateOf, statementLabel } from './failures.ts'
export {
  appTransaction,
  bindingStatement,
  networkRead,
  networkTransaction,
  withOwnerRole,
  APP_ROLE,
} from './tx.ts'
export type { Tx, TxBinding } from './tx.ts'
export { compileSelect, compileStatement, decodeRows, readStatement, statementCache } from './statements.ts'
export type { CompiledSelect, Statement, StatementRead } from './statements.ts'
export { currentQueryStats, newQueryStats, withQueryStats } from './query-stats.ts'
export type { Plan, QueryStats } from './query-stats.ts'
export { DEFAULT_MIGRATIONS_DIR, checksumOf, readMigrationFiles } from './migrations/migration-files.ts'
export type { MigrationFile } from './migrations/migration-files.ts'
export { META_SCHEMA, applyMigrations, ensureMigrationTable, migrationStatus } from './migrations/runner.ts'
export type { AppliedMigration, ApplyOptions, ApplyResult, MigrationStatus } from './migrations/runner.ts'
export { schema } from './schema/index.ts'
export { newId } from './ids.ts'
export { pageOf } from './page.ts'
export { containsPattern } from './like.ts'
export { rowsOf } from './rows.ts'
export type { Page } from './page.ts'
export { analyzeTables } from './analyze.ts'
export { BUS_CHANNEL, MAX_NOTIFY_BYTES, postgresTransport } from './notify-transport.ts'
export type { BusTransport, PostgresBusOptions } from './notify-transport.ts'
