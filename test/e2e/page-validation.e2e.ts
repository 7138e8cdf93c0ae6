import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { promisify } from 'node:util'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ACCOUNT_PAGES } from '../../src/modules/account/index.ts'
import { createTestApp, type TestApp } from '../harness/test-app.ts'
import { launchBrowser } from './browser.ts'

/**
 * Every HTML page Colophon serves today (the pages emailed links open) through the tools people check
 * pages with: the W3C Nu HTML Checker (vnu.jar from the npm registry, on the machine's Java) and axe in
 * Chromium, as served over HTTP (axe with the strict CSP in place).
 */

const require = createRequire(import.meta.url)
const VNU_JAR = require.resolve('vnu-jar/build/dist/vnu.jar')
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')
const run = promisify(execFile)

interface VnuMessage {
  type: string
  subType?: string
  url?: string
  message: string
  extract?: string
}

let app: TestApp
let browser: Browser
let origin: string

beforeAll(async () => {
  app = await createTestApp()
  origin = await app.server.listen({ host: '127.0.0.1', port: 0 })
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await app?.close()
})

describe('served pages', () => {
  it('are valid HTML for the Nu HTML Checker: no errors, no warnings', async () => {
    // The checker refuses loopback URLs: the pages are fetched over HTTP as served, then checked as files.
    const dir = mkdtempSync(path.join(tmpdir(), 'colophon-vnu-'))
    try {
      const files: string[] = []
      for (const page of ACCOUNT_PAGES) {
        const res = await fetch(`${origin}${page.path}`)
        expect(res.headers.get('content-type')).toContain('text/html')
        const file = path.join(dir, `${page.path.replaceAll('/', '_')}.html`)
        writeFileSync(file, await res.text())
        files.push(file)
      }
      // vnu exits 1 when it reports anything, its JSON report on stderr; anything else (no Java) fails.
      const result = await run('java', ['-jar', VNU_JAR, '--format', 'json', '--also-check-css', ...files], {
        maxBuffer: 16 * 1024 * 1024,
      }).catch((err: { code?: unknown; stderr?: string }) => {
        if (err.code !== 1) throw err
        return { stderr: err.stderr ?? '' }
      })
      const { messages } = JSON.parse(result.stderr) as { messages: VnuMessage[] }
      expect(messages).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it.each(ACCOUNT_PAGES.map((page) => [page.path]))(
    '%s has no accessibility violations (axe)',
    async (path) => {
      const page = await browser.newPage()
      try {
        await page.goto(`${origin}${path}#token=a-token-for-the-form`)
        // Evaluated through the devtools protocol, which the page's CSP does not govern.
        await page.evaluate(AXE_SOURCE)
        const violations = await page.evaluate(async () => {
          const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe
          return (await axe.run()).violations
        })
        expect(violations).toEqual([])
      } finally {
        await page.close()
      }
    },
  )
})
