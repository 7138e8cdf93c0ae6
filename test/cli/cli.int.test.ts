import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable, Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/app/cli-run.ts'
import { createTestDatabase, type TestDatabase } from '../harness/test-db.ts'

/**
 * The `colophon` command as an operator runs it: configuration errors, the start banner and token, the data
 * directory lock, graceful shutdown and the maintenance commands. Runs against PGlite in a temporary data
 * directory, or against a database of its own when DATABASE_URL is set.
 *
 * `serve` and the refusals that need no database run as real processes (exit codes, signals, the lock
 * between processes). The commands that open the database run in this process through `runCli`, the
 * function the binary calls: a process of their own would pay Node's start and loading the database
 * drivers each time, seconds on a loaded machine.
 * The cases share one database, in this order: `serve` on an untouched one, then `migrate`, then
 * `create-admin`.
 */
const CLI = fileURLToPath(new URL('../../src/app/cli.ts', import.meta.url))
const onPostgres = Boolean(process.env.DATABASE_URL)

let dataDir: string
let db: TestDatabase | undefined
const baseEnv = (): Record<string, string> => {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    COLOPHON_DATA_DIR: dataDir,
    COLOPHON_PORT: '0',
    COLOPHON_LOG_LEVEL: 'warn',
  }
  if (db?.url) env.DATABASE_URL = db.url
  return env
}

interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

interface RunOptions {
  env?: Record<string, string>
  /** Standard input (create-admin reads the password from it). */
  input?: string
}

/** Runs the real binary in a process of its own. */
function run(args: string[], { env = {}, input }: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...baseEnv(), ...env }, stdio: 'pipe' })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input ?? '')
  })
}

/** Runs the same command in this process, with its own streams and environment. */
async function runHere(args: string[], { env = {}, input }: RunOptions = {}): Promise<RunResult> {
  const stdout = collect()
  const stderr = collect()
  const code = await runCli(args, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: Readable.from([input ?? '']),
    env: { ...baseEnv(), ...env },
  })
  if (typeof code !== 'number') throw new Error(`${args.join(' ')} kept running`)
  return { code, stdout: stdout.text(), stderr: stderr.text() }
}

function collect(): { stream: Writable; text: () => string } {
  let text = ''
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString()
      done()
    },
  })
  return { stream, text: () => text }
}

/** Starts `serve` and resolves once it prints its address. */
function startServer(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve'], { env: baseEnv(), stdio: 'pipe' })
    let out = ''
    const onData = (d: Buffer) => {
      out += d.toString()
      const match = /listening on (http:\/\/[^\s]+) /.exec(out)
      if (match?.[1]) resolve({ child, url: match[1], output: () => out })
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)))
  })
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

