import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, type TestApp } from '../../../test/harness/test-app.ts'
import { createUser, mainSiteId, signIn, signInAdmin, type Session } from '../../../test/harness/identity.ts'
import { createEntry, createSite, createTerm } from '../../../test/harness/factories.ts'
import { createCtx } from '../../platform/access/index.ts'
import { readSiteMenus, type MenuNode } from './index.ts'

let app: TestApp
let admin: Session
let editor: Session
let author: Session
let mainId: string
let otherId: string
let publicEntry: string
let otherSiteEntry: string
let otherSiteTerm: string

interface ItemView {
  id: string
  kind: string
  label: string | null
  title: string
  entryId: string | null
  termId: string | null
  taxonomy: string | null
  type: string | null
  url: string | null
  children: ItemView[]
}
interface MenuView {
  id: string
  name: string
  location: string | null
  items: ItemView[]
}

const url = (rest = '', site = 'main'): string => `/api/v1/sites/${site}/menus${rest}`
const quiet = { info() {}, warn() {}, error() {} }

function json<T>(res: LightMyRequestResponse, status: number): T {
  expect(res.statusCode, res.body).toBe(status)
  return res.json() as T
}

async function createMenu(body: Record<string, unknown>, as = admin, site = 'main'): Promise<MenuView> {
  return json(await as.request({ method: 'POST', url: url('', site), payload: body }), 201)
}

function putItems(id: string, items: unknown[], as = admin): Promise<LightMyRequestResponse> {
  return as.request({ method: 'PUT', url: url(`/${id}/items`), payload: { items } })
}

/** What an anonymous page of `siteId` gets, read through a context bound to `boundTo`. */
function pageMenus(siteId: string, boundTo = siteId) {
  const ctx = createCtx({
    orm: app.db.engine.orm,
    actor: { kind: 'anonymous' },
    site: { id: boundTo, slug: '', name: '' },
    log: quiet,
  })
  return readSiteMenus(ctx.read, siteId)
}

const labels = (nodes: MenuNode[]): unknown[] =>
  nodes.map((n) => (n.children.length ? [n.label, labels(n.children)] : n.label))

async function auditCount(action: string, targetId: string): Promise<number> {
  const rows = await app.db.engine.query('SELECT 1 FROM audit_log WHERE action = $1 AND target_id = $2', [
    action,
    targetId,
  ])
  return rows.length
}

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  admin = await signInAdmin(app)
  mainId = await mainSiteId(app)
  otherId = await createSite(app, { slug: 'other-menus', name: 'Other' })
  editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
  author = await signIn(app, await createUser(app, { siteRole: 'author' }))
  publicEntry = await createEntry(app, { siteId: mainId, status: 'published', slug: 'hello', title: 'Hello' })
  otherSiteEntry = await createEntry(app, { siteId: otherId, status: 'published', slug: 'theirs' })
  otherSiteTerm = await createTerm(app, { siteId: otherId, taxonomy: 'tag', slug: 'their-tag' })
})
afterAll(() => app?.close())

