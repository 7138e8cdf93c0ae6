import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, queryCount, type TestApp } from '../../../../test/harness/test-app.ts'
import { createUser, signIn, signInAdmin, type Session } from '../../../../test/harness/identity.ts'
import { asSystem } from '../../../platform/access/index.ts'
import { networkTransaction, newId } from '../../../platform/db/index.ts'
import { createEntry, createSite } from '../../../../test/harness/factories.ts'
import { findTypeWithGroups } from './types.repo.ts'
import { loadCompiledType, validateEntryFields } from './types.service.ts'

let app: TestApp
let admin: Session
let echo: { id: string; slug: string; name: string }
let foxtrotId: string

const quiet = { info() {}, warn() {}, error() {} }
const typesUrl = (rest = '', site = 'echo') => `/api/v1/sites/${site}/types${rest}`
const groupsUrl = (rest = '', site = 'echo') => `/api/v1/sites/${site}/field-groups${rest}`

/** A draft entry of a type with field values, written straight into the database (no validation). */
const insertEntry = (siteId: string, type: string, fields: Record<string, unknown>) =>
  createEntry(app, { siteId, type, fields })

async function storedFields(id: string): Promise<Record<string, unknown>> {
  const [row] = await app.db.engine.query<{ fields: Record<string, unknown> }>(
    'SELECT fields FROM entries WHERE id = $1',
    [id],
  )
  return row?.fields ?? {}
}

async function createType(body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await admin.request({ method: 'POST', url: typesUrl(), payload: body })
  if (res.statusCode !== 201) throw new Error(`creating ${JSON.stringify(body)} failed: ${res.body}`)
  return res.json() as Record<string, unknown>
}

/** Runs the entry-write validation the entries service runs, as a system context bound to Echo. */
/** A media item of the site (a media field must name one of its own site's). */
async function mediaItem(siteId: string): Promise<string> {
  const id = newId()
  await app.db.engine.query(
    "INSERT INTO media (id, site_id, storage_key, filename, mime_type, category, size_bytes, sha256) VALUES ($1, $2, $3, 'c.png', 'image/png', 'image', 1, 'x')",
    [id, siteId, `${siteId}/originals/${id}.png`],
  )
  return id
}

async function validate(
  typeKey: string,
  values: Record<string, unknown>,
  options: { existing?: Record<string, unknown>; entryId?: string } = {},
): Promise<{ values?: Record<string, unknown>; problems?: Record<string, string> }> {
  const ctx = asSystem({ orm: app.db.engine.orm, reason: 'types test', site: echo, log: quiet })
  try {
    const out = await ctx.tx(async (tx) => {
      const type = await loadCompiledType(tx, echo.id, { key: typeKey })
      if (!type) throw new Error(`no type ${typeKey}`)
      return validateEntryFields(tx, { siteId: echo.id, type, values, ...options })
    })
    return { values: out }
  } catch (err) {
    const e = err as { code?: string; details?: { fields: Record<string, { code: string }> } }
    if (e.code !== 'COLOPHON_CONTENT_FIELDS_INVALID') throw err
    return {
      problems: Object.fromEntries(Object.entries(e.details?.fields ?? {}).map(([k, p]) => [k, p.code])),
    }
  }
}

async function auditCount(action: string): Promise<number> {
  const rows = await app.db.engine.query('SELECT 1 FROM audit_log WHERE action = $1', [action])
  return rows.length
}

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  admin = await signInAdmin(app)
  echo = { id: await createSite(app, { slug: 'echo' }), slug: 'echo', name: 'echo' }
  foxtrotId = await createSite(app, { slug: 'foxtrot' })
  await createType({
    key: 'book',
    name: 'Book',
    pluralName: 'Books',
    fields: [
      { key: 'isbn', label: 'ISBN', type: 'text', unique: true, pattern: '^\\d{13}$' },
      { key: 'pages', label: 'Pages', type: 'number', min: 1, max: 5000, required: true },
      { key: 'format', label: 'Format', type: 'select', options: ['paper', 'ebook'], default: 'paper' },
      { key: 'genres', label: 'Genres', type: 'multiSelect', options: ['sf', 'crime', 'poetry'], max: 2 },
      { key: 'released', label: 'Released', type: 'date', min: '1450-01-01' },
      { key: 'launch', label: 'Launch', type: 'datetime' },
      { key: 'in_print', label: 'In print', type: 'boolean' },
      { key: 'contact', label: 'Contact', type: 'email' },
      { key: 'shop', label: 'Shop', type: 'url' },
      { key: 'cover', label: 'Cover', type: 'media' },
      { key: 'sequel', label: 'Sequel', type: 'entry', targetTypes: ['book'] },
      { key: 'related', label: 'Related', type: 'entry' },
      { key: 'blurb', label: 'Blurb', type: 'richText' },
      { key: 'extra', label: 'Extra', type: 'json' },
    ],
  })
})
afterAll(() => app?.close())

