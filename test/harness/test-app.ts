import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { LightMyRequestResponse } from 'fastify'
import { buildApp, type App, type AppDeps } from '../../src/app/build-app.ts'
import { configFor, type ConfigKey } from '../../src/platform/config/index.ts'
import { newQueryStats, type Plan, type QueryStats } from '../../src/platform/db/index.ts'
import { createTestDatabase, type DatabaseState, type TestDatabase } from './test-db.ts'

export const TEST_SETUP_TOKEN = 'test-setup-token-0123456789abcdef'
/** The encryption key every test app gets unless a test configures another (32 bytes, base64). */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64')
export const ADMIN = {
  email: 'admin@example.com',
  password: 'correct horse battery staple',
  name: 'Ada Admin',
}

export interface TestApp extends App {
  db: TestDatabase
  dataDir: string
  /**
   * Runs `send` (requests made one after another) with every read of those requests planned by
   * `EXPLAIN (ANALYZE, FORMAT JSON)` first, in the read's own transaction; returns the plans in statement
   * order. Only the harness can switch this on: the app gets the hook as a build option.
   */
  withPlans<T>(send: () => Promise<T>): Promise<{ result: T; plans: Plan[] }>
  close(): Promise<void>
}

export interface TestAppOptions {
  /** `empty`: a database nothing has touched; `migrated`: schema applied, setup not done; `ready`: set up. */
  state?: DatabaseState | 'ready'
  config?: Partial<Record<ConfigKey, unknown>>
  deps?: Partial<Omit<AppDeps, 'config' | 'engine'>>
  /** Reuse a database (e.g. to restart the app on it after a simulated crash). */
  db?: TestDatabase
  /** Settings for every session on a new database (see `createTestDatabase`). */
  databaseSettings?: Record<string, string>
}

/** Builds the real app on a database of its own, with a silent logger and a private data directory. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const state = options.state ?? 'ready'
  const db =
    options.db ??
    (await createTestDatabase(state === 'empty' ? 'empty' : 'migrated', {
      ...(options.databaseSettings ? { settings: options.databaseSettings } : {}),
    }))
  const dataDir = mkdtempSync(path.join(tmpdir(), 'colophon-app-'))
  const config = configFor({
    env: 'test',
    logLevel: 'silent',
    dataDir,
    setupToken: TEST_SETUP_TOKEN,
    encryptionKey: TEST_ENCRYPTION_KEY,
    // Tests read what they just wrote, often through SQL: the reply cache would hide it (it has its own test).
    readCacheSeconds: 0,
    // Likewise the page cache (tested in render/pages/page-cache.int.test.ts).
    pageCacheSeconds: 0,
    ...options.config,
  })
  let planSink: Plan[] | undefined
  const newRequestQueryStats = (): QueryStats =>
    planSink ? { ...newQueryStats(), plans: planSink } : newQueryStats()
  // Job workers poll only once a test calls `app.jobs.start({ work: true })`; then at the fastest pace.
  const app = await buildApp({
    config,
    engine: db.appEngine,
    jobsPollingSeconds: 0.5,
    newRequestQueryStats,
    ...options.deps,
  })
  if (state !== 'empty' || options.db) await app.setup.prepareAtStart()
  if (state === 'ready' && !options.db)
    await app.setup.completeSetup({ token: TEST_SETUP_TOKEN, admin: ADMIN, site: { name: 'Main' } })
  await app.server.ready()
  return {
    ...app,
    db,
    dataDir,
    async withPlans(send) {
      const plans: Plan[] = []
      planSink = plans
      try {
        return { result: await send(), plans }
      } finally {
        planSink = undefined
      }
    },
    async close() {
      await app.server.close()
      if (!options.db) await db.destroy()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** The number of queries reported in a response's Server-Timing header. */
export function queryCount(response: LightMyRequestResponse): number {
  const header = String(response.headers['server-timing'] ?? '')
  const match = /db;desc="(\d+) queries"/.exec(header)
  if (!match) throw new Error(`no query count in Server-Timing: "${header}"`)
  return Number(match[1])
}

/** Asserts the error envelope and returns its `error` object. */
export function errorOf(response: LightMyRequestResponse): {
  code: string
  message: string
  details?: unknown
  requestId: string
} {
  const body = response.json() as {
    error?: { code: string; message: string; details?: unknown; requestId: string }
  }
  if (!body.error) throw new Error(`expected an error envelope, got ${response.body}`)
  return body.error
}
