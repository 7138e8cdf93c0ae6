import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildSeo } from '../../src/modules/render/seo/index.ts'
import { FIXTURE_ORIGIN, fixtureEntry, fixtureEntryInput } from '../../src/modules/render/seo/seo.fixture.ts'
import {
  BUNDLED_THEMES_DIR,
  DEFAULT_THEME_ID,
  createThemeRenderer,
  loadThemeFromDirectory,
  settingValues,
  type ThemeRenderer,
} from '../../src/modules/render/themes/index.ts'
import { createTestApp, type TestApp } from '../harness/test-app.ts'
import { launchBrowser } from './browser.ts'
import { vnuMessages } from './validators.ts'

/**
 * The default theme's SEO head (partials/seo.liquid) on an entry page, rendered from a built `seo`
 * object: valid for the W3C Nu HTML Checker, and loaded by Chromium under the app's own
 * Content-Security-Policy without a violation (the JSON-LD block is data, which script-src does not
 * govern). Pages wire the builder in on their own; this holds the partial to the standards until then.
 */

const THEME_DIR = path.join(BUNDLED_THEMES_DIR, DEFAULT_THEME_ID)

let app: TestApp
let browser: Browser
let renderer: ThemeRenderer
let html: string

beforeAll(async () => {
  ;[app, browser, renderer] = await Promise.all([
    createTestApp(),
    launchBrowser(),
    loadThemeFromDirectory(THEME_DIR).then((theme) => createThemeRenderer(theme)),
  ])
  const input = fixtureEntryInput()
  html = await renderer.render(
    'entry',
    {
      seo: buildSeo(input),
      page: {
        kind: 'entry',
        title: fixtureEntry.title,
        canonicalUrl: fixtureEntry.url,
        description: fixtureEntry.excerpt,
        status: 200,
        noindex: false,
        feeds: [],
      },
      entry: fixtureEntry,
      theme: { settings: settingValues(renderer.theme.manifest) },
    },
    {
      name: input.site.name,
      tagline: input.site.tagline,
      url: FIXTURE_ORIGIN,
      locale: input.site.locale,
      timeZone: 'UTC',
      feeds: [],
    },
  )
})

afterAll(async () => {
  await browser?.close()
  await app?.close()
})

describe('the SEO head of an entry page', () => {
  it('passes the W3C Nu HTML Checker with no message', async () => {
    expect(html).toContain('application/ld+json')
    expect(await vnuMessages({ 'entry.html': html })).toEqual([])
  })

  it('loads under the app’s Content-Security-Policy without a violation or console error', async () => {
    const health = await app.server.inject({ method: 'GET', url: '/health' })
    const csp = String(health.headers['content-security-policy'] ?? '')
    expect(csp).toContain("script-src 'self'")
    const context = await browser.newContext()
    try {
      const page = await context.newPage()
      const problems: string[] = []
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text())
      })
      page.on('pageerror', (error) => problems.push(error.message))
      await page.route(`${FIXTURE_ORIGIN}/**`, async (route) => {
        const { pathname } = new URL(route.request().url())
        const asset = /^\/_assets\/[0-9a-f]+\/(.+)$/.exec(pathname)?.[1]
        if (asset)
          return route.fulfill({
            contentType: 'text/css',
            body: readFileSync(path.join(THEME_DIR, 'assets', asset)),
          })
        if (pathname === new URL(fixtureEntry.url).pathname)
          return route.fulfill({
            contentType: 'text/html; charset=utf-8',
            headers: { 'content-security-policy': csp },
            body: html,
          })
        return route.fulfill({ status: 404, body: '' })
      })
      // Runs in the page: the browser's globals, which this file's types do not know.
      await page.addInitScript(() => {
        const doc = (globalThis as unknown as { document: EventTarget }).document
        doc.addEventListener('securitypolicyviolation', (e) =>
          console.error(
            `CSP violation: ${(e as unknown as { violatedDirective: string }).violatedDirective}`,
          ),
        )
      })
      await page.goto(fixtureEntry.url)
      const data = await page.evaluate(() => {
        type Doc = { querySelector(selector: string): { textContent: string | null } | null }
        const doc = (globalThis as unknown as { document: Doc }).document
        return doc.querySelector('script[type="application/ld+json"]')?.textContent ?? ''
      })
      expect((JSON.parse(data) as { '@graph': unknown[] })['@graph']).toHaveLength(4)
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  })
})
