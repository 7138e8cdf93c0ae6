import type { Config } from '../platform/config/index.ts'
import { openEngine, type Engine } from '../platform/db/index.ts'

/** What a maintenance command prints to and how it opens the database (tests hand in their own). */
export interface CommandDeps {
  out?: NodeJS.WritableStream
  err?: NodeJS.WritableStream
  openDatabase?: () => Promise<Engine>
}

/** The deps with their defaults: the process's streams, and a small pool on the configured database. */
export function commandDeps(config: Config, deps: CommandDeps = {}): Required<CommandDeps> {
  return {
    out: deps.out ?? process.stdout,
    err: deps.err ?? process.stderr,
    openDatabase:
      deps.openDatabase ??
      (() => openEngine({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: 2 })),
  }
}