describe('managing menus', () => {
  it('creates, reads, lists, renames and deletes a menu, auditing each change', async () => {
    const created = await createMenu({ name: '  Links  ' }, editor)
    expect(created).toMatchObject({ name: 'Links', location: null, items: [] })
    expect(
      json<MenuView>(await editor.request({ method: 'GET', url: url(`/${created.id}`) }), 200),
    ).toMatchObject({ id: created.id, name: 'Links' })
    const renamed = await editor.request({
      method: 'PATCH',
      url: url(`/${created.id}`),
      payload: { name: 'More links' },
    })
    expect(json<MenuView>(renamed, 200).name).toBe('More links')
    const second = await createMenu({ name: 'Second' })
    const page = json<{ items: MenuView[]; nextCursor: string | null }>(
      await editor.request({ method: 'GET', url: url('?limit=1') }),
      200,
    )
    expect(page.items.map((m) => m.id)).toEqual([second.id])
    const rest = json<{ items: MenuView[] }>(
      await editor.request({ method: 'GET', url: url(`?limit=1&cursor=${page.nextCursor}`) }),
      200,
    )
    expect(rest.items.map((m) => m.id)).toEqual([created.id])
    expect((await editor.request({ method: 'DELETE', url: url(`/${created.id}`) })).statusCode).toBe(204)
    const gone = await editor.request({ method: 'GET', url: url(`/${created.id}`) })
    expect(gone.statusCode).toBe(404)
    expect(errorOf(gone).code).toBe('COLOPHON_MENUS_NOT_FOUND')
    for (const action of ['menus.create', 'menus.update', 'menus.delete'])
      expect(await auditCount(action, created.id), action).toBe(1)
  })

  it('refuses readers without site.menus.manage', async () => {
    const res = await author.request({ method: 'GET', url: url() })
    expect(res.statusCode).toBe(403)
    const write = await author.request({ method: 'POST', url: url(), payload: { name: 'Nope' } })
    expect(write.statusCode).toBe(403)
  })

  it('places menus at the theme’s locations, one menu per location', async () => {
    const primary = await createMenu({ name: 'Main', location: 'primary' })
    const taken = await admin.request({
      method: 'POST',
      url: url(),
      payload: { name: 'Two', location: 'primary' },
    })
    expect(taken.statusCode).toBe(409)
    expect(errorOf(taken)).toMatchObject({
      code: 'COLOPHON_MENUS_LOCATION_TAKEN',
      details: { menuId: primary.id },
    })
    const unknown = await admin.request({
      method: 'POST',
      url: url(),
      payload: { name: 'S', location: 'sidebar' },
    })
    expect(unknown.statusCode).toBe(400)
    expect(errorOf(unknown).code).toBe('COLOPHON_MENUS_LOCATION_UNKNOWN')
    const locations = json<{ items: unknown[] }>(
      await admin.request({ method: 'GET', url: '/api/v1/sites/main/menu-locations' }),
      200,
    )
    expect(locations.items).toEqual([
      { key: 'primary', label: 'Main menu', menu: { id: primary.id, name: 'Main' } },
      { key: 'footer', label: 'Footer menu', menu: null },
    ])
    // Moving the location frees it for another menu.
    const footer = await createMenu({ name: 'Foot' })
    const moveTaken = await admin.request({
      method: 'PATCH',
      url: url(`/${footer.id}`),
      payload: { location: 'primary' },
    })
    expect(errorOf(moveTaken).code).toBe('COLOPHON_MENUS_LOCATION_TAKEN')
    json(
      await admin.request({ method: 'PATCH', url: url(`/${primary.id}`), payload: { location: null } }),
      200,
    )
    const moved = await admin.request({
      method: 'PATCH',
      url: url(`/${footer.id}`),
      payload: { location: 'primary' },
    })
    expect(json<MenuView>(moved, 200).location).toBe('primary')
    // Another site's menus have their own locations.
    await createMenu({ name: 'Theirs', location: 'primary' }, admin, 'other-menus')
    await admin.request({ method: 'DELETE', url: url(`/${footer.id}`) })
    await admin.request({ method: 'DELETE', url: url(`/${primary.id}`) })
  })
})

