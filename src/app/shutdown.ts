import type { FastifyInstance } from 'fastify'
import type { Engine } from '../platform/db/index.ts'

/**
 * Graceful stop on SIGTERM/SIGINT for the long-running commands (`serve`, `worker`): close the app (its
 * onClose hooks stop job workers and flush mail), then the database, then exit. If that takes longer
 * than `timeoutMs`, exit with an error rather than hang.
 */
export function stopOnSignals(options: {
  server: FastifyInstance
  engine: Engine
  timeoutMs: number
  /** Names the process in the log lines ("server", "worker"). */
  what: string
}): void {
  const { server, engine, what } = options
  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    server.log.info({ signal }, `${what} stopping`)
    const timer = setTimeout(() => {
      server.log.error({ timeoutMs: options.timeoutMs }, `${what} stop timed out; exiting`)
      process.exit(1)
    }, options.timeoutMs)
    timer.unref()
    server
      .close()
      .then(() => engine.close())
      .then(() => {
        server.log.info(`${what} stopped`)
        process.exit(0)
      })
      .catch((err: unknown) => {
        server.log.error({ err }, `error while stopping the ${what}`)
        process.exit(1)
      })
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
}
