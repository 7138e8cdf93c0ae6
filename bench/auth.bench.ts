/**
 * Identity benchmark: what a login costs and how fast an authenticated request is, each as a ratio to
 * `/health` measured in the same process and run (shared machines are noisy; absolute figures are not
 * comparable between runs, ratios are). Targets 127.0.0.1 only; every phase is time-bounded.
 *
 *   npm run bench            # PGlite in memory
 *   DATABASE_URL=… npm run bench
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'
import { buildApp } from '../src/app/build-app.ts'
import { configFor } from '../src/platform/config/index.ts'
import { openEngine, type Engine } from '../src/platform/db/index.ts'
import { adminQuery, quoteIdent, urlForDatabase } from '../test/harness/pg-admin.ts'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const LOGINS = Number(process.env.BENCH_LOGINS ?? 20)
const ADMIN = { email: 'bench@example.com', password: 'bench passphrase 0123', name: 'Bench' } // secret-scan: allow (a throwaway account in a throwaway database)

/** A database of its own: PGlite in memory, or a fresh database next to DATABASE_URL's (dropped after). */
async function openBenchDatabase(dataDir: string): Promise<{ engine: Engine; destroy(): Promise<void> }> {
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

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'colophon-bench-'))
  const db = await openBenchDatabase(dataDir)
  const config = configFor({
    env: 'test',
    logLevel: 'silent',
    dataDir,
    port: 0,
    setupToken: 'bench-setup-token-0123456789',
    authRateLimit: 100_000,
    authAccountRateLimit: 100_000,
    apiKeyRateLimit: 1_000_000,
  })
  const app = await buildApp({ config, engine: db.engine })
  await app.setup.prepareAtStart()
  await app.setup.completeSetup({ token: config.setupToken as string, admin: ADMIN, site: { name: 'Bench' } })
  const address = await app.server.listen({ host: '127.0.0.1', port: 0 })

  const login = () =>
    fetch(`${address}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
    })
  const first = await login()
  const cookie = first.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')

  const health = async () => {
    const started = performance.now()
    await (await fetch(`${address}/health`)).text()
    return performance.now() - started
  }
  const timeLogin = async () => {
    const started = performance.now()
    await (await login()).text()
    return performance.now() - started
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
  const healthMs: number[] = []
  const loginMs: number[] = []
  for (let i = 0; i < LOGINS; i++) {
    healthMs.push(await health())
    loginMs.push(await timeLogin())
  }

  const run = (url: string, headers: Record<string, string> = {}) =>
    autocannon({ url: `${address}${url}`, connections: 10, duration: SECONDS, headers })
  const baseline = await run('/health')
  const me = await run('/api/v1/auth/me', { cookie })
  const setupState = await run('/api/v1/setup')
  const gateOnly = await run('/api/v1/capabilities', { cookie })

  const rps = (r: autocannon.Result) => r.requests.average
  const lines = [
    `engine: ${db.engine.kind}, ${SECONDS}s per load phase, 10 connections, ${LOGINS} sequential logins`,
    `login (argon2id verify + session): median ${median(loginMs).toFixed(1)} ms = ${(median(loginMs) / median(healthMs)).toFixed(1)}× a /health round trip (${median(healthMs).toFixed(2)} ms)`,
    `GET /health: ${rps(baseline).toFixed(0)} req/s (baseline)`,
    `GET /api/v1/setup (public, reads the database): ${rps(setupState).toFixed(0)} req/s = ${(rps(setupState) / rps(baseline)).toFixed(2)}× /health`,
    `GET /api/v1/capabilities (session; the gate's one lookup, no other query): ${rps(gateOnly).toFixed(0)} req/s = ${(rps(gateOnly) / rps(baseline)).toFixed(2)}× /health`,
    `GET /api/v1/auth/me (session): ${rps(me).toFixed(0)} req/s = ${(rps(me) / rps(baseline)).toFixed(2)}× /health; non-2xx: ${me.non2xx}`,
  ]
  for (const line of lines) console.log(line)

  await app.server.close()
  await db.destroy()
  rmSync(dataDir, { recursive: true, force: true })
}

await main()
