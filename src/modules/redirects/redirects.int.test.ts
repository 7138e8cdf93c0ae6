import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, type TestApp } from '../../../test/harness/test-app.ts'
import { createUser, mainSiteId, signIn, signInAdmin, type Session } from '../../../test/harness/identity.ts'
import { asSystem } from '../../platform/access/index.ts'
import { createEntry, createSite } from '../../../test/harness/factories.ts'
import { recordPathChange, resolveRedirect } from './index.ts'

let app: TestApp
let admin: Session
let editor: Session
let mainId: string
let otherId: string
let entryId: string

interface Redirect {
  id: string
  fromPath: string
  toPath: string
  statusCode: number
  isAutomatic: boolean
  entryId: string | null
}

const url = (rest = '', site = 'main'): string => `/api/v1/sites/${site}/redirects${rest}`

async function create(body: Record<string, unknown>, site = 'main'): Promise<Redirect> {
  const res = await admin.request({ method: 'POST', url: url('', site), payload: body })
  if (res.statusCode !== 201) throw new Error(`creating ${JSON.stringify(body)} failed: ${res.body}`)
  return res.json() as Redirect
}

/** Every redirect of the main site as `from → to` (the whole table is small in these tests). */
async function table(siteId = mainId): Promise<Map<string, string>> {
  const rows = await app.db.engine.query<{ from_path: string; to_path: string }>(
    'SELECT from_path, to_path FROM redirects WHERE site_id = $1',
    [siteId],
  )
  return new Map(rows.map((r) => [r.from_path, r.to_path]))
}

async function auditCount(action: string, targetId: string): Promise<number> {
  const rows = await app.db.engine.query('SELECT 1 FROM audit_log WHERE action = $1 AND target_id = $2', [
    action,
    targetId,
  ])
  return rows.length
}

function systemCtx() {
  return asSystem({
    orm: app.db.engine.orm,
    reason: 'redirects test: an entry path change',
    site: { id: mainId, slug: 'main', name: 'Main' },
    log: { info() {}, warn() {}, error() {} },
  })
}

async function pathChange(fromPath: string, toPath: string): Promise<void> {
  const ctx = systemCtx()
  await ctx.tx((tx) => recordPathChange(ctx, tx, { fromPath, toPath, entryId }))
}

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  admin = await signInAdmin(app)
  mainId = await mainSiteId(app)
  otherId = await createSite(app, { slug: 'other', name: 'Other' })
  editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
  entryId = await createEntry(app, { siteId: mainId, status: 'published', slug: 'moved', title: 'Moved' })
})
afterAll(() => app?.close())

