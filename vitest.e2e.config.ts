import { defineConfig } from 'vitest/config'

// Browser tests (test/e2e/*.e2e.ts): the real app on 127.0.0.1 driven by Debian's Chromium through
// playwright-core. Separate from `npm test` because they need a browser; CI installs `chromium` and runs
// them once, on PGlite (or on PostgreSQL when DATABASE_URL is set).
const report = process.env.COLOPHON_TEST_REPORT

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: report ? ['default', ['json', { outputFile: report }]] : ['default'],
  },
})
