import type { Config } from '../platform/config/index.ts'
import { migrationStatus, openEngine, readMigrationFiles } from '../platform/db/index.ts'
import { createSetupService, tokenFileIn } from '../modules/setup/index.ts'

/** `colophon migrate [status] [--dry-run]`. Whoever runs it controls the installation: no credentials. */
export function createMigrateCommand(config: Config, out: NodeJS.WritableStream = process.stdout) {
  return async ({ status, dryRun }: { status: boolean; dryRun: boolean }): Promise<number> => {
    const engine = await openEngine({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: 2 })
    try {
      const migrations = readMigrationFiles()
      if (status) {
        const s = await migrationStatus(engine, migrations)
        for (const m of s.applied) {
          const note = s.mismatched.some((x) => x.id === m.id)
            ? '  EDITED SINCE APPLIED'
            : s.unknown.includes(m.id)
              ? '  UNKNOWN TO THIS VERSION'
              : ''
          out.write(`applied  ${m.id}  ${m.appliedAt.toISOString()}  ${m.durationMs} ms${note}\n`)
        }
        for (const m of s.pending) out.write(`pending  ${m.id}\n`)
        out.write(
          s.current ? 'Schema is current.\n' : `Schema is not current: ${s.pending.length} pending.\n`,
        )
        return s.mismatched.length > 0 || s.unknown.length > 0 ? 1 : 0
      }
      const setup = createSetupService({ engine, migrations, tokenFile: tokenFileIn(config.dataDir) })
      const started = Date.now()
      const total = migrations.length
      const result = await setup.migrate({ dryRun })
      if (dryRun) {
        out.write(
          result.applied.length === 0
            ? 'Nothing to apply.\n'
            : `Would apply:\n${result.applied.map((id) => `  ${id}\n`).join('')}`,
        )
      } else {
        result.applied.forEach((id, i) => out.write(`[${i + 1}/${result.applied.length}] applied ${id}\n`))
        out.write(
          result.applied.length === 0
            ? `Nothing to apply (${total} migrations, all applied).\n`
            : `Done in ${Date.now() - started} ms.\n`,
        )
      }
      return 0
    } finally {
      await engine.close()
    }
  }
}
