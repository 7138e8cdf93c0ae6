/**
 * Identity benchmark: what a login costs and how fast an authenticated request is, each as a ratio to
 * `/health` measured in the same process and run (shared machines are noisy; absolute figures are not
 * comparable between runs, ratios are). Targets 127.0.0.1 only; every phase is time-bounded.
 *
 *   npm run bench:auth            # PGlite in memory
 *   DATABASE_URL=… npm run bench:auth
 */
import { performance } from 'node:perf_hooks'
import type autocannon from 'autocannon'
import { BENCH_ADMIN as ADMIN, load, startBenchApp } from './bench-lib.ts'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const LOGINS = Number(process.env.BENCH_LOGINS ?? 20)
const RESETS = Number(process.env.BENCH_RESETS ?? 150)

async function main(): Promise<void> {
  const bench = await startBenchApp()
  const { address } = bench

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
    load(address, SECONDS, { path: url, headers })
  const baseline = await run('/health')
  const me = await run('/api/v1/auth/me', { cookie })
  const setupState = await run('/api/v1/setup')
  const gateOnly = await run('/api/v1/capabilities', { cookie })

  const rps = (r: autocannon.Result) => r.requests.average
  const lines = [
    `engine: ${bench.engine.kind}, ${SECONDS}s per load phase, 10 connections, ${LOGINS} sequential logins`,
    `login (argon2id verify + session): median ${median(loginMs).toFixed(1)} ms = ${(median(loginMs) / median(healthMs)).toFixed(1)}× a /health round trip (${median(healthMs).toFixed(2)} ms)`,
    `GET /health: ${rps(baseline).toFixed(0)} req/s (baseline)`,
    `GET /api/v1/setup (public, reads the database): ${rps(setupState).toFixed(0)} req/s = ${(rps(setupState) / rps(baseline)).toFixed(2)}× /health`,
    `GET /api/v1/capabilities (session; the gate's one lookup, no other query): ${rps(gateOnly).toFixed(0)} req/s = ${(rps(gateOnly) / rps(baseline)).toFixed(2)}× /health`,
    `GET /api/v1/auth/me (session): ${rps(me).toFixed(0)} req/s = ${(rps(me) / rps(baseline)).toFixed(2)}× /health; non-2xx: ${me.non2xx}`,
  ]

  // Password reset (ADR 0005): the reply must take the same time whether or not the account exists. Known
  // and unknown addresses alternate, with the job workers running as in a served PGlite node.
  await bench.app.jobs.start({ work: true })
  const timeReset = async (email: string) => {
    const started = performance.now()
    const res = await fetch(`${address}/api/v1/auth/password-reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    })
    await res.text()
    if (res.status !== 202) throw new Error(`password reset answered ${res.status}`)
    return performance.now() - started
  }
  const knownMs: number[] = []
  const unknownMs: number[] = []
  for (let i = 0; i < RESETS; i++) {
    knownMs.push(await timeReset(ADMIN.email))
    unknownMs.push(await timeReset(`nobody-${i}@example.com`))
  }
  const known = median(knownMs)
  const unknown = median(unknownMs)
  lines.push(
    `POST /api/v1/auth/password-reset: p50 known address ${known.toFixed(2)} ms, unknown ${unknown.toFixed(2)} ms, ratio ${(known / unknown).toFixed(2)} (1.00: indistinguishable; n = ${RESETS} each)`,
  )
  for (const line of lines) console.log(line)

  await bench.close()
}

await main()
