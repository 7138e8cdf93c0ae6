import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { Config } from '../platform/config/index.ts'
import type { PasswordSource } from './cli-create-admin.ts'
import { VERSION } from './version.ts'

/**
 * The `colophon` command as a function: `cli.ts` runs it for the binary with the process's own streams and
 * environment, tests run it in-process. Each command's code is imported only when that command runs, so
 * `help`, a usage error or a bad setting answers without loading the application, its database drivers
 * and PGlite (about two seconds of start-up). Errors are printed as one line (`error CODE: message`) with a
 * non-zero exit code, never a stack trace.
 */

export interface CliIo {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  /** Where create-admin reads the password from when no `--password-file` is given. */
  stdin: PasswordSource
  /** The environment the configuration is read from (replacing, not added to, the process's own). */
  env?: Readonly<Record<string, string | undefined>>
}

/** Returned for `serve` and `worker`, which keep running until a signal stops them. */
export const RUNNING = 'running'

/** An exit code (0, 1, 64 for a usage error, 78 for a bad setting), or RUNNING. */
export type CliResult = number | typeof RUNNING

/** From sysexits.h, as operators' scripts and service managers read them. */
const EXIT_FAILURE = 1
const EXIT_USAGE = 64
const EXIT_CONFIG = 78

export const USAGE = `colophon ${VERSION}: multi-site content management

Usage: colophon <command> [options]

Commands:
  serve                    Start the HTTP server (default). Prints the setup token until setup is done.
  worker                   Work the job queues without serving HTTP (run several on PostgreSQL).
  migrate                  Apply pending database migrations.
  migrate status           List applied and pending migrations.
  migrate --dry-run        List what would be applied, change nothing.
  create-admin             Create a network admin without the setup token (completes setup if needed).
      --email <email> --name <name> [--site-name <name>] [--password-file <file>]
      The password is read from --password-file, else from standard input.
  secrets rotate           Encrypt every stored secret with the current key (after changing
                           COLOPHON_ENCRYPTION_KEY; see docs/operations.md).
  media move               Move a site's media to the other storage provider (see docs/operations.md).
      --site <id or slug> --to <local|s3> [--keep-source]
      Copies, switches the site, then deletes from the old provider unless --keep-source. Run it again
      after an interruption: objects already copied are skipped.
  help                     Show this text.

Configuration comes from COLOPHON_* environment variables, DATABASE_URL and COLOPHON_CONFIG (a JSON
file); see docs/configuration.md.
`

function parseCliArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean' },
      email: { type: 'string' },
      name: { type: 'string' },
      'site-name': { type: 'string' },
      'password-file': { type: 'string' },
      site: { type: 'string' },
      to: { type: 'string' },
      'keep-source': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  })
}

interface CommandInput {
  config: Config
  /** Unknown `COLOPHON_*` variables, logged by the long-running commands. */
  warnings: readonly string[]
  /** Positionals after the command's name (`status` in `migrate status`). */
  rest: string[]
  options: ReturnType<typeof parseCliArgs>['values']
  io: CliIo
}

const COMMANDS = new Map<string, (input: CommandInput) => Promise<CliResult>>([
  [
    'serve',
    async ({ config, warnings, io }) => {
      const { serve } = await import('./server.ts')
      await serve(config, warnings, io.stdout)
      return RUNNING
    },
  ],
  [
    'worker',
    async ({ config, warnings }) => {
      const { work } = await import('./worker.ts')
      await work(config, warnings)
      return RUNNING
    },
  ],
  [
    'migrate',
    async ({ config, rest, options, io }) => {
      const { createMigrateCommand } = await import('./cli-migrate.ts')
      return createMigrateCommand(
        config,
        io.stdout,
      )({
        status: rest[0] === 'status',
        dryRun: options['dry-run'] ?? false,
      })
    },
  ],
  [
    'secrets',
    async ({ config, rest, io }) => {
      const { createSecretsCommand } = await import('./cli-secrets.ts')
      return createSecretsCommand(config, { out: io.stdout, err: io.stderr })(rest[0])
    },
  ],
  [
    'media',
    async ({ config, rest, options, io }) => {
      const { createMediaCommand } = await import('./cli-media.ts')
      return createMediaCommand(config, { out: io.stdout, err: io.stderr })({
        action: rest[0],
        site: options.site,
        to: options.to,
        keepSource: options['keep-source'],
      })
    },
  ],
  [
    'create-admin',
    async ({ config, options, io }) => {
      const { createAdminCommand } = await import('./cli-create-admin.ts')
      const passwordFile = options['password-file']
      return createAdminCommand(
        config,
        io,
      )({
        email: options.email,
        name: options.name,
        siteName: options['site-name'],
        password: passwordFile ? readFileSync(passwordFile, 'utf8').replace(/\r?\n$/, '') : undefined,
      })
    },
  ],
])

/** Runs one `colophon` command and returns its exit code; never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<CliResult> {
  try {
    return await dispatch(argv, io)
  } catch (err) {
    return reportFailure(err, io)
  }
}

async function dispatch(argv: string[], io: CliIo): Promise<CliResult> {
  const { values, positionals } = parseCliArgs(argv)
  const [name = 'serve', ...rest] = positionals
  if (values.version) return print(io, VERSION)
  if (values.help || name === 'help') return print(io, USAGE)
  const command = COMMANDS.get(name)
  if (!command) {
    io.stderr.write(`unknown command "${name}"\n\n${USAGE}`)
    return EXIT_USAGE
  }

  const { ConfigError, loadConfig, loadConfigFromProcess } = await import('../platform/config/index.ts')
  let loaded
  try {
    loaded = io.env ? loadConfig({ env: io.env, cwd: process.cwd() }) : loadConfigFromProcess()
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    io.stderr.write(err.message + '\n')
    return EXIT_CONFIG
  }
  return command({ config: loaded.config, warnings: loaded.warnings, rest, options: values, io })
}

async function reportFailure(err: unknown, io: CliIo): Promise<number> {
  if (err instanceof TypeError && (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    io.stderr.write(`${err.message}\n\n${USAGE}`)
    return EXIT_USAGE
  }
  const { isAppError } = await import('../platform/errors/index.ts')
  if (isAppError(err)) io.stderr.write(`error ${err.code}: ${err.message}\n`)
  else io.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  return EXIT_FAILURE
}

function print(io: CliIo, text: string): number {
  io.stdout.write(text.endsWith('\n') ? text : text + '\n')
  return 0
}
