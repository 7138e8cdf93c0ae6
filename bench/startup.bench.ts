/**
 * Start-up benchmark: spawns the production start (`npm start`'s command) and reports the milliseconds from
 * spawn to the first `200` on `/health`, then the node process's resident memory (VmRSS) after 3 seconds
 * idle. Each engine is installed by a first, unmeasured start (setup through the API), so the measured
 * starts open a ready installation, as a restart in production does.
 *
 *   npm run bench:startup                              # PGlite, in a temporary data directory
 *   DATABASE_URL=postgres://… npm run bench:startup    # also PostgreSQL: a fresh database on that server
 *   BENCH_STARTUP_DATABASE=given                       # …or DATABASE_URL's own database, as it is
 *   BENCH_RUNS=3                                       # measured starts per engine (median, min, max)
 *   BENCH_STARTUP_FROM=source                          # start src/app/cli.ts directly (type stripping)
 *
 * Linux only (reads /proc/<pid>/status).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { generateKeyText } from '../src/platform/security/index.ts'
import { adminQuery, quoteIdent, urlForDatabase } from '../test/harness/pg-admin.ts'
import { BENCH_ADMIN } from './bench-lib.ts'

const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const IDLE_MS = 3_000
const START_TIMEOUT_MS = 60_000
const FROM_SOURCE = process.env.BENCH_STARTUP_FROM === 'source'
const ROOT = path.resolve(import.meta.dirname, '..')
const SETUP_TOKEN = 'bench-startup-setup-token-0123456789' // secret-scan: allow (a throwaway install)
/** The targets: start to `/health` and idle RSS. */
const TARGETS = { pglite: { ms: 3_000, mb: 300 }, postgres: { ms: 1_500, mb: 150 } } as const

type EngineName = keyof typeof TARGETS

interface Install {
  engine: EngineName
  env: Record<string, string>
  destroy(): Promise<void>
}

interface Sample {
  ms: number
  /** CPU time at the first 200: steadier than wall time on a shared machine. */
  cpuMs: number
  rssMb: number
}

/**
 * The arguments `npm start` gives node, read from package.json, so the bench measures exactly that command
 * (without npm's own start-up); with BENCH_STARTUP_FROM=source, the command it ran before the build.
 */
function startArgs(): string[] {
  if (FROM_SOURCE) return ['--max-semi-space-size=16', 'src/app/cli.ts', 'serve']
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>
  }
  const [program, ...args] = (manifest.scripts.start ?? '').split(/\s+/)
  if (program !== 'node') throw new Error(`npm start does not run node: ${manifest.scripts.start}`)
  return args
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

function vmRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)
  if (!line?.[1]) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(line[1]) / 1024
}

/** User and system CPU time the process has used, in ms (assumes the usual 100 clock ticks a second). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) * 10
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Started {
  child: ChildProcess
  base: string
  ms: number
  cpuMs: number
  stop(): Promise<void>
}

/** Spawns the start command and waits for `/health`; the time runs from just before the spawn. */
async function start(install: Install): Promise<Started> {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const started = performance.now()
  const child = spawn(process.execPath, startArgs(), {
    cwd: ROOT,
    env: { ...process.env, ...install.env, COLOPHON_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${stderr}`)
    if (performance.now() - started > START_TIMEOUT_MS) {
      await stop()
      throw new Error(`no /health within ${START_TIMEOUT_MS} ms:\n${stderr}`)
    }
    const ok = await fetch(`${base}/health`, { signal: AbortSignal.timeout(1_000) })
      .then(async (res) => (await res.text(), res.status === 200))
      .catch(() => false)
    if (ok) return { child, base, ms: performance.now() - started, cpuMs: cpuMs(child.pid as number), stop }
    await sleep(20)
  }
}

/** The first start: installs through the API unless the database already holds a ready installation. */
async function install(target: Install): Promise<number> {
  const server = await start(target)
  try {
    const status = (await (await fetch(`${server.base}/api/v1/setup`)).json()) as { state: string }
    if (status.state !== 'ready') {
      const res = await fetch(`${server.base}/api/v1/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: SETUP_TOKEN, admin: BENCH_ADMIN, site: { name: 'Bench' } }),
      })
      if (res.status !== 201) throw new Error(`setup answered ${res.status}: ${await res.text()}`)
    }
    return server.ms
  } finally {
    await server.stop()
  }
}