describe('reading types', () => {
  it('gives every new site the built-in post and page, readable anonymously', async () => {
    const res = await app.server.inject({ method: 'GET', url: typesUrl('', 'foxtrot') })
    expect(res.statusCode).toBe(200)
    const items = res.json().items as Array<{ key: string; builtin: boolean; hierarchical: boolean }>
    expect(items.map((t) => [t.key, t.builtin, t.hierarchical])).toEqual([
      ['page', true, true],
      ['post', true, false],
    ])
    // The gate's site lookup, the transaction binding, and one statement for the types with their groups.
    expect(queryCount(res)).toBeLessThanOrEqual(3)
    const one = await app.server.inject({ method: 'GET', url: typesUrl('/book') })
    expect(one.statusCode).toBe(200)
    expect(queryCount(one)).toBeLessThanOrEqual(3)
    expect((one.json().allFields as unknown[]).length).toBe(14)
    const other = await app.server.inject({ method: 'GET', url: typesUrl('/book', 'foxtrot') })
    expect(errorOf(other).code).toBe('COLOPHON_CONTENT_TYPE_NOT_FOUND')
  })
})

describe('saving a type schema', () => {
  it('lists every problem per field', async () => {
    const res = await admin.request({
      method: 'POST',
      url: typesUrl(),
      payload: {
        key: 'broken',
        name: 'Broken',
        fields: [
          { key: 'Title', label: 'T', type: 'text' },
          { key: 'size', label: 'Size', type: 'number', min: 5, max: 1, pattern: '\\d' },
          { key: 'size', label: 'Size again', type: 'text' },
          { key: 'pick', label: 'Pick', type: 'select' },
          { key: 'rel', label: 'Rel', type: 'entry', targetTypes: ['nope'] },
          { key: 'code', label: 'Code', type: 'text', pattern: '[' },
          { key: 'n', label: 'N', type: 'number', max: 3, default: 9 },
          { key: 'k', label: 'K', type: 'colour' },
        ],
      },
    })
    expect(res.statusCode).toBe(400)
    const error = errorOf(res)
    expect(error.code).toBe('COLOPHON_CONTENT_TYPE_SCHEMA_INVALID')
    const fields = (error.details as { fields: Record<string, Array<{ code: string }>> }).fields
    const codes = Object.fromEntries(Object.entries(fields).map(([k, list]) => [k, list.map((p) => p.code)]))
    expect(codes).toEqual({
      '#0': ['key'],
      size: ['range', 'pattern', 'duplicate'],
      pick: ['options'],
      rel: ['targetTypes'],
      code: ['pattern'],
      n: ['default'],
      k: ['type'],
    })
    const none = await app.server.inject({ method: 'GET', url: typesUrl('/broken') })
    expect(none.statusCode).toBe(404)
  })

  it('refuses bad permalinks, bad keys and taken keys with coded errors', async () => {
    for (const permalink of ['no-slash/{slug}', '/{year}/{month}', '/{slug}/{nope}', '/a//{slug}']) {
      const res = await admin.request({
        method: 'POST',
        url: typesUrl(),
        payload: { key: 'x', name: 'X', permalink },
      })
      expect(errorOf(res).code).toBe('COLOPHON_CONTENT_TYPE_PERMALINK_INVALID')
    }
    const badKey = await admin.request({
      method: 'POST',
      url: typesUrl(),
      payload: { key: 'Bad_Key', name: 'X' },
    })
    expect(badKey.statusCode).toBe(400)
    const taken = await admin.request({
      method: 'POST',
      url: typesUrl(),
      payload: { key: 'post', name: 'Again' },
    })
    expect(taken.statusCode).toBe(409)
    expect(errorOf(taken).code).toBe('COLOPHON_CONTENT_TYPE_KEY_TAKEN')
  })

  it('creates a type with a default permalink and audits it', async () => {
    const type = await createType({ key: 'event', name: 'Event', hierarchical: true, approvalsRequired: 2 })
    expect(type).toMatchObject({ permalink: '/{type}/{path}', pluralName: 'Event', approvalsRequired: 2 })
    expect(await auditCount('content.type.create')).toBeGreaterThanOrEqual(2)
  })
})

