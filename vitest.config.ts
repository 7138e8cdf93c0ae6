import { defineConfig } from 'vitest/config'

// The same suite runs on PGlite (default) and on PostgreSQL (when DATABASE_URL is set). Each test file
// gets its own database cloned from a template that test/global-setup.ts migrates once per run.
const report = process.env.COLOPHON_TEST_REPORT

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: report ? ['default', ['json', { outputFile: report }]] : ['default'],
  },
})