async function measure(target: Install): Promise<Sample> {
  const server = await start(target)
  try {
    await sleep(IDLE_MS)
    return { ms: server.ms, cpuMs: server.cpuMs, rssMb: vmRssMb(server.child.pid as number) }
  } finally {
    await server.stop()
  }
}

function commonEnv(dataDir: string): Record<string, string> {
  return {
    COLOPHON_ENV: 'production',
    COLOPHON_LOG_LEVEL: 'warn',
    COLOPHON_DATA_DIR: dataDir,
    COLOPHON_SETUP_TOKEN: SETUP_TOKEN,
    COLOPHON_ENCRYPTION_KEY: generateKeyText(),
    COLOPHON_METRICS_TOKEN: 'bench-startup-metrics-token',
  }
}

function pgliteInstall(): Install {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'colophon-startup-'))
  return {
    engine: 'pglite',
    env: { ...commonEnv(dataDir), DATABASE_URL: '' },
    destroy: async () => rmSync(dataDir, { recursive: true, force: true }),
  }
}

/** A fresh database next to DATABASE_URL's (dropped afterwards), or that database itself when asked. */
async function postgresInstall(adminUrl: string): Promise<Install> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'colophon-startup-'))
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true })
  if (process.env.BENCH_STARTUP_DATABASE === 'given') {
    return {
      engine: 'postgres',
      env: { ...commonEnv(dataDir), DATABASE_URL: adminUrl },
      destroy: async () => removeDataDir(),
    }
  }
  const name = `colophon_startup_${process.pid}`
  await adminQuery(adminUrl, `CREATE DATABASE ${quoteIdent(name)}`)
  return {
    engine: 'postgres',
    env: { ...commonEnv(dataDir), DATABASE_URL: urlForDatabase(adminUrl, name) },
    async destroy() {
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)
      removeDataDir()
    },
  }
}

function summary(values: number[], unit: string): string {
  const sorted = [...values].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)] ?? NaN
  const fmt = (v: number) => v.toFixed(0)
  return `${fmt(median)} ${unit} (min ${fmt(sorted[0] ?? NaN)}, max ${fmt(sorted.at(-1) ?? NaN)})`
}

async function benchEngine(target: Install): Promise<void> {
  try {
    const firstMs = await install(target)
    const samples: Sample[] = []
    for (let i = 0; i < RUNS; i++) samples.push(await measure(target))
    const medianOf = (pick: (s: Sample) => number) =>
      [...samples.map(pick)].sort((a, b) => a - b)[Math.floor(samples.length / 2)] as number
    const goal = TARGETS[target.engine]
    const ms = medianOf((s) => s.ms)
    const rss = medianOf((s) => s.rssMb)
    console.log(`\n${target.engine} (${FROM_SOURCE ? 'from source' : 'production start'}, ${RUNS} runs)`)
    console.log(`  first start (installing, not measured): ${firstMs.toFixed(0)} ms`)
    console.log(
      `  start to /health: ${summary(
        samples.map((s) => s.ms),
        'ms',
      )}`,
    )
    console.log(
      `  CPU time to /health: ${summary(
        samples.map((s) => s.cpuMs),
        'ms',
      )}`,
    )
    console.log(
      `  idle RSS after ${IDLE_MS / 1000} s: ${summary(
        samples.map((s) => s.rssMb),
        'MB',
      )}`,
    )
    console.log(
      `  targets: start ≤ ${goal.ms} ms ${ms <= goal.ms ? 'met' : 'MISSED'}, ` +
        `RSS ≤ ${goal.mb} MB ${rss <= goal.mb ? 'met' : 'MISSED'}`,
    )
  } finally {
    await target.destroy()
  }
}

async function main(): Promise<void> {
  await benchEngine(pgliteInstall())
  const adminUrl = process.env.DATABASE_URL
  if (adminUrl) await benchEngine(await postgresInstall(adminUrl))
  else console.log('\npostgres: skipped (set DATABASE_URL)')
}

await main()