describe('replacing a menu’s items', () => {
  it('stores a nested tree of every kind, with titles from the targets', async () => {
    const menu = await createMenu({ name: 'Tree' })
    const term = await createTerm(app, { siteId: mainId, taxonomy: 'category', slug: 'news', name: 'News' })
    const res = await putItems(menu.id, [
      { kind: 'entry', entryId: publicEntry },
      {
        kind: 'custom',
        url: 'https://example.org/',
        label: 'Elsewhere',
        children: [
          { kind: 'term', termId: term, children: [{ kind: 'archive', type: 'post', label: 'All posts' }] },
          { kind: 'custom', url: 'mailto:editor@example.org', label: 'Write' },
        ],
      },
      { kind: 'custom', url: '/about', label: 'About' },
      { kind: 'custom', url: 'tel:+441234567', label: 'Call' },
    ])
    const view = json<MenuView>(res, 200)
    expect(view.items.map((i) => [i.kind, i.title])).toEqual([
      ['entry', 'Hello'],
      ['custom', 'Elsewhere'],
      ['custom', 'About'],
      ['custom', 'Call'],
    ])
    expect(view.items[0]).toMatchObject({ label: null, entryId: publicEntry, type: 'post' })
    const nested = view.items[1]?.children ?? []
    expect(nested[0]).toMatchObject({ kind: 'term', title: 'News', taxonomy: 'category', termId: term })
    expect(nested[0]?.children[0]).toMatchObject({ kind: 'archive', type: 'post', title: 'All posts' })
    expect(
      json<MenuView>(await admin.request({ method: 'GET', url: url(`/${menu.id}`) }), 200).items,
    ).toEqual(view.items)
    expect(await auditCount('menus.items.replace', menu.id)).toBe(1)
  })

  it('refuses every bad tree with its code, leaving the old tree in place', async () => {
    const menu = await createMenu({ name: 'Atomic' })
    const before = json<MenuView>(
      await putItems(menu.id, [{ kind: 'custom', url: '/kept', label: 'Kept', children: [] }]),
      200,
    )
    const hierarchicalPage = 'page'
    const trashed = await createEntry(app, { siteId: mainId, status: 'trash', slug: 'binned' })
    const deep = (levels: number): unknown => ({
      kind: 'custom',
      url: '/deep',
      label: 'Deep',
      children: levels > 1 ? [deep(levels - 1)] : [],
    })
    const cases: [string, unknown[], string][] = [
      ['COLOPHON_MENUS_ITEM_INVALID', [{ kind: 'entry', url: '/x', label: 'X' }], 'items[0]'],
      [
        'COLOPHON_MENUS_ITEM_INVALID',
        [{ kind: 'term', termId: publicEntry, entryId: publicEntry }],
        'items[0]',
      ],
      ['COLOPHON_MENUS_ITEM_LABEL_INVALID', [{ kind: 'custom', url: '/x' }], 'items[0]'],
      [
        'COLOPHON_MENUS_ITEM_LABEL_INVALID',
        [{ kind: 'entry', entryId: publicEntry, label: '   ' }],
        'items[0]',
      ],
      [
        'COLOPHON_MENUS_ITEM_LABEL_INVALID',
        [{ kind: 'custom', url: '/x', label: 'x'.repeat(101) }],
        'items[0]',
      ],
      [
        'COLOPHON_MENUS_ITEM_URL_INVALID',
        [{ kind: 'custom', url: 'javascript:alert(1)', label: 'X' }],
        'items[0]',
      ],
      [
        'COLOPHON_MENUS_ITEM_URL_INVALID',
        [{ kind: 'custom', url: 'JavaScript:alert(1)', label: 'X' }],
        'items[0]',
      ],
      [
        'COLOPHON_MENUS_ITEM_URL_INVALID',
        [{ kind: 'custom', url: 'data:text/html,hi', label: 'X' }],
        'items[0]',
      ],
      [
        'COLOPHON_MENUS_ITEM_URL_INVALID',
        [{ kind: 'custom', url: '//evil.example', label: 'X' }],
        'items[0]',
      ],
      [
        'COLOPHON_MENUS_ITEM_URL_INVALID',
        [{ kind: 'custom', url: '/\\evil.example', label: 'X' }],
        'items[0]',
      ],
      [
        'COLOPHON_MENUS_ITEM_URL_INVALID',
        [{ kind: 'custom', url: 'https://u:p@example.org', label: 'X' }],
        'items[0]',
      ],
      ['COLOPHON_MENUS_ITEM_URL_INVALID', [{ kind: 'custom', url: 'about', label: 'X' }], 'items[0]'],
      ['COLOPHON_MENUS_TOO_DEEP', [deep(3)], 'items[0].children[0]'],
      [
        'COLOPHON_MENUS_TOO_MANY_ITEMS',
        Array.from({ length: 201 }, () => ({ kind: 'custom', url: '/x', label: 'X' })),
        'none',
      ],
      ['COLOPHON_MENUS_ITEM_TARGET_INVALID', [{ kind: 'entry', entryId: trashed }], 'items[0]'],
      ['COLOPHON_MENUS_ITEM_TARGET_INVALID', [{ kind: 'entry', entryId: otherSiteEntry }], 'items[0]'],
      ['COLOPHON_MENUS_ITEM_TARGET_INVALID', [{ kind: 'term', termId: otherSiteTerm }], 'items[0]'],
      ['COLOPHON_MENUS_ITEM_TARGET_INVALID', [{ kind: 'archive', type: 'nonesuch' }], 'items[0]'],
      ['COLOPHON_MENUS_ITEM_TARGET_INVALID', [{ kind: 'archive', type: hierarchicalPage }], 'items[0]'],
    ]
    for (const [code, items, item] of cases) {
      // The bad item sits after a good one, one level down: nothing of the good part may land either.
      const tree = [{ kind: 'custom', url: '/good', label: 'Good', children: items.length > 1 ? [] : items }]
      const res = await putItems(menu.id, items.length > 1 ? items : tree)
      const label = `${code} ${JSON.stringify(items).slice(0, 80)}`
      expect(res.statusCode, label).toBe(400)
      const error = errorOf(res)
      expect(error.code, label).toBe(code)
      // Paths are given for the item's own tree; wrapped under 'Good', they start one level down.
      if (items.length === 1)
        expect((error.details as { item: string }).item, label).toBe(
          item.replace(/^items\[0\]/, 'items[0].children[0]'),
        )
    }
    expect(
      json<MenuView>(await admin.request({ method: 'GET', url: url(`/${menu.id}`) }), 200).items,
    ).toEqual(before.items)
  })

  it('answers 404 for another site’s menu, and hides it from that site’s lists', async () => {
    const theirs = await createMenu({ name: 'Other site menu' }, admin, 'other-menus')
    const res = await admin.request({ method: 'GET', url: url(`/${theirs.id}`) })
    expect(res.statusCode).toBe(404)
    const put = await putItems(theirs.id, [])
    expect(put.statusCode).toBe(404)
    const list = json<{ items: MenuView[] }>(
      await admin.request({ method: 'GET', url: url('?limit=100') }),
      200,
    )
    expect(list.items.map((m) => m.id)).not.toContain(theirs.id)
  })
})

