import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

// Browser tests (test/e2e/*.e2e.ts): the real app on 127.0.0.1 driven by Debian's Chromium through
// playwright-core. Separate from `npm test` because they need a browser; CI installs `chromium` and runs
// them once, on PGlite (or on PostgreSQL when DATABASE_URL is set).
const report = process.env.COLOPHON_TEST_REPORT

// One file per two cores: each file runs the app, a Chromium and (page validation) a Java checker, which
// together keep about two cores busy. One on a 2-core machine, at most four.
const workers = Math.min(4, Math.max(1, Math.floor(availableParallelism() / 2)))

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: workers,
    // Wider than the unit and integration budget (10 s): a case drives a browser through several pages, and
    // the Nu HTML Checker starts a Java virtual machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: report ? ['default', ['json', { outputFile: report }]] : ['default'],
  },
})
