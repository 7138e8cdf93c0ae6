import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, type TestApp } from '../../../../test/harness/test-app.ts'
import {
  createUser,
  mainSiteId,
  signIn,
  signInAdmin,
  type Session,
} from '../../../../test/harness/identity.ts'
import { createSite } from '../../../../test/harness/factories.ts'
import { themeZip } from '../../../../test/harness/theme-zips.ts'
import { RenderErrors } from '../render.errors.ts'
import { createThemeRegistry, type ThemeFallback } from '../themes/index.ts'
import { RENDER_ERRORS_KEPT, createRenderErrorRecorder, readInstalledThemeFiles } from './index.ts'

/**
 * A site's theme: choosing one, its settings held to the manifest, switching themes, the renderer the
 * registry gives a site (installed themes loaded from the database, the default when one is missing),
 * and the render errors its admins read, bounded and per site.
 */

let app: TestApp
let admin: Session
let siteAdmin: Session
let editor: Session
let siteId: string
let otherId: string
const silent = { info() {}, warn() {}, error() {} }

const themeUrl = (site: string, rest = '') => `/api/v1/sites/${site}/theme${rest}`

async function installTheme(manifest: Record<string, unknown>, files: Record<string, string> = {}) {
  const res = await admin.request({
    method: 'POST',
    url: '/api/v1/themes',
    payload: themeZip(manifest, files),
    headers: { 'content-type': 'application/zip' },
  })
  expect(res.statusCode, res.body).toBe(201)
}

const put = (as: Session, payload: Record<string, unknown>, site = siteId) =>
  as.request({ method: 'PUT', url: themeUrl(site), payload })

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  admin = await signInAdmin(app)
  siteAdmin = await signIn(app, await createUser(app, { siteRole: 'administrator' }))
  editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
  siteId = await mainSiteId(app)
  otherId = await createSite(app, { slug: 'other-themes', name: 'Other' })
  await installTheme({
    id: 'harbour',
    settings: [
      { key: 'accent', type: 'color', label: 'Accent', default: '#0b5fff' },
      { key: 'tagline', type: 'text', label: 'Tagline', default: '', maxLength: 20 },
      { key: 'wide', type: 'boolean', label: 'Wide', default: false },
      {
        key: 'font',
        type: 'select',
        label: 'Font',
        default: 'serif',
        options: [
          { value: 'serif', label: 'Serif' },
          { value: 'sans', label: 'Sans' },
        ],
      },
    ],
  })
  await installTheme({
    id: 'jetty',
    settings: [
      { key: 'accent', type: 'color', label: 'Accent', default: '#000000' },
      { key: 'wide', type: 'text', label: 'Wide', default: 'no' },
    ],
  })
})
afterAll(() => app?.close())

describe("a site's theme", () => {
  it('is the default theme with its defaults until the site chooses', async () => {
    const res = await siteAdmin.request({ method: 'GET', url: themeUrl(siteId) })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({
      themeId: 'colophon',
      source: 'bundled',
      missing: null,
      updatedAt: null,
    })
  })

  it('switches to an installed theme and fills every setting with its default', async () => {
    const res = await put(siteAdmin, { themeId: 'harbour' })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({
      themeId: 'harbour',
      source: 'installed',
      settings: { accent: '#0b5fff', tagline: '', wide: false, font: 'serif' },
      settingsSchema: [{ key: 'accent' }, { key: 'tagline' }, { key: 'wide' }, { key: 'font' }],
    })
    const audit = await app.db.engine.query(
      "SELECT summary FROM audit_log WHERE action = 'themes.site.update' AND site_id = $1",
      [siteId],
    )
    expect(audit).toHaveLength(1)
  })

  it('stores valid settings and keeps the others it was not sent', async () => {
    const res = await put(siteAdmin, { settings: { accent: '#ff0000', font: 'sans' } })
    expect(res.json().settings).toEqual({ accent: '#ff0000', tagline: '', wide: false, font: 'sans' })
    const next = await put(siteAdmin, { settings: { wide: true, font: null } })
    expect(next.json().settings).toEqual({ accent: '#ff0000', tagline: '', wide: true, font: 'serif' })
  })

  it('refuses unknown keys and bad values, each field with its code, changing nothing', async () => {
    const res = await put(siteAdmin, {
      settings: {
        accent: 'red',
        tagline: 'x'.repeat(21),
        wide: 'yes',
        font: 'mono',
        logo: null,
        colour: '#fff000',
      },
    })
    expect(res.statusCode, res.body).toBe(400)
    const error = errorOf(res)
    expect(error.code).toBe('COLOPHON_THEMES_SETTINGS_INVALID')
    expect(error.details).toMatchObject({
      fields: {
        accent: { code: 'invalid' },
        tagline: { code: 'invalid' },
        wide: { code: 'invalid' },
        font: { code: 'invalid' },
        logo: { code: 'unknown' },
        colour: { code: 'unknown' },
      },
    })
    const after = await siteAdmin.request({ method: 'GET', url: themeUrl(siteId) })
    expect(after.json().settings).toMatchObject({ accent: '#ff0000', wide: true })
  })

  it('refuses an unknown theme and an empty body', async () => {
    const unknown = await put(siteAdmin, { themeId: 'nowhere' })
    expect(unknown.statusCode).toBe(404)
    expect(errorOf(unknown).code).toBe('COLOPHON_THEMES_NOT_FOUND')
    const empty = await put(siteAdmin, {})
    expect(empty.statusCode).toBe(400)
  })

  it('keeps, on switching, the settings the new theme declares with values it accepts', async () => {
    const res = await put(siteAdmin, { themeId: 'jetty' })
    expect(res.statusCode, res.body).toBe(200)
    // accent is a colour in both: kept; wide is a boolean here and text there: dropped for its default.
    expect(res.json().settings).toEqual({ accent: '#ff0000', wide: 'no' })
    const stored = await app.db.engine.query<{ settings: unknown }>(
      'SELECT settings FROM site_themes WHERE site_id = $1',
      [siteId],
    )
    expect(stored[0]?.settings).toEqual({ accent: '#ff0000' })
  })

  it('is only for holders of site.themes.manage on that site', async () => {
    const refused = await editor.request({ method: 'GET', url: themeUrl(siteId) })
    expect(refused.statusCode).toBe(403)
    expect(errorOf(refused).details).toMatchObject({ capability: 'site.themes.manage' })
    expect((await put(editor, { themeId: 'harbour' })).statusCode).toBe(403)
    // An administrator of the main site is nobody on another site.
    expect([403, 404]).toContain((await put(siteAdmin, { themeId: 'harbour' }, otherId)).statusCode)
    const network = await put(admin, { themeId: 'harbour' }, otherId)
    expect(network.statusCode, network.body).toBe(200)
  })
})

