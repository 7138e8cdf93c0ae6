import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

// The same suite runs on PGlite (default) and on PostgreSQL (when DATABASE_URL is set). Each test file
// gets its own database cloned from a template that test/global-setup.ts migrates once per run.
const report = process.env.COLOPHON_TEST_REPORT

// One test file per core (two on a 2-core machine). Capped: a worker with PGlite open holds about
// 1 GB of memory, and on PostgreSQL each worker keeps connection pools open; past eight workers a big
// machine mostly adds memory pressure and connections, while the slowest files set the wall time anyway.
const MAX_WORKERS = 8
const workers = Math.min(MAX_WORKERS, Math.max(1, availableParallelism()))

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: workers,
    // A test that needs more than this on a loaded two-core machine is doing too much: split it, or move
    // what its cases share into a beforeAll. Hooks get longer, since that is where databases are made.
    testTimeout: 10_000,
    hookTimeout: 120_000,
    reporters: report ? ['default', ['json', { outputFile: report }]] : ['default'],
  },
})
