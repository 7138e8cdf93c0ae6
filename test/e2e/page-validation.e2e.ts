import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ACCOUNT_PAGES } from '../../src/modules/account/index.ts'
import { createTestApp, type TestApp } from '../harness/test-app.ts'
import { launchBrowser } from './browser.ts'
import { axeViolations, vnuMessages } from './validators.ts'

/**
 * Every HTML page Colophon serves from its own code (the pages emailed links open) through the W3C Nu
 * HTML Checker and axe in Chromium, as served over HTTP (axe with the strict CSP in place). Site pages,
 * made by themes, have their own file (site-pages.e2e.ts).
 */

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
    const documents: Record<string, string> = {}
    for (const page of ACCOUNT_PAGES) {
      const res = await fetch(`${origin}${page.path}`)
      expect(res.headers.get('content-type')).toContain('text/html')
      documents[`${page.path}.html`] = await res.text()
    }
    expect(await vnuMessages(documents)).toEqual([])
  })

  it.each(ACCOUNT_PAGES.map((page) => [page.path]))(
    '%s has no accessibility violations (axe)',
    async (path) => {
      const page = await browser.newPage()
      try {
        await page.goto(`${origin}${path}#token=a-token-for-the-form`)
        expect(await axeViolations(page)).toEqual([])
      } finally {
        await page.close()
      }
    },
  )
})