describe('the renderer a site gets', () => {
  it('loads an installed theme from the database once per version, and falls back for a missing one', async () => {
    const fallbacks: ThemeFallback[] = []
    let loads = 0
    const registry = createThemeRegistry({
      installed: (id) => {
        loads += 1
        return readInstalledThemeFiles(app.db.engine.orm, id)
      },
      onFallback: (f) => fallbacks.push(f),
    })
    const [row] = await app.db.engine.query<{ version: string }>(
      "SELECT version FROM themes WHERE id = 'jetty'",
    )
    const ref = { siteId, themeId: 'jetty', version: row?.version ?? '' }
    const renderer = await registry.forSite(ref)
    expect(renderer.theme.manifest.id).toBe('jetty')
    expect(renderer.theme.version).toBe(row?.version)
    expect(await registry.forSite(ref)).toBe(renderer)
    expect(loads).toBe(1)
    const missing = await registry.forSite({
      siteId,
      themeId: 'gone',
      version: null,
      path: '/x',
      requestId: 'r1',
    })
    expect(missing.theme.manifest.id).toBe('colophon')
    expect(fallbacks).toEqual([
      expect.objectContaining({ siteId, themeId: 'gone', path: '/x', requestId: 'r1' }),
    ])
  })
})

describe('render errors', () => {
  const failure = (template: string, message: string) =>
    RenderErrors.templateFailed({ details: { theme: 'jetty', version: 'abc', template, message } })

  it('records a template failure for the site, lists it to its admins, and never to another site', async () => {
    const record = createRenderErrorRecorder({ orm: app.db.engine.orm })
    const site = { id: siteId, slug: 'main', name: 'Main' }
    const written = await record({
      site,
      path: '/hello?x=1',
      requestId: 'req-1',
      error: failure('entry', 'undefined filter: nope'),
      log: silent,
    })
    expect(written).toBe(true)
    // The same failure again at once is throttled; a failure that is not the theme's is not recorded.
    expect(
      await record({
        site,
        path: '/hello',
        requestId: 'req-2',
        error: failure('entry', 'undefined filter: nope'),
        log: silent,
      }),
    ).toBe(false)
    expect(
      await record({ site, path: '/', requestId: 'req-3', error: new Error('database down'), log: silent }),
    ).toBe(false)
    const res = await siteAdmin.request({ method: 'GET', url: themeUrl(siteId, '/errors') })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().items).toEqual([
      expect.objectContaining({
        path: '/hello',
        template: 'entry',
        themeId: 'jetty',
        message: 'undefined filter: nope',
        requestId: 'req-1',
      }),
    ])
    const other = await admin.request({ method: 'GET', url: themeUrl(otherId, '/errors') })
    expect(other.json().items).toEqual([])
    expect((await editor.request({ method: 'GET', url: themeUrl(siteId, '/errors') })).statusCode).toBe(403)
  })

  it(`keeps the latest ${RENDER_ERRORS_KEPT} per site`, async () => {
    const record = createRenderErrorRecorder({ orm: app.db.engine.orm, throttleMs: 0 })
    const site = { id: otherId, slug: 'other-themes', name: 'Other' }
    for (let i = 0; i < RENDER_ERRORS_KEPT + 5; i++)
      expect(
        await record({
          site,
          path: `/p${i}`,
          requestId: `r${i}`,
          error: failure('index', `m${i}`),
          log: silent,
        }),
      ).toBe(true)
    const res = await admin.request({ method: 'GET', url: themeUrl(otherId, '/errors') })
    const items = res.json().items as { path: string }[]
    expect(items).toHaveLength(RENDER_ERRORS_KEPT)
    expect(items[0]?.path).toBe(`/p${RENDER_ERRORS_KEPT + 4}`)
    expect(items.at(-1)?.path).toBe('/p5')
    const mine = await siteAdmin.request({ method: 'GET', url: themeUrl(siteId, '/errors') })
    expect(mine.json().items).toHaveLength(1)
  })

  it('never rejects, even when the row cannot be written', async () => {
    const record = createRenderErrorRecorder({ orm: app.db.engine.orm })
    const gone = { id: '00000000-0000-7000-8000-000000000000', slug: 'gone', name: 'Gone' }
    expect(
      await record({ site: gone, path: '/', requestId: 'r', error: failure('index', 'x'), log: silent }),
    ).toBe(false)
  })
})
