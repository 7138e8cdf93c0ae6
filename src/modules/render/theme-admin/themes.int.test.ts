import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, type TestApp } from '../../../../test/harness/test-app.ts'
import {
  createUser,
  mainSiteId,
  signIn,
  signInAdmin,
  type Session,
} from '../../../../test/harness/identity.ts'
import { themeZip, zipOf } from '../../../../test/harness/theme-zips.ts'
import { THEME_LIMITS } from '../themes/index.ts'

/**
 * Installing themes from a `.zip` (network admins): a valid theme is stored with its files, every kind of
 * bad archive is refused with its own code and rule, ids already taken need `replace`, and a theme in
 * use cannot be deleted.
 */

let app: TestApp
let admin: Session
let siteAdmin: Session
let siteId: string

const install = (as: Session, zip: Buffer, query = '') =>
  as.request({
    method: 'POST',
    url: `/api/v1/themes${query}`,
    payload: zip,
    headers: { 'content-type': 'application/zip' },
  })

function refusal(res: Awaited<ReturnType<typeof install>>, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status)
  const error = errorOf(res)
  expect(error.code).toBe(code)
  return error.details as { rule?: string; path?: string; issues?: { path: string; message: string }[] }
}

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  admin = await signInAdmin(app)
  siteAdmin = await signIn(app, await createUser(app, { siteRole: 'administrator' }))
  siteId = await mainSiteId(app)
})
afterAll(() => app?.close())

