#!/usr/bin/env node
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { ConfigError, loadConfigFromProcess, type Config } from '../platform/config/index.ts'
import { isAppError } from '../platform/errors/index.ts'
import { createMigrateCommand } from './cli-migrate.ts'
import { createAdminCommand } from './cli-create-admin.ts'
import { createSecretsCommand } from './cli-secrets.ts'
import { serve } from './server.ts'
import { work } from './worker.ts'
import { VERSION } from './version.ts'

/**
 * The `colophon` command. Each command is a small function taking the validated config; errors are
 * printed as one line (`error CODE: message`) with a non-zero exit code, never a stack trace.
 */

const USAGE = `colophon ${VERSION}: multi-site content management

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
  help                     Show this text.

Configuration comes from COLOPHON_* environment variables, DATABASE_URL and COLOPHON_CONFIG (a JSON
file); see docs/configuration.md.
`

const EXIT_CONFIG = 78 // EX_CONFIG from sysexits.h

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean' },
      email: { type: 'string' },
      name: { type: 'string' },
      'site-name': { type: 'string' },
      'password-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  })
  const [command = 'serve', ...rest] = positionals
  if (values.version) return print(VERSION)
  if (values.help || command === 'help') return print(USAGE)

  let config: Config
  let warnings: string[]
  try {
    ;({ config, warnings } = loadConfigFromProcess())
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n')
      return EXIT_CONFIG
    }
    throw err
  }

  switch (command) {
    case 'serve':
      await serve(config, warnings, process.stdout)
      return -1 // keep running until a signal stops the server
    case 'worker':
      await work(config, warnings)
      return -1 // keep running until a signal stops the worker
    case 'migrate':
      return createMigrateCommand(config)({
        status: rest[0] === 'status',
        dryRun: values['dry-run'] ?? false,
      })
    case 'secrets':
      return createSecretsCommand(config)(rest[0])
    case 'create-admin':
      return createAdminCommand(config)({
        email: values.email,
        name: values.name,
        siteName: values['site-name'],
        password: values['password-file']
          ? readFileSync(values['password-file'], 'utf8').replace(/\r?\n$/, '')
          : undefined,
      })
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}`)
      return 64 // EX_USAGE
  }
}

function print(text: string): number {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n')
  return 0
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code
  },
  (err: unknown) => {
    if (isAppError(err)) process.stderr.write(`error ${err.code}: ${err.message}\n`)
    else if (
      err instanceof TypeError &&
      (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
    ) {
      process.stderr.write(`${err.message}\n\n${USAGE}`)
      process.exitCode = 64
      return
    } else process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exitCode = 1
  },
)