describe('menus on public pages', () => {
  it('gives the placed menus as trees, hiding what anonymous readers may not see', async () => {
    const draft = await createEntry(app, { siteId: mainId, status: 'draft', slug: 'draft', title: 'Draft' })
    const scheduled = await createEntry(app, {
      siteId: mainId,
      status: 'scheduled',
      slug: 'soon',
      title: 'Soon',
    })
    const priv = await createEntry(app, {
      siteId: mainId,
      status: 'published',
      visibility: 'private',
      slug: 'private',
      title: 'Private',
    })
    const locked = await createEntry(app, {
      siteId: mainId,
      status: 'published',
      visibility: 'password',
      password: 'sesame',
      slug: 'locked',
      title: 'Locked',
    })
    const binned = await createEntry(app, {
      siteId: mainId,
      status: 'published',
      slug: 'bin-me',
      title: 'Bin me',
    })
    const parentPage = await createEntry(app, {
      siteId: mainId,
      type: 'page',
      status: 'published',
      slug: 'guides',
    })
    const childPage = await createEntry(app, {
      siteId: mainId,
      type: 'page',
      status: 'published',
      slug: 'start',
      title: 'Getting started',
      parentId: parentPage,
    })
    const parentTerm = await createTerm(app, {
      siteId: mainId,
      taxonomy: 'category',
      slug: 'travel',
      name: 'Travel',
    })
    const childTerm = await createTerm(app, {
      siteId: mainId,
      taxonomy: 'category',
      slug: 'europe',
      name: 'Europe',
      parentId: parentTerm,
    })
    const menu = await createMenu({ name: 'Public', location: 'footer' })
    json(
      await putItems(menu.id, [
        { kind: 'entry', entryId: publicEntry, label: 'Start here' },
        {
          kind: 'entry',
          entryId: draft,
          children: [{ kind: 'custom', url: '/under-draft', label: 'Under draft' }],
        },
        { kind: 'entry', entryId: scheduled },
        { kind: 'entry', entryId: priv },
        { kind: 'entry', entryId: locked },
        { kind: 'entry', entryId: binned },
        { kind: 'entry', entryId: childPage },
        { kind: 'term', termId: childTerm, children: [{ kind: 'archive', type: 'post' }] },
        { kind: 'custom', url: 'https://example.org', label: 'Out' },
      ]),
      200,
    )
    await app.db.engine.query("UPDATE entries SET status = 'trash', trashed_at = now() WHERE id = $1", [
      binned,
    ])
    // A menu with no location is never shown.
    const hidden = await createMenu({ name: 'Unplaced' })
    json(await putItems(hidden.id, [{ kind: 'custom', url: '/x', label: 'Unplaced' }]), 200)

    const menus = await pageMenus(mainId)
    const footer = menus.footer ?? []
    expect(labels(footer)).toEqual(['Start here', 'Getting started', ['Europe', ['Posts']], 'Out'])
    expect(footer[0]?.target).toMatchObject({
      kind: 'entry',
      entry: { id: publicEntry, type: 'post', slug: 'hello', title: 'Hello', ancestors: [] },
    })
    const first = footer[0]?.target
    expect(first?.kind === 'entry' && first.entry.publishedAt instanceof Date).toBe(true)
    expect(footer[1]?.target).toMatchObject({ kind: 'entry', entry: { type: 'page', ancestors: ['guides'] } })
    expect(footer[2]?.target).toEqual({
      kind: 'term',
      taxonomy: 'category',
      slugs: ['travel', 'europe'],
      name: 'Europe',
    })
    expect(footer[2]?.children[0]?.target).toEqual({ kind: 'archive', type: 'post' })
    expect(footer[3]?.target).toEqual({ kind: 'custom', url: 'https://example.org' })
    expect(
      Object.values(menus)
        .flat()
        .map((n) => n.label),
    ).not.toContain('Unplaced')

    // The item follows its entry: a new slug shows at once, and publishing the draft brings it (and its child) in.
    await app.db.engine.query("UPDATE entries SET slug = 'hello-again' WHERE id = $1", [publicEntry])
    await app.db.engine.query("UPDATE entries SET status = 'published', published_at = now() WHERE id = $1", [
      draft,
    ])
    const after = (await pageMenus(mainId)).footer ?? []
    expect(after[0]?.target).toMatchObject({ kind: 'entry', entry: { slug: 'hello-again' } })
    expect(labels(after).slice(0, 2)).toEqual(['Start here', ['Draft', ['Under draft']]])
    await app.db.engine.query("UPDATE entries SET slug = 'hello' WHERE id = $1", [publicEntry])
  })

  it('drops an item (and its sub-items) when its entry or term is deleted', async () => {
    const doomed = await createEntry(app, {
      siteId: mainId,
      status: 'published',
      slug: 'doomed',
      title: 'Doomed',
    })
    const term = await createTerm(app, { siteId: mainId, taxonomy: 'tag', slug: 'gone-tag', name: 'Gone' })
    const menu = await createMenu({ name: 'Cascade' })
    json(
      await putItems(menu.id, [
        { kind: 'entry', entryId: doomed, children: [{ kind: 'custom', url: '/c', label: 'Child' }] },
        { kind: 'term', termId: term },
        { kind: 'custom', url: '/stays', label: 'Stays' },
      ]),
      200,
    )
    await app.db.engine.query('DELETE FROM entries WHERE id = $1', [doomed])
    await app.db.engine.query('DELETE FROM terms WHERE id = $1', [term])
    const view = json<MenuView>(await admin.request({ method: 'GET', url: url(`/${menu.id}`) }), 200)
    expect(view.items.map((i) => i.title)).toEqual(['Stays'])
  })

  it('never shows one site’s menus to another site (row-level security)', async () => {
    const mine = await pageMenus(mainId)
    expect(Object.keys(mine)).toContain('footer')
    // A read bound to the other site asking for the main site's menus finds nothing.
    expect(await pageMenus(mainId, otherId)).toEqual({})
    const theirs = await pageMenus(otherId)
    expect(Object.keys(theirs)).toEqual(['primary'])
    expect(theirs.primary).toEqual([])
  })
})