describe('installing a theme from a .zip', () => {
  it('installs a valid theme, stores its files, and lists it beside the bundled one', async () => {
    const res = await install(
      admin,
      themeZip(
        {
          id: 'lighthouse',
          name: 'Lighthouse',
          description: 'Bright',
          settings: [{ key: 'accent', type: 'color', label: 'Accent', default: '#112233' }],
        },
        { 'assets/site.css': 'body{}', 'partials/head.liquid': '<meta charset="utf-8">' },
      ),
    )
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({
      id: 'lighthouse',
      name: 'Lighthouse',
      version: '1.0.0',
      source: 'installed',
      fileCount: 4,
      settings: [{ key: 'accent', type: 'color' }],
    })
    const files = await app.db.engine.query<{ path: string }>(
      "SELECT path FROM theme_files WHERE theme_id = 'lighthouse' ORDER BY path",
    )
    expect(files.map((f) => f.path)).toEqual([
      'assets/site.css',
      'partials/head.liquid',
      'templates/index.liquid',
      'theme.json',
    ])
    const list = await admin.request({ method: 'GET', url: '/api/v1/themes' })
    expect(list.statusCode, list.body).toBe(200)
    const items = list.json().items as { id: string; source: string; sites: number }[]
    expect(items.map((t) => [t.id, t.source])).toEqual(
      expect.arrayContaining([
        ['colophon', 'bundled'],
        ['lighthouse', 'installed'],
      ]),
    )
    expect(items.find((t) => t.id === 'colophon')?.sites).toBeGreaterThanOrEqual(1)
    expect(items.find((t) => t.id === 'lighthouse')?.sites).toBe(0)
    const audit = await app.db.engine.query(
      "SELECT 1 FROM audit_log WHERE action = 'themes.theme.install' AND target_id = 'lighthouse'",
    )
    expect(audit).toHaveLength(1)
  })

  it('strips one top folder', async () => {
    const zip = zipOf({
      'tidewater/theme.json': JSON.stringify({
        id: 'tidewater',
        name: 'Tidewater',
        version: '0.1.0',
        supports: [],
        menuLocations: [],
        settings: [],
      }),
      'tidewater/templates/index.liquid': 'tide',
    })
    const res = await install(admin, zip)
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({ id: 'tidewater', fileCount: 2 })
  })

  it('refuses the same id again without replace, and updates it with replace=true', async () => {
    const again = themeZip({ id: 'lighthouse', name: 'Lighthouse', version: '1.1.0' })
    const details = refusal(await install(admin, again), 409, 'COLOPHON_THEMES_ALREADY_INSTALLED')
    expect(details).toMatchObject({ id: 'lighthouse', installedVersion: '1.0.0', version: '1.1.0' })
    const before = (await admin.request({ method: 'GET', url: '/api/v1/themes/lighthouse' })).json()
    const replaced = await install(admin, again, '?replace=true')
    expect(replaced.statusCode, replaced.body).toBe(200)
    expect(replaced.json()).toMatchObject({ id: 'lighthouse', version: '1.1.0', fileCount: 2 })
    expect(replaced.json().versionHash).not.toBe(before.versionHash)
  })

  it('never replaces a bundled theme', async () => {
    const res = await install(admin, themeZip({ id: 'colophon' }), '?replace=true')
    refusal(res, 409, 'COLOPHON_THEMES_BUNDLED')
  })

  it.each([
    ['path traversal', { '../evil.liquid': 'x' }, 'unsafe-name', '../evil.liquid'],
    ['a nested traversal', { 'templates/../../x.liquid': 'x' }, 'unsafe-name', 'templates/../../x.liquid'],
    ['an absolute path', { '/etc/passwd': 'x' }, 'unsafe-name', '/etc/passwd'],
    ['a backslash', { 'templates\\index.liquid': 'x' }, 'unsafe-name', 'templates\\index.liquid'],
    [
      'a symbolic link',
      { 'assets/link.css': ['/etc/passwd', { os: 3, attrs: 0o120777 << 16 }] },
      'not-a-regular-file',
      'assets/link.css',
    ],
    [
      'a name twice, letter case aside',
      { 'assets/A.css': 'a', 'assets/a.css': 'b' },
      'duplicate-name',
      'assets/a.css',
    ],
  ] as const)('refuses %s with the entry and the rule', async (_, files, rule, path) => {
    const details = refusal(
      await install(admin, themeZip({ id: 'rogue' }, files as never)),
      400,
      'COLOPHON_THEMES_ARCHIVE_INVALID',
    )
    expect(details).toMatchObject({ rule, path })
  })

  it('refuses a body that is not a zip', async () => {
    const details = refusal(
      await install(admin, Buffer.from('not a zip at all')),
      400,
      'COLOPHON_THEMES_ARCHIVE_INVALID',
    )
    expect(details.rule).toBe('not-a-zip')
    const json = await admin.request({ method: 'POST', url: '/api/v1/themes', payload: {} })
    refusal(json, 415, 'COLOPHON_HTTP_UNSUPPORTED_MEDIA_TYPE')
    const empty = await admin.request({ method: 'POST', url: '/api/v1/themes' })
    refusal(empty, 415, 'COLOPHON_HTTP_UNSUPPORTED_MEDIA_TYPE')
  })

  it('refuses too many files', async () => {
    const files: Record<string, string> = {}
    for (let i = 0; i <= THEME_LIMITS.files; i++) files[`assets/f${i}.txt`] = 'x'
    const details = refusal(
      await install(admin, themeZip({ id: 'crowded' }, files)),
      413,
      'COLOPHON_THEMES_ARCHIVE_TOO_LARGE',
    )
    expect(details.rule).toBe('too-many-files')
  })

  it('refuses a file over the size limit', async () => {
    const big = randomBytes(THEME_LIMITS.fileBytes + 1)
    const details = refusal(
      await install(admin, themeZip({ id: 'heavy' }, { 'assets/big.png': [big, { level: 0 }] })),
      413,
      'COLOPHON_THEMES_ARCHIVE_TOO_LARGE',
    )
    expect(details).toMatchObject({ rule: 'file-too-large', path: 'assets/big.png' })
  })

  it('refuses a zip bomb by its compression ratio', async () => {
    const zeros = new Uint8Array(1536 * 1024)
    const details = refusal(
      await install(admin, themeZip({ id: 'bomb' }, { 'assets/zeros.txt': [zeros, { level: 9 }] })),
      413,
      'COLOPHON_THEMES_ARCHIVE_TOO_LARGE',
    )
    expect(details).toMatchObject({ rule: 'compression-ratio', path: 'assets/zeros.txt' })
  })

  it('refuses an upload over the body limit while it streams in', async () => {
    const res = await install(admin, Buffer.alloc(25 * 1024 * 1024))
    expect(res.statusCode).toBe(413)
    expect(errorOf(res).code).toBe('COLOPHON_HTTP_BODY_TOO_LARGE')
  })

  it('refuses a file type themes may not hold', async () => {
    const details = refusal(
      await install(admin, themeZip({ id: 'scripted' }, { 'assets/run.php': '<?php' })),
      400,
      'COLOPHON_RENDER_THEME_INVALID',
    )
    expect(details.issues).toEqual([expect.objectContaining({ path: 'assets/run.php' })])
  })

  it('refuses a bad manifest, naming the field', async () => {
    const details = refusal(
      await install(admin, themeZip({ id: 'Bad Id!' })),
      400,
      'COLOPHON_RENDER_THEME_INVALID',
    )
    expect(details.issues?.[0]?.path).toBe('theme.json/id')
  })

  it('refuses a template that does not parse', async () => {
    const details = refusal(
      await install(
        admin,
        themeZip({ id: 'broken' }, { 'templates/entry.liquid': '{% if x %}never closed' }),
      ),
      400,
      'COLOPHON_RENDER_THEME_INVALID',
    )
    expect(details.issues?.[0]?.path).toBe('templates/entry.liquid')
    const stored = await app.db.engine.query("SELECT 1 FROM themes WHERE id IN ('broken', 'rogue', 'bomb')")
    expect(stored).toEqual([])
  })
})