describe('managing redirects', () => {
  it('creates, reads, changes and deletes a redirect, auditing each change', async () => {
    const created = await create({ fromPath: '/crud-old', toPath: '/crud-new', note: 'renamed' })
    expect(created).toMatchObject({
      fromPath: '/crud-old',
      toPath: '/crud-new',
      statusCode: 301,
      isAutomatic: false,
    })

    const got = await admin.request({ method: 'GET', url: url(`/${created.id}`) })
    expect(got.statusCode).toBe(200)
    expect(got.json().note).toBe('renamed')

    const patched = await admin.request({
      method: 'PATCH',
      url: url(`/${created.id}`),
      payload: { statusCode: 308, toPath: 'https://example.org/elsewhere' },
    })
    expect(patched.statusCode).toBe(200)
    expect(patched.json()).toMatchObject({ statusCode: 308, toPath: 'https://example.org/elsewhere' })

    const deleted = await admin.request({ method: 'DELETE', url: url(`/${created.id}`) })
    expect(deleted.statusCode).toBe(204)
    const gone = await admin.request({ method: 'GET', url: url(`/${created.id}`) })
    expect(errorOf(gone).code).toBe('COLOPHON_REDIRECTS_NOT_FOUND')
    for (const action of ['redirects.create', 'redirects.update', 'redirects.delete'])
      expect(await auditCount(action, created.id)).toBe(1)
  })

  it('stores paths normalised and refuses unsafe targets field by field', async () => {
    const made = await create({ fromPath: ' /caf%c3%a9/%7Euser/a b ', toPath: '/menu?x=1#top' })
    expect(made.fromPath).toBe('/caf%C3%A9/~user/a%20b')
    expect(made.toPath).toBe('/menu?x=1#top')
    const backslash = await create({ fromPath: '/backslash', toPath: '/\\evil.example' })
    expect(backslash.toPath).toBe('/%5Cevil.example')

    const bad: Array<[Record<string, unknown>, string[]]> = [
      [{ fromPath: 'https://example.org/x', toPath: '/y' }, ['fromPath']],
      [{ fromPath: '/a/../b', toPath: '/y' }, ['fromPath']],
      [{ fromPath: '/a/%2e%2E/b', toPath: '/y' }, ['fromPath']],
      [{ fromPath: '/q?x=1', toPath: 'javascript:alert(1)' }, ['fromPath', 'toPath']],
      [{ fromPath: '/d', toPath: 'data:text/html,hi' }, ['toPath']],
      [{ fromPath: '/p', toPath: '//evil.example/x' }, ['toPath']],
      [{ fromPath: '/t', toPath: '/\t/evil.example' }, ['toPath']],
      [{ fromPath: '/u', toPath: 'https://user:pw@example.org/' }, ['toPath']],
      [{ fromPath: `/${'x'.repeat(2000)}`, toPath: '/y' }, ['fromPath']],
      [{ fromPath: '/%zz', toPath: '/y' }, ['fromPath']],
    ]
    for (const [body, fields] of bad) {
      const res = await admin.request({ method: 'POST', url: url(), payload: body })
      expect(res.statusCode, JSON.stringify(body)).toBe(400)
      const error = errorOf(res)
      expect(error.code).toBe('COLOPHON_REDIRECTS_PATH_INVALID')
      expect(Object.keys((error.details as { fields: object }).fields).sort()).toEqual(fields)
    }
  })

  it('refuses a second redirect from the same path', async () => {
    await create({ fromPath: '/taken', toPath: '/one' })
    const res = await admin.request({
      method: 'POST',
      url: url(),
      payload: { fromPath: '/taken/', toPath: '/two' },
    })
    expect(res.statusCode).toBe(201)
    const again = await admin.request({
      method: 'POST',
      url: url(),
      payload: { fromPath: '/taken', toPath: '/two' },
    })
    expect(again.statusCode).toBe(409)
    expect(errorOf(again).code).toBe('COLOPHON_REDIRECTS_FROM_TAKEN')
  })

  it('refuses loops, direct and through a chain, with the chain in details', async () => {
    const self = await admin.request({
      method: 'POST',
      url: url(),
      payload: { fromPath: '/self', toPath: '/self?x' },
    })
    expect(errorOf(self).code).toBe('COLOPHON_REDIRECTS_LOOP')

    // Created target first, so the chain stays two hops (flattening only rewrites redirects into a source).
    await create({ fromPath: '/loop-c', toPath: '/loop-d#part' })
    await create({ fromPath: '/loop-b', toPath: '/loop-c' })
    const res = await admin.request({
      method: 'POST',
      url: url(),
      payload: { fromPath: '/loop-d', toPath: '/loop-b' },
    })
    expect(res.statusCode).toBe(409)
    const error = errorOf(res)
    expect(error.code).toBe('COLOPHON_REDIRECTS_LOOP')
    expect(error.details).toEqual({ chain: ['/loop-d', '/loop-b', '/loop-c', '/loop-d#part'] })

    // A change that would close a loop is refused too.
    const d = await create({ fromPath: '/loop-d', toPath: '/loop-e' })
    const patch = await admin.request({
      method: 'PATCH',
      url: url(`/${d.id}`),
      payload: { toPath: '/loop-b' },
    })
    expect(errorOf(patch).code).toBe('COLOPHON_REDIRECTS_LOOP')
  })

  it('flattens chains: a new A→B retargets X→A to X→B', async () => {
    const x = await create({ fromPath: '/flat-x', toPath: '/flat-a' })
    await create({ fromPath: '/flat-a', toPath: '/flat-b' })
    const got = await admin.request({ method: 'GET', url: url(`/${x.id}`) })
    expect(got.json().toPath).toBe('/flat-b')
  })

  it('lists with a cursor, filters by kind and searches by path', async () => {
    await create({ fromPath: '/list-1', toPath: '/list-target' })
    await create({ fromPath: '/list-2', toPath: '/list-target' })
    const page = await admin.request({ method: 'GET', url: url('?search=LIST-&limit=1') })
    expect(page.statusCode).toBe(200)
    expect(page.json().items).toHaveLength(1)
    const next = await admin.request({
      method: 'GET',
      url: url(`?search=list-&limit=1&cursor=${page.json().nextCursor}`),
    })
    const froms = [page.json().items[0].fromPath, next.json().items[0].fromPath].sort()
    expect(froms).toEqual(['/list-1', '/list-2'])
    const automatic = await admin.request({ method: 'GET', url: url('?kind=automatic&search=list-') })
    expect(automatic.json().items).toEqual([])
    const literal = await admin.request({ method: 'GET', url: url('?search=_') })
    expect(literal.json().items).toEqual([])
  })
})