describe('roles', () => {
  it('lets a site administrator manage types, not an editor or an author', async () => {
    const siteAdmin = await signIn(app, await createUser(app, { siteRole: 'administrator', site: echo.id }))
    const ok = await siteAdmin.request({
      method: 'POST',
      url: typesUrl(),
      payload: { key: 'recipe', name: 'Recipe' },
    })
    expect(ok.statusCode).toBe(201)
    for (const role of ['editor', 'author']) {
      const user = await signIn(app, await createUser(app, { siteRole: role, site: echo.id }))
      const calls = [
        { method: 'POST' as const, url: typesUrl(), payload: { key: 'nope', name: 'Nope' } },
        { method: 'PATCH' as const, url: typesUrl('/recipe'), payload: { name: 'Changed' } },
        { method: 'DELETE' as const, url: typesUrl('/recipe') },
        { method: 'POST' as const, url: typesUrl('/recipe/purge-fields'), payload: { fields: ['x'] } },
        { method: 'POST' as const, url: groupsUrl(), payload: { key: 'g', name: 'G', fields: [] } },
      ]
      for (const call of calls) {
        const res = await user.request(call)
        expect(res.statusCode, `${role} ${call.method} ${call.url}`).toBe(403)
        expect(errorOf(res).code).toBe('COLOPHON_AUTH_FORBIDDEN')
      }
      expect((await user.request({ method: 'GET', url: typesUrl('/recipe') })).statusCode).toBe(200)
    }
    const anonymous = await app.server.inject({ method: 'DELETE', url: typesUrl('/recipe') })
    expect(anonymous.statusCode).toBe(401)
  })
})

describe('entry field values', () => {
  it('accepts good values and applies defaults on create', async () => {
    const out = await validate('book', {
      isbn: '9780000000001',
      pages: 320,
      genres: ['sf'],
      released: '1999-05-01',
      launch: '2025-03-01T09:30:00Z',
      in_print: true,
      contact: 'ada@example.com',
      shop: 'https://example.com/buy',
      cover: await mediaItem(echo.id),
      blurb: { type: 'doc', content: [{ type: 'paragraph' }] },
      extra: { any: ['json'] },
    })
    expect(out.problems).toBeUndefined()
    expect(out.values).toMatchObject({ format: 'paper', pages: 320 })
  })

  it('refuses each broken rule, listing every field', async () => {
    const out = await validate('book', {
      isbn: '123',
      pages: 0,
      format: 'vinyl',
      genres: ['sf', 'crime', 'poetry'],
      released: '1200-01-01',
      launch: 'tomorrow',
      in_print: 'yes',
      contact: 'not an email',
      shop: 'javascript:alert(1)',
      cover: 'cover.jpg',
      blurb: '<p>html</p>',
      nope: 1,
    })
    expect(out.problems).toEqual({
      isbn: 'pattern',
      pages: 'min',
      format: 'option',
      genres: 'max',
      released: 'min',
      launch: 'type',
      in_print: 'type',
      contact: 'email',
      shop: 'url',
      cover: 'type',
      blurb: 'rich_text',
      nope: 'unknown',
    })
    expect((await validate('book', {})).problems).toEqual({ pages: 'required' })
    expect((await validate('book', { shop: 'data:text/html,x', pages: 1 })).problems).toEqual({ shop: 'url' })
  })

  it('refuses a value another live entry of the type holds when the field is unique', async () => {
    const first = await insertEntry(echo.id, 'book', { isbn: '9781111111111', pages: 1 })
    expect((await validate('book', { isbn: '9781111111111', pages: 2 })).problems).toEqual({ isbn: 'unique' })
    // The entry itself may keep its value.
    const same = await validate('book', { pages: 3 }, { existing: await storedFields(first), entryId: first })
    expect(same.problems).toBeUndefined()
    // Trashed entries do not count.
    await app.db.engine.query("UPDATE entries SET status = 'trash', trashed_at = now() WHERE id = $1", [
      first,
    ])
    expect((await validate('book', { isbn: '9781111111111', pages: 2 })).problems).toBeUndefined()
  })

  it('checks entry references: same site, target types', async () => {
    const book = await insertEntry(echo.id, 'book', { pages: 10 })
    const post = await insertEntry(echo.id, 'post', {})
    const foreign = await insertEntry(foxtrotId, 'post', {})
    expect((await validate('book', { pages: 1, sequel: book, related: post })).problems).toBeUndefined()
    expect((await validate('book', { pages: 1, sequel: post })).problems).toEqual({
      sequel: 'reference_type',
    })
    expect((await validate('book', { pages: 1, related: foreign })).problems).toEqual({
      related: 'reference',
    })
    expect((await validate('book', { pages: 1, related: newId() })).problems).toEqual({
      related: 'reference',
    })
  })
})

