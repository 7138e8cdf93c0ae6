import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../harness/test-db.ts'

/**
 * The real `colophon` process, as an operator runs it: configuration errors, the start banner and token,
 * the data directory lock, graceful shutdown and the maintenance commands. Runs against PGlite in a
 * temporary data directory, or against a database of its own when DATABASE_URL is set.
 */
const CLI = fileURLToPath(new URL('../../src/app/cli.ts', import.meta.url))

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

function run(
  args: string[],
  { env = {}, input }: { env?: Record<string, string>; input?: string } = {},
): Promise<RunResult> {
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

/** Starts `serve` and resolves once it prints its address. */
function startServer(
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve'], { env: { ...baseEnv(), ...env }, stdio: 'pipe' })
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
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'colophon-cli-'))
  if (process.env.DATABASE_URL) db = await createTestDatabase('empty')
})
afterAll(async () => {
  await db?.destroy()
  rmSync(dataDir, { recursive: true, force: true })
})

// Every case starts real processes, and each opens the database (PGlite's start alone takes seconds, and
// several times that on a loaded machine): the per-test budget is wider here than anywhere else.
describe('colophon CLI', { timeout: 90_000 }, () => {
  it('stops on a bad configuration value with one line naming the key (exit 78)', async () => {
    const result = await run(['serve'], { env: { COLOPHON_PORT: 'abc' } })
    expect(result.code).toBe(78)
    expect(result.stderr).toBe('config: COLOPHON_PORT must be an integer between 0 and 65535; got "abc"\n')
  })

  it('serves, prints the setup token, refuses a second process on the data dir, and shuts down on SIGTERM', async () => {
    const server = await startServer()
    const token = /^ {4}(\S{40,})$/m.exec(server.output())?.[1]
    expect(token).toBeDefined()
    const tokenFile = path.join(dataDir, 'setup-token')
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600)

    const health = await fetch(`${server.url}/health`)
    expect(health.status).toBe(200)
    const setup = (await (await fetch(`${server.url}/api/v1/setup`)).json()) as { state: string }
    expect(setup.state).toBe('configured')

    if (!db) {
      const second = await run(['serve'])
      expect(second.code).toBe(1)
      expect(second.stderr).toMatch(
        /^error COLOPHON_DB_DATA_DIR_LOCKED: The data directory .* is in use by another Colophon process \(pid \d+\)/,
      )
    }

    const exited = exitOf(server.child)
    server.child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(existsSync(path.join(dataDir, 'colophon.lock'))).toBe(false)
  })

  it('reports pending migrations and what a dry run would apply, changing nothing', async () => {
    const before = await run(['migrate', 'status'])
    expect(before.code).toBe(0)
    expect(before.stdout).toMatch(/^pending {2}0000_app-role$/m)

    const dry = await run(['migrate', '--dry-run'])
    expect(dry.stdout).toMatch(/Would apply:\n {2}0000_app-role\n/)
    expect((await run(['migrate', 'status'])).stdout).toMatch(/pending {2}0000_app-role/)
  })

  it('applies the pending migrations from the command line', async () => {
    const applied = await run(['migrate'])
    expect(applied.code).toBe(0)
    expect(applied.stdout).toMatch(/\[1\/\d+\] applied 0000_app-role/)
    const after = await run(['migrate', 'status'])
    expect(after.stdout).toMatch(/^applied {2}0000_app-role/m)
    expect(after.stdout).toContain('Schema is current.')
  })

  it('creates the network admin unattended, completing setup, with the password on stdin', async () => {
    const refused = await run(['create-admin', '--email', 'ops@example.com', '--name', 'Ops'], {
      input: 'short\n',
    })
    expect(refused.code).toBe(64)
    expect(refused.stderr).toMatch(/^create-admin: password /)

    const created = await run(
      ['create-admin', '--email', 'ops@example.com', '--name', 'Ops', '--site-name', 'Field Notes'],
      {
        input: 'a long enough password\n',
      },
    )
    expect(created.stderr).toBe('')
    expect(created.code).toBe(0)
    expect(created.stdout).toMatch(/Setup complete: main site "Field Notes" \(field-notes\)/)

    const again = await run(['create-admin', '--email', 'ops@example.com', '--name', 'Ops'], {
      input: 'a long enough password\n',
    })
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/^error COLOPHON_USERS_EMAIL_TAKEN/)
  })

  it('reports an unreachable PostgreSQL as COLOPHON_DB_UNAVAILABLE, not a stack trace', async () => {
    const result = await run(['migrate', 'status'], {
      env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^error COLOPHON_DB_UNAVAILABLE: Cannot connect to PostgreSQL/)
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1)
  })

  it('prints usage for help and refuses unknown commands', async () => {
    expect((await run(['help'])).stdout).toMatch(/^colophon \d+\.\d+\.\d+/)
    const unknown = await run(['frobnicate'])
    expect(unknown.code).toBe(64)
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/)
  })
})
