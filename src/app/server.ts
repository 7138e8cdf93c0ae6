import type { Config } from '../platform/config/index.ts'
import { openEngine } from '../platform/db/index.ts'
import { openKeyring } from '../platform/security/index.ts'
import { stopOnSignals } from './shutdown.ts'
import { buildApp } from './build-app.ts'
import { startWarnings } from './start-checks.ts'

/**
 * `colophon serve`: opens the database, issues the setup token while setup is incomplete, listens, and
 * shuts down gracefully on SIGTERM/SIGINT (stop accepting, finish in-flight requests, close the
 * database) within `shutdownTimeoutMs`.
 */

export async function serve(
  config: Config,
  warnings: readonly string[],
  out: NodeJS.WritableStream,
): Promise<void> {
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
  } catch (err) {
    await engine.close()
    throw err
  }
  const { server, setup } = app
  for (const warning of warnings) server.log.warn(warning)
  const loud = startWarnings(config, { serving: true })
  for (const warning of loud) server.log.warn(warning)
  if (keyring.file) server.log.info({ file: keyring.file }, 'secrets encrypted with the development key')

  // Jobs are always sent from here; worked here too on PGlite (one process owns its data directory) or
  // when configured, otherwise by `colophon worker` processes.
  const workJobs =
    config.jobsInProcess === 'on' || (config.jobsInProcess === 'auto' && engine.kind === 'pglite')
  await app.jobs.start({ work: workJobs })

  const issued = await setup.prepareAtStart()
  const state = await setup.systemState()
  const address = await server.listen({ host: config.host, port: config.port })
  server.log.info(
    { engine: engine.kind, setup: state.setup, schemaCurrent: state.schema.current },
    'colophon started',
  )

  const lines = [``, `Colophon is listening on ${address} (database: ${engine.kind}).`]
  if (issued) {
    lines.push(
      `Setup is not complete. Finish it with this one-time setup token:`,
      ``,
      `    ${issued.token}`,
      ``,
      `(also in ${setup.tokenFilePath}, readable only by this user). For example:`,
      `    curl -X POST ${address}/api/v1/setup -H 'content-type: application/json' \\`,
      `      -d '{"token":"…","admin":{"email":"you@example.com","password":"…","name":"You"},"site":{"name":"My site"}}'`,
      `API reference: ${address}/api/docs`,
    )
  } else if (!state.schema.current) {
    lines.push(
      `Database update required: ${state.schema.pending} migration(s) pending.`,
      `Apply with \`npm run colophon -- migrate\` or POST ${address}/api/v1/setup/migrations.`,
    )
  } else {
    lines.push(`Ready. API reference: ${address}/api/docs`)
  }
  for (const warning of loud) lines.push(``, `WARNING: ${warning}`)
  out.write(lines.join('\n') + '\n\n')

  // Purging deleted sites and resealing secrets: queued once now, then hourly on the jobs clock.
  if (state.setup === 'ready' && state.schema.current) await app.queueMaintenance()

  stopOnSignals({
    server,
    engine,
    timeoutMs: config.shutdownTimeoutMs,
    what: 'server',
  })
}