describe('schema changes keep stored values', () => {
  it('retires a removed field, keeps its values read-only, un-retires it, then purges it', async () => {
    await createType({
      key: 'note',
      name: 'Note',
      fields: [
        { key: 'mood', label: 'Mood', type: 'text' },
        { key: 'score', label: 'Score', type: 'number' },
      ],
    })
    const a = await insertEntry(echo.id, 'note', { mood: 'calm', score: 3 })
    const b = await insertEntry(echo.id, 'note', { mood: 'busy' })
    await insertEntry(echo.id, 'note', { score: 1 })

    const patched = await admin.request({
      method: 'PATCH',
      url: typesUrl('/note'),
      payload: { fields: [{ key: 'score', label: 'Score', type: 'number' }] },
    })
    expect(patched.statusCode).toBe(200)
    expect(patched.json().retiredFields).toEqual(['mood'])
    expect(await storedFields(a)).toEqual({ mood: 'calm', score: 3 })
    const kept = await validate('note', { score: 4 }, { existing: await storedFields(a), entryId: a })
    expect(kept.values).toEqual({ mood: 'calm', score: 4 })
    expect((await validate('note', { mood: 'new' }, { existing: {}, entryId: a })).problems).toEqual({
      mood: 'retired',
    })

    // Added back, even with another type: un-retired, and its values are checked on the next save.
    const back = await admin.request({
      method: 'PATCH',
      url: typesUrl('/note'),
      payload: {
        fields: [
          { key: 'score', label: 'Score', type: 'number' },
          { key: 'mood', label: 'Mood', type: 'number' },
        ],
      },
    })
    expect(back.json().retiredFields).toEqual([])
    expect((await validate('note', {}, { existing: await storedFields(a), entryId: a })).problems).toEqual({
      mood: 'type',
    })

    await admin.request({
      method: 'PATCH',
      url: typesUrl('/note'),
      payload: { fields: [{ key: 'score', label: 'Score', type: 'number' }] },
    })
    const notRetired = await admin.request({
      method: 'POST',
      url: typesUrl('/note/purge-fields'),
      payload: { fields: ['score'] },
    })
    expect(notRetired.statusCode).toBe(409)
    expect(errorOf(notRetired).code).toBe('COLOPHON_CONTENT_TYPE_FIELD_NOT_RETIRED')

    const purged = await admin.request({
      method: 'POST',
      url: typesUrl('/note/purge-fields'),
      payload: { fields: ['mood'] },
    })
    expect(purged.statusCode).toBe(200)
    expect(purged.json()).toEqual({ entriesChanged: 2, retiredFields: [] })
    expect(await storedFields(a)).toEqual({ score: 3 })
    expect(await storedFields(b)).toEqual({})
    expect(await auditCount('content.type.purge_fields')).toBe(1)
  })
})