describe('who may manage redirects', () => {
  it('needs site.seo.manage: an editor is refused, an anonymous caller must sign in', async () => {
    const listed = await editor.request({ method: 'GET', url: url() })
    expect(listed.statusCode).toBe(403)
    const made = await editor.request({
      method: 'POST',
      url: url(),
      payload: { fromPath: '/e', toPath: '/f' },
    })
    expect(made.statusCode).toBe(403)
    const anonymous = await app.server.inject({ method: 'GET', url: url() })
    expect(anonymous.statusCode).toBe(401)
  })

  it('never reaches another site’s redirect by id', async () => {
    const other = await create({ fromPath: '/other-site', toPath: '/there' }, 'other')
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const res = await admin.request({
        method,
        url: url(`/${other.id}`),
        ...(method === 'PATCH' ? { payload: { note: 'x' } } : {}),
      })
      expect(res.statusCode, method).toBe(404)
      expect(errorOf(res).code).toBe('COLOPHON_REDIRECTS_NOT_FOUND')
    }
    expect((await table(otherId)).get('/other-site')).toBe('/there')
  })
})

describe('automatic redirects on path changes', () => {
  it('A→B then B→C gives A→C and B→C; moving back to A drops the redirect from A', async () => {
    await pathChange('/auto-a', '/auto-b')
    expect((await table()).get('/auto-a')).toBe('/auto-b')
    await pathChange('/auto-b', '/auto-c')
    let now = await table()
    expect(now.get('/auto-a')).toBe('/auto-c')
    expect(now.get('/auto-b')).toBe('/auto-c')
    await pathChange('/auto-c', '/auto-a')
    now = await table()
    expect(now.has('/auto-a')).toBe(false)
    expect(now.get('/auto-b')).toBe('/auto-a')
    expect(now.get('/auto-c')).toBe('/auto-a')

    const res = await admin.request({ method: 'GET', url: url('?kind=automatic&search=auto-') })
    const items = res.json().items as Redirect[]
    expect(items).toHaveLength(2)
    expect(items.every((r) => r.isAutomatic && r.entryId === entryId && r.statusCode === 301)).toBe(true)
    const audited = await app.db.engine.query(
      `SELECT 1 FROM audit_log WHERE action LIKE 'redirects.%' AND summary::text LIKE '%auto-%'`,
    )
    expect(audited).toHaveLength(0)
  })

  it('keeps a manual redirect that already owns the old path', async () => {
    await create({ fromPath: '/kept-old', toPath: '/chosen' })
    await pathChange('/kept-old', '/kept-new')
    expect((await table()).get('/kept-old')).toBe('/chosen')
  })

  it('resolves a request path, normalised, to its target', async () => {
    await pathChange('/caf%c3%a9-old', '/cafe-new')
    const ctx = systemCtx()
    const found = await resolveRedirect(ctx.read, mainId, '/caf%C3%A9-old?utm=1')
    expect(found).toEqual({ toPath: '/cafe-new', statusCode: 301 })
    const missing = await resolveRedirect(ctx.read, mainId, '/nowhere')
    expect(missing).toBeUndefined()
    const otherSite = await resolveRedirect(ctx.read, otherId, '/caf%C3%A9-old')
    expect(otherSite).toBeUndefined()
  })
})
