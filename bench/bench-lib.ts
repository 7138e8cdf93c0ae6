/**
 * What every benchmark shares: a database of its own on either engine, the real app listening on
 * 127.0.0.1, autocannon runs, and the figures (requests/s, latency, queries per request, RSS) printed as
 * ratios to `/health` measured in the same process (shared machines are noisy; ratios compare between runs).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import { buildApp, type App } from '../src/app/build-app.ts'
import { configFor, type ConfigKey } from '../src/platform/config/index.ts'
import { openEngine, type Engine } from '../src/platform/db/index.ts'
import { adminQuery, quoteIdent, urlForDatabase } from '../test/harness/pg-admin.ts'

export const BENCH_ADMIN = { email: 'bench@example.com', password: 'bench passphrase 0123', name: 'Bench' } // secret-scan: allow (a throwaway account in a throwaway database)
export const CONNECTIONS = 10

/** A database of its own: PGlite in memory, or a fresh database next to DATABASE_URL's (dropped after). */
export async function openBenchDatabase(
  dataDir: string,
): Promise<{ engine: Engine; destroy(): Promise<void> }> {
  const adminUrl = process.env.DATABASE_URL
  if (!adminUrl) {
    const engine = await openEngine({ dataDir, pgliteInMemory: true })
    return { engine, destroy: () => engine.close() }
  }
  const name = `colophon_bench_${process.pid}`
  await adminQuery(adminUrl, `CREATE DATABASE ${quoteIdent(name)}`)
  const engine = await openEngine({ databaseUrl: urlForDatabase(adminUrl, name), dataDir })
  return {
    engine,
    async destroy() {
      await engine.close()
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)
    },
  }
}

export interface BenchApp {
  app: App
  engine: Engine
  address: string
  /** Statements per request, summed by route URL pattern (from the same counter as Server-Timing). */
  queriesByRoute: Map<string, { requests: number; queries: number }>
  close(): Promise<void>
}

/** Builds, installs and starts the real app, with limits raised so the load is not refused. */
export async function startBenchApp(config: Partial<Record<ConfigKey, unknown>> = {}): Promise<BenchApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'colophon-bench-'))
  const db = await openBenchDatabase(dataDir)
  const fullConfig = configFor({
    env: 'test',
    logLevel: 'silent',
    dataDir,
    port: 0,
    setupToken: 'bench-setup-token-0123456789',
    authRateLimit: 100_000,
    authAccountRateLimit: 100_000,
    apiKeyRateLimit: 1_000_000,
    siteApiCallsPerMinute: 1_000_000,
    anonymousRequestsPerMinute: 1_000_000,
    ...config,
  })
  const app = await buildApp({ config: fullConfig, engine: db.engine })
  const queriesByRoute = new Map<string, { requests: number; queries: number }>()
  app.server.addHook('onResponse', async (request) => {
    const key = `${request.method} ${request.routeOptions.url ?? request.url}`
    const entry = queriesByRoute.get(key) ?? { requests: 0, queries: 0 }
    entry.requests += 1
    entry.queries += request.queryStats?.queries ?? 0
    queriesByRoute.set(key, entry)
  })
  await app.setup.prepareAtStart()
  await app.setup.completeSetup({
    token: fullConfig.setupToken as string,
    admin: BENCH_ADMIN,
    site: { name: 'Bench' },
  })
  const address = await app.server.listen({ host: '127.0.0.1', port: 0 })
  return {
    app,
    engine: db.engine,
    address,
    queriesByRoute,
    async close() {
      await app.server.close()
      await db.destroy()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Signs in as the bench admin; returns the cookie header and CSRF token. */
export async function signInBenchAdmin(address: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${address}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: BENCH_ADMIN.email, password: BENCH_ADMIN.password }),
  })
  const pairs = res.headers.getSetCookie().map((c) => c.split(';')[0] as string)
  await res.text()
  const csrf = pairs.find((p) => p.startsWith('colophon_csrf='))?.split('=')[1] ?? ''
  return { cookie: pairs.join('; '), csrf }
}

export type LoadOptions = Omit<autocannon.Options, 'url'> & { path: string }

/** One autocannon run against the bench app: 10 connections, `seconds` long, loopback only. */
export function load(address: string, seconds: number, options: LoadOptions): Promise<autocannon.Result> {
  const { path: urlPath, ...rest } = options
  return autocannon({ url: `${address}${urlPath}`, connections: CONNECTIONS, duration: seconds, ...rest })
}

/** Samples RSS while `fn` runs; returns its result and the highest RSS seen (bytes). */
export async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peakRss: number }> {
  let peak = process.memoryUsage.rss()
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 50)
  try {
    const result = await fn()
    return { result, peakRss: Math.max(peak, process.memoryUsage.rss()) }
  } finally {
    clearInterval(timer)
  }
}

/** Lets the process settle (timers, GC when exposed) before an idle RSS reading. */
export async function idleRss(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 500))
  ;(globalThis as { gc?: () => void }).gc?.()
  return process.memoryUsage.rss()
}

export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`

/** The kernel's high-water mark of this process's RSS (bytes), or undefined where /proc is not there. */
function kernelPeakRss(): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    return match ? Number(match[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}

/** Resets the kernel's high-water mark to the current RSS (Linux ≥ 4.0); false where it cannot. */
function resetKernelPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5')
    return true
  } catch {
    return false
  }
}

export interface PeakRss<T> {
  result: T
  /** The higher of the two readings below (bytes). */
  peakRss: number
  /** The highest RSS the sampler saw (bytes). */
  sampledPeak: number
  samples: number
  /** The kernel's high-water mark over `fn` (bytes), when it could be reset first; exact, unlike sampling. */
  kernelPeak: number | undefined
}

/**
 * The peak RSS while `fn` runs, by two means: sampling every `everyMs` (a short spike between two samples
 * is missed, and a busy event loop stretches the gaps), and, on Linux, the kernel's own high-water mark
 * reset just before `fn` (it misses nothing).
 */
export async function measurePeakRss<T>(
  fn: () => Promise<T>,
  options: { everyMs?: number } = {},
): Promise<PeakRss<T>> {
  let sampledPeak = process.memoryUsage.rss()
  let samples = 1
  const timer = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss())
    samples += 1
  }, options.everyMs ?? 2)
  const isReset = resetKernelPeakRss()
  try {
    const result = await fn()
    sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss())
    const kernelPeak = isReset ? kernelPeakRss() : undefined
    return { result, peakRss: Math.max(sampledPeak, kernelPeak ?? 0), sampledPeak, samples, kernelPeak }
  } finally {
    clearInterval(timer)
  }
}