const createAdmin = (...more: string[]) => [
  'create-admin',
  '--email',
  'ops@example.com',
  '--name',
  'Ops',
  ...more,
]

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'colophon-cli-'))
  if (onPostgres) db = await createTestDatabase('empty')
})
afterAll(async () => {
  await db?.destroy()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('colophon, stopping with one clear line', () => {
  it('stops on a bad configuration value with one line naming the key (exit 78)', async () => {
    const result = await run(['serve'], { env: { COLOPHON_PORT: 'abc' } })
    expect(result.code).toBe(78)
    expect(result.stderr).toBe('config: COLOPHON_PORT must be an integer between 0 and 65535; got "abc"\n')
  })

  it('prints usage for help', async () => {
    const result = await run(['help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^colophon \d+\.\d+\.\d+/)
  })

  it('refuses unknown commands and options with usage (exit 64)', async () => {
    const unknown = await run(['frobnicate'])
    expect(unknown.code).toBe(64)
    expect(unknown.stderr).toMatch(/^unknown command "frobnicate"\n\ncolophon .*\n\nUsage: colophon /)
    const option = await runHere(['migrate', '--frobnicate'])
    expect(option.code).toBe(64)
    expect(option.stderr).toMatch(/^Unknown option '--frobnicate'/)
  })

  it('reports an unreachable PostgreSQL as COLOPHON_DB_UNAVAILABLE, not a stack trace', async () => {
    const result = await runHere(['migrate', 'status'], {
      env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^error COLOPHON_DB_UNAVAILABLE: Cannot connect to PostgreSQL/)
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1)
  })
})

describe('colophon serve', () => {
  let server: Awaited<ReturnType<typeof startServer>>
  // Its first start on an untouched data directory creates the PGlite cluster: seconds, not a test's.
  beforeAll(async () => {
    server = await startServer()
  })
  afterAll(() => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL')
  })

  it('prints the setup token and keeps it in a file only its user can read', () => {
    const token = /^ {4}(\S{40,})$/m.exec(server.output())?.[1]
    expect(token).toBeDefined()
    expect(statSync(path.join(dataDir, 'setup-token')).mode & 0o777).toBe(0o600)
  })

  it('answers on the printed address, waiting for setup', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200)
    const setup = (await (await fetch(`${server.url}/api/v1/setup`)).json()) as { state: string }
    expect(setup.state).toBe('configured')
  })

  // This test's own process is the second one: the lock is the same for every command, and taking it
  // here spares loading the whole app in yet another process.
  it.skipIf(onPostgres)('refuses a second process on the same data directory', async () => {
    const second = await runHere(['migrate', 'status'])
    expect(second.code).toBe(1)
    expect(second.stderr).toMatch(/^error COLOPHON_DB_DATA_DIR_LOCKED: [^\n]+\n$/)
    expect(second.stderr).toContain(
      `${dataDir} is in use by another Colophon process (pid ${server.child.pid})`,
    )
  })

  it('shuts down on SIGTERM with exit 0, releasing the data directory', async () => {
    const exited = exitOf(server.child)
    server.child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(existsSync(path.join(dataDir, 'colophon.lock'))).toBe(false)
  })
})

describe('colophon migrate', () => {
  describe('before applying', () => {
    let dryRun: RunResult
    beforeAll(async () => {
      dryRun = await runHere(['migrate', '--dry-run'])
    })

    it('lists what a dry run would apply', () => {
      expect(dryRun.code).toBe(0)
      expect(dryRun.stdout).toMatch(/^Would apply:\n {2}0000_app-role\n/)
    })

    it('lists the same migrations as pending after the dry run: it changed nothing', async () => {
      const status = await runHere(['migrate', 'status'])
      expect(status.code).toBe(0)
      expect(status.stdout).toMatch(/^pending {2}0000_app-role$/m)
      expect(status.stdout).toMatch(/^Schema is not current: \d+ pending\.$/m)
    })
  })

  describe('once applied', () => {
    let applied: RunResult
    beforeAll(async () => {
      applied = await runHere(['migrate'])
    })

    it('applies the pending migrations, counting them', () => {
      expect(applied.stderr).toBe('')
      expect(applied.code).toBe(0)
      expect(applied.stdout).toMatch(/^\[1\/\d+\] applied 0000_app-role$/m)
    })

    it('reports each migration applied and the schema current', async () => {
      const status = await runHere(['migrate', 'status'])
      expect(status.code).toBe(0)
      expect(status.stdout).toMatch(/^applied {2}0000_app-role/m)
      expect(status.stdout).not.toMatch(/^pending/m)
      expect(status.stdout).toContain('Schema is current.')
    })
  })
})

describe('colophon create-admin', () => {
  it('refuses a short password before opening the database (exit 64)', async () => {
    const fromStdin = await runHere(createAdmin(), { input: 'short\n' })
    expect(fromStdin.code).toBe(64)
    expect(fromStdin.stderr).toMatch(/^create-admin: password /)

    const file = path.join(dataDir, 'short-password')
    writeFileSync(file, 'short\n')
    const fromFile = await runHere(createAdmin('--password-file', file))
    expect(fromFile.code).toBe(64)
    expect(fromFile.stderr).toMatch(/^create-admin: password /)
  })

  describe('with a password on stdin', () => {
    let created: RunResult
    beforeAll(async () => {
      created = await runHere(createAdmin('--site-name', 'Field Notes'), {
        input: 'a long enough password\n',
      })
    })

    it('creates the network admin unattended, completing setup', () => {
      expect(created.stderr).toBe('')
      expect(created.code).toBe(0)
      expect(created.stdout).toMatch(/^Network admin ops@example\.com created/m)
      expect(created.stdout).toMatch(/Setup complete: main site "Field Notes" \(field-notes\)/)
    })

    it('refuses the same email again with one coded line (exit 1)', async () => {
      const again = await runHere(createAdmin(), { input: 'a long enough password\n' })
      expect(again.code).toBe(1)
      expect(again.stderr).toMatch(/^error COLOPHON_USERS_EMAIL_TAKEN: [^\n]+\n$/)
    })
  })
})
