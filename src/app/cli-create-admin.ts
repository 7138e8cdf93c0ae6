import Value from 'typebox/value'
import type { Config } from '../platform/config/index.ts'
import { openEngine, readMigrationFiles } from '../platform/db/index.ts'
import { CompleteSetupBodySchema, createSetupService, tokenFileIn } from '../modules/setup/index.ts'

export interface CreateAdminArgs {
  email?: string | undefined
  name?: string | undefined
  siteName?: string | undefined
  password?: string | undefined
}

/** Standard input, or any stream in its place (tests): a terminal only when it says so. */
export type PasswordSource = NodeJS.ReadableStream & {
  isTTY?: boolean
  setRawMode?: (raw: boolean) => unknown
}

/** Where create-admin reports to and reads the password from: the process's own streams by default. */
export interface CreateAdminIo {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  stdin: PasswordSource
}

/** Reads a password: hidden when typed at a terminal, one line when piped. */
async function readPassword({ stdin, stderr }: CreateAdminIo): Promise<string> {
  if (!stdin.isTTY || !stdin.setRawMode) {
    const chunks: Buffer[] = []
    for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer | string))
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? ''
  }
  stderr.write('Password: ')
  stdin.setRawMode(true)
  stdin.resume()
  let password = ''
  try {
    for await (const chunk of stdin) {
      for (const ch of (chunk as Buffer).toString('utf8')) {
        if (ch === '\r' || ch === '\n') return password
        if (ch === '\u0003') throw new Error('cancelled')
        password = ch === '\u007f' ? password.slice(0, -1) : password + ch
      }
    }
    return password
  } finally {
    stdin.setRawMode(false)
    stdin.pause()
    stderr.write('\n')
  }
}

/**
 * `colophon create-admin`: unattended installation (no setup token: shell access already controls the
 * install). Before setup it runs the whole setup; afterwards it adds another network admin.
 */
export function createAdminCommand(
  config: Config,
  io: CreateAdminIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
) {
  return async (args: CreateAdminArgs): Promise<number> => {
    const password = args.password ?? (await readPassword(io))
    const input = {
      admin: { email: args.email ?? '', name: args.name ?? '', password },
      site: { name: args.siteName ?? 'Main site' },
    }
    const schema = CompleteSetupBodySchema.properties
    for (const [part, value] of [
      ['admin', input.admin],
      ['site', input.site],
    ] as const) {
      const error = [...Value.Errors(schema[part], value)][0]
      if (error) {
        const field = error.instancePath.slice(1) || 'input'
        const flag = part === 'site' ? '--site-name' : field === 'password' ? 'password' : `--${field}`
        io.stderr.write(`create-admin: ${flag} ${error.message}\n`)
        return 64
      }
    }
    const engine = await openEngine({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: 2 })
    try {
      const setup = createSetupService({
        engine,
        migrations: readMigrationFiles(),
        tokenFile: tokenFileIn(config.dataDir),
      })
      const result = await setup.createAdminUnattended(input)
      io.stdout.write(`Network admin ${result.admin.email} created (id ${result.admin.id}).\n`)
      if (result.site)
        io.stdout.write(`Setup complete: main site "${result.site.name}" (${result.site.slug}).\n`)
      return 0
    } finally {
      await engine.close()
    }
  }
}
