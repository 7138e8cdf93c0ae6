import type { Config } from '../platform/config/index.ts'
import { commandDeps, type CommandDeps } from './cli-deps.ts'
import { migrationStatus, readMigrationFiles } from '../platform/db/index.ts'
import { openKeyring } from '../platform/security/index.ts'
import { resealStoredSecrets } from './secrets.ts'

/**
 * `colophon secrets rotate`: seals every stored secret (2FA secrets, queued mail bodies) under the current
 * encryption key, opening older values with `COLOPHON_ENCRYPTION_PREVIOUS_KEYS`, and legacy clear 2FA
 * secrets too. Safe to run while nodes serve (each value is replaced only if unchanged). Exits 1 when
 * some value no configured key opens: the previous key it names must not be dropped yet.
 */
export function createSecretsCommand(config: Config, deps: CommandDeps = {}) {
  const { out, err, openDatabase } = commandDeps(config, deps)
  return async (action: string | undefined): Promise<number> => {
    if (action !== 'rotate') {
      err.write('usage: colophon secrets rotate\n')
      return 64
    }
    const { box } = openKeyring(config)
    const engine = await openDatabase()
    try {
      const status = await migrationStatus(engine, readMigrationFiles())
      if (!status.current) {
        err.write('secrets rotate: the database schema is not current; run `colophon migrate` first\n')
        return 1
      }
      const silent = { info() {}, warn() {}, error() {} }
      const reports = await resealStoredSecrets({ orm: engine.orm, box, log: silent })
      out.write(`Current key: ${box.currentKeyId}\n`)
      for (const r of reports) {
        const legacy = r.legacy > 0 ? ` (${r.legacy} stored in clear before)` : ''
        const unreadable =
          r.unreadable > 0
            ? `; ${r.unreadable} unreadable (keys ${r.unknownKeyIds.join(', ') || 'unknown'})`
            : ''
        out.write(`${r.column}: ${r.resealed} sealed again${legacy}${unreadable}\n`)
      }
      const stuck = reports.some((r) => r.unreadable > 0)
      if (stuck) out.write('Some values no configured key opens: keep (or restore) their keys.\n')
      else out.write('Every stored secret is under the current key: previous keys may be removed.\n')
      return stuck ? 1 : 0
    } finally {
      await engine.close()
    }
  }
}