describe('field groups', () => {
  it('are included by types, refuse colliding keys, and cannot be deleted while in use', async () => {
    const group = await admin.request({
      method: 'POST',
      url: groupsUrl(),
      payload: {
        key: 'seo-extra',
        name: 'SEO extra',
        fields: [{ key: 'canonical', label: 'Canonical', type: 'url' }],
      },
    })
    expect(group.statusCode).toBe(201)
    const badGroup = await admin.request({
      method: 'POST',
      url: groupsUrl(),
      payload: { key: 'bad', name: 'Bad', fields: [{ key: 'x', label: 'X', type: 'select' }] },
    })
    expect(errorOf(badGroup).code).toBe('COLOPHON_CONTENT_FIELD_GROUP_SCHEMA_INVALID')

    const unknown = await admin.request({
      method: 'POST',
      url: typesUrl(),
      payload: { key: 'place', name: 'Place', fieldGroups: ['missing'] },
    })
    expect(errorOf(unknown).code).toBe('COLOPHON_CONTENT_TYPE_UNKNOWN_FIELD_GROUP')
    const colliding = await admin.request({
      method: 'POST',
      url: typesUrl(),
      payload: {
        key: 'place',
        name: 'Place',
        fieldGroups: ['seo-extra'],
        fields: [{ key: 'canonical', label: 'Mine', type: 'text' }],
      },
    })
    expect(errorOf(colliding).code).toBe('COLOPHON_CONTENT_TYPE_SCHEMA_INVALID')

    const place = await createType({
      key: 'place',
      name: 'Place',
      fieldGroups: ['seo-extra'],
      fields: [{ key: 'city', label: 'City', type: 'text' }],
    })
    expect((place.allFields as Array<{ key: string }>).map((f) => f.key)).toEqual(['city', 'canonical'])
    expect((await validate('place', { canonical: 'javascript:x' })).problems).toEqual({ canonical: 'url' })

    const groupCollides = await admin.request({
      method: 'PATCH',
      url: groupsUrl('/seo-extra'),
      payload: { fields: [{ key: 'city', label: 'City', type: 'text' }] },
    })
    expect(errorOf(groupCollides).code).toBe('COLOPHON_CONTENT_FIELD_GROUP_SCHEMA_INVALID')
    expect(JSON.stringify(errorOf(groupCollides).details)).toContain('place')

    // Dropping a field from the group retires it on the types including the group.
    const shrunk = await admin.request({
      method: 'PATCH',
      url: groupsUrl('/seo-extra'),
      payload: { fields: [] },
    })
    expect(shrunk.statusCode).toBe(200)
    const after = await app.server.inject({ method: 'GET', url: typesUrl('/place') })
    expect(after.json().retiredFields).toEqual(['canonical'])

    const inUse = await admin.request({ method: 'DELETE', url: groupsUrl('/seo-extra') })
    expect(inUse.statusCode).toBe(409)
    expect(errorOf(inUse).code).toBe('COLOPHON_CONTENT_FIELD_GROUP_IN_USE')
    expect(errorOf(inUse).details).toEqual({ types: ['place'] })
    await admin.request({ method: 'PATCH', url: typesUrl('/place'), payload: { fieldGroups: [] } })
    expect((await admin.request({ method: 'DELETE', url: groupsUrl('/seo-extra') })).statusCode).toBe(204)
    expect(await auditCount('content.field_group.delete')).toBe(1)
  })

  it("come from the type's own site, never another site's group of the same key", async () => {
    for (const [site, field] of [
      ['foxtrot', 'theirs'],
      ['echo', 'ours'],
    ] as const) {
      const res = await admin.request({
        method: 'POST',
        url: groupsUrl('', site),
        payload: { key: 'shared', name: 'Shared', fields: [{ key: field, label: field, type: 'text' }] },
      })
      expect(res.statusCode, res.body).toBe(201)
    }
    await createType({ key: 'card', name: 'Card', fieldGroups: ['shared'] })
    const fieldsOf = (type: { allFields: Array<{ key: string }> }) => type.allFields.map((f) => f.key)
    const one = await admin.request({ method: 'GET', url: typesUrl('/card') })
    expect(fieldsOf(one.json())).toEqual(['ours'])
    const list = await admin.request({ method: 'GET', url: typesUrl('?limit=100') })
    const card = (list.json().items as Array<{ key: string; allFields: Array<{ key: string }> }>).find(
      (t) => t.key === 'card',
    )
    expect(card && fieldsOf(card)).toEqual(['ours'])
    // Network-scope work (jobs, maintenance) has no row-level security to fall back on.
    const found = await networkTransaction(app.db.appEngine.orm, 'test: a type read by a job', (tx) =>
      findTypeWithGroups(tx, echo.id, { key: 'card' }),
    )
    expect(found?.groups.map((g) => g.key)).toEqual(['shared'])
    expect(JSON.stringify(found?.groups)).not.toContain('theirs')
  })
})

describe('deleting types', () => {
  it('refuses built-in types and types with entries, deletes the others', async () => {
    const builtin = await admin.request({ method: 'DELETE', url: typesUrl('/page') })
    expect(builtin.statusCode).toBe(409)
    expect(errorOf(builtin).code).toBe('COLOPHON_CONTENT_TYPE_BUILTIN')
    await createType({ key: 'used', name: 'Used' })
    await insertEntry(echo.id, 'used', {})
    await insertEntry(echo.id, 'used', {})
    const used = await admin.request({ method: 'DELETE', url: typesUrl('/used') })
    expect(used.statusCode).toBe(409)
    expect(errorOf(used)).toMatchObject({ code: 'COLOPHON_CONTENT_TYPE_IN_USE', details: { entries: 2 } })
    await createType({ key: 'empty', name: 'Empty' })
    expect((await admin.request({ method: 'DELETE', url: typesUrl('/empty') })).statusCode).toBe(204)
    expect((await app.server.inject({ method: 'GET', url: typesUrl('/empty') })).statusCode).toBe(404)
    expect(await auditCount('content.type.delete')).toBe(1)
  })
})