describe('reading and deleting themes', () => {
  it('pages the list by id', async () => {
    const first = await admin.request({ method: 'GET', url: '/api/v1/themes?limit=1' })
    expect(first.statusCode, first.body).toBe(200)
    expect(first.json().items).toHaveLength(1)
    const cursor = first.json().nextCursor as string
    const second = await admin.request({ method: 'GET', url: `/api/v1/themes?limit=1&cursor=${cursor}` })
    expect(second.json().items[0].id > cursor).toBe(true)
  })

  it('answers 404 for an unknown theme', async () => {
    const res = await admin.request({ method: 'GET', url: '/api/v1/themes/nowhere' })
    refusal(res, 404, 'COLOPHON_THEMES_NOT_FOUND')
  })

  it('refuses to delete a theme a site uses, and deletes it once none does', async () => {
    const chosen = await siteAdmin.request({
      method: 'PUT',
      url: `/api/v1/sites/${siteId}/theme`,
      payload: { themeId: 'tidewater' },
    })
    expect(chosen.statusCode, chosen.body).toBe(200)
    const used = await admin.request({ method: 'GET', url: '/api/v1/themes/tidewater' })
    expect(used.json().sites).toBe(1)
    const refused = await admin.request({ method: 'DELETE', url: '/api/v1/themes/tidewater' })
    expect(refusal(refused, 409, 'COLOPHON_THEMES_IN_USE')).toMatchObject({ sites: 1 })
    await siteAdmin.request({
      method: 'PUT',
      url: `/api/v1/sites/${siteId}/theme`,
      payload: { themeId: 'colophon' },
    })
    const deleted = await admin.request({ method: 'DELETE', url: '/api/v1/themes/tidewater' })
    expect(deleted.statusCode, deleted.body).toBe(204)
    expect(await app.db.engine.query("SELECT 1 FROM theme_files WHERE theme_id = 'tidewater'")).toEqual([])
    refusal(
      await admin.request({ method: 'GET', url: '/api/v1/themes/tidewater' }),
      404,
      'COLOPHON_THEMES_NOT_FOUND',
    )
  })

  it('never deletes a bundled theme', async () => {
    refusal(
      await admin.request({ method: 'DELETE', url: '/api/v1/themes/colophon' }),
      409,
      'COLOPHON_THEMES_BUNDLED',
    )
  })
})

describe('who may manage themes', () => {
  it('refuses site admins and editors the network themes, and lets site admins list the choices', async () => {
    const editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
    for (const who of [siteAdmin, editor]) {
      const listed = await who.request({ method: 'GET', url: '/api/v1/themes' })
      expect(refusal(listed, 403, 'COLOPHON_AUTH_FORBIDDEN')).toMatchObject({
        capability: 'network.themes.manage',
      })
      refusal(await install(who, themeZip({ id: 'sneaky' })), 403, 'COLOPHON_AUTH_FORBIDDEN')
    }
    const choices = await siteAdmin.request({ method: 'GET', url: `/api/v1/sites/${siteId}/themes` })
    expect(choices.statusCode, choices.body).toBe(200)
    const items = choices.json().items as Record<string, unknown>[]
    expect(items.map((t) => t.id)).toContain('lighthouse')
    expect(items.every((t) => !('sites' in t))).toBe(true)
    refusal(
      await editor.request({ method: 'GET', url: `/api/v1/sites/${siteId}/themes` }),
      403,
      'COLOPHON_AUTH_FORBIDDEN',
    )
  })
})
