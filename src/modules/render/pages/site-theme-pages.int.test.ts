import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDomain, createSite } from '../../../../test/harness/factories.ts'
import { signInAdmin, type Session } from '../../../../test/harness/identity.ts'
import { createTestApp, type TestApp } from '../../../../test/harness/test-app.ts'
import { themeZip } from '../../../../test/harness/theme-zips.ts'

/**
 * A site's chosen theme on its host: pages through its templates with its settings, its assets by
 * content hash, and a template that fails shown to readers as a plain page with the request id, to the
 * site's admins in the theme's last render errors, and never to another site.
 */

let app: TestApp
let admin: Session
let site: string
const HOST = 'harbour.localhost'

const page = (url: string, host = HOST) => app.server.inject({ method: 'GET', url, headers: { host } })

beforeAll(async () => {
  app = await createTestApp()
  admin = await signInAdmin(app)
  site = await createSite(app, { slug: 'harbour-site', name: 'Harbour Site' })
  await addDomain(app, { siteId: site, host: HOST, kind: 'subdomain', primary: true })
  const installed = await admin.request({
    method: 'POST',
    url: '/api/v1/themes',
    headers: { 'content-type': 'application/zip' },
    payload: themeZip(
      {
        id: 'harbour',
        settings: [{ key: 'motto', type: 'text', label: 'Motto', default: 'Ahoy', maxLength: 40 }],
      },
      {
        'templates/index.liquid':
          '<!doctype html><html lang="en"><title>{{ site.name }}</title><link rel="stylesheet" href="{{ \'css/harbour.css\' | asset_url }}"><p class="motto">{{ theme.settings.motto }}</p></html>',
        // A loop long enough to hit the render time limit.
        'templates/archive.liquid':
          '{% for i in (1..100000000) %}{% for j in (1..1000) %}{{ j }}{% endfor %}{% endfor %}',
        'assets/css/harbour.css': 'body { color: navy; }',
      },
    ),
  })
  expect(installed.statusCode, installed.body).toBe(201)
  const chosen = await admin.request({
    method: 'PUT',
    url: `/api/v1/sites/${site}/theme`,
    payload: { themeId: 'harbour', settings: { motto: 'Fair winds' } },
  })
  expect(chosen.statusCode, chosen.body).toBe(200)
})
afterAll(() => app?.close())

describe('a site’s chosen theme', () => {
  it('renders the site’s pages with its templates and settings, and serves its assets', async () => {
    const res = await page('/')
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('<p class="motto">Fair winds</p>')
    const css = /href="([^"]+harbour\.css)"/.exec(res.body)?.[1] ?? ''
    const asset = await page(css)
    expect(asset.statusCode).toBe(200)
    expect(asset.body).toBe('body { color: navy; }')
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    // The default theme's stylesheet is not this site's asset.
    const main = await page('/', 'localhost')
    const defaultCss = /href="([^"]+site\.css)"/.exec(main.body)?.[1] ?? ''
    expect(defaultCss).not.toBe('')
    expect((await page(defaultCss)).statusCode).toBe(404)
  })

  it('shows readers a plain page with the request id when a template fails, and records it for the admins', async () => {
    const res = await page('/post')
    expect(res.statusCode).toBe(500)
    expect(res.body).toContain(res.headers['x-request-id'] as string)
    expect(res.body).not.toMatch(/archive\.liquid|Liquid|stack/i)
    const errors = await admin.request({ method: 'GET', url: `/api/v1/sites/${site}/theme/errors` })
    expect(errors.statusCode).toBe(200)
    const items = errors.json<{ items: { path: string; themeId: string; requestId: string }[] }>().items
    expect(items.some((e) => e.path === '/post' && e.themeId === 'harbour')).toBe(true)
    const elsewhere = await admin.request({ method: 'GET', url: '/api/v1/sites/main/theme/errors' })
    expect(elsewhere.json<{ items: unknown[] }>().items).toEqual([])
  })
})
