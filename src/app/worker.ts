import type { Config } from '../platform/config/index.ts'
import { openEngine } from '../platform/db/index.ts'
import { openKeyring } from '../platform/security/index.ts'
import { buildApp } from './build-app.ts'
import { stopOnSignals } from './shutdown.ts'
import { startWarnings } from './start-checks.ts'

/**
 * `colophon worker`: works the job queues without serving HTTP. It builds the same app as `serve`, so it
 * knows the same job definitions, and stops gracefully on SIGTERM/SIGINT: running handlers get
 * `shutdownTimeoutMs` to finish, then their jobs are released for another worker to retry.
 */
export async function work(config: Config, warnings: readonly string[]): Promise<void> {
  // Before the database: production without an encryption key stops here, naming the setting.
  const keyring = openKeyring(config)
  const engine = await openEngine({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.dbPoolMax,
  })
  let app
  try {
    app = await buildApp({ config, engine, keyring })
    await app.server.ready()
    await app.jobs.start({ work: true })
  } catch (err) {
    await app?.server.close().catch(() => undefined)
    await engine.close()
    throw err
  }
  const { server } = app
  for (const warning of [...warnings, ...startWarnings(config, { serving: false })]) server.log.warn(warning)
  server.log.info({ engine: engine.kind, queues: app.jobs.queues }, 'colophon worker started')

  // Closing the app stops the job workers first (its onClose hook); running handlers get the shutdown
  // timeout, plus a margin for pg-boss to release what is left.
  stopOnSignals({ server, engine, timeoutMs: config.shutdownTimeoutMs + 5000, what: 'worker' })
}
