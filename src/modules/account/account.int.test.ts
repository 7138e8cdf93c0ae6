import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/harness/test-app.ts'
import { ACCOUNT_PAGES } from './account.pages.ts'

let app: TestApp
beforeAll(async () => {
  app = await createTestApp()
})
afterAll(() => app?.close())

describe('account pages', () => {
  it.each(ACCOUNT_PAGES.map((p) => [p.path, p]))(
    'serves %s uncached, without referrer, under the strict CSP',
    async (_path, page) => {
      const res = await app.server.inject({ method: 'GET', url: page.path })
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toContain('text/html')
      expect(res.headers['cache-control']).toBe('no-store')
      expect(res.headers['referrer-policy']).toBe('no-referrer')
      expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'")
      expect(res.body).toContain(`data-action="${page.action}"`)
      expect(res.body).toContain('<script src="/admin/account.js" defer></script>')
      expect(res.body).not.toMatch(/<script>(?!<)/)
    },
  )

  it('serves the one script the pages load', async () => {
    const res = await app.server.inject({ method: 'GET', url: '/admin/account.js' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('javascript')
    expect(res.body).toContain('history.replaceState')
  })
})
