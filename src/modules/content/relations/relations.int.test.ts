import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, queryCount, type TestApp } from '../../../../test/harness/test-app.ts'
import { createUser, mainSiteId, signIn, type Session } from '../../../../test/harness/identity.ts'
import { createEntry, createSite, type EntrySeed } from '../../../../test/harness/factories.ts'

/**
 * Relations between entries, as authors, editors and readers see them. Entries are written straight into
 * the database as the owner, so these tests depend on no other part of content.
 */

let app: TestApp
let site: string
let otherSite: string
let ann: Session
let bob: Session
let editor: Session
const ids: Record<string, string> = {}

interface Relation {
  kind: string
  position: number
  entry: { id: string; type: string; slug: string; title: string; status: string; publishedAt: string | null }
}

/** A published public post of Ann's on the main site unless told otherwise, dated in a fixed past. */
async function insertEntry(key: string, seed: Partial<EntrySeed> = {}): Promise<string> {
  const status = seed.status ?? 'published'
  const id = await createEntry(app, {
    siteId: site,
    status,
    slug: key,
    title: `Entry ${key}`,
    authorId: ann.userId,
    publishedAt: status === 'published' ? '2025-01-01T10:00:00Z' : null,
    ...seed,
  })
  ids[key] = id
  return id
}

const relationsUrl = (entryId: string, siteId = site) =>
  `/api/v1/sites/${siteId}/entries/${entryId}/relations`

function put(as: Session, entryId: string, relations: Array<{ kind: string; entryId: string }>) {
  return as.request({ method: 'PUT', url: relationsUrl(entryId), payload: { relations } })
}

async function read(entryId: string, as?: Session) {
  const res = as
    ? await as.request({ method: 'GET', url: relationsUrl(entryId) })
    : await app.server.inject({ method: 'GET', url: relationsUrl(entryId) })
  return res
}

const summary = (items: Relation[]) => items.map((r) => `${r.kind}:${r.entry.slug}`)

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  site = await mainSiteId(app)
  otherSite = await createSite(app, { slug: 'other', name: 'Other' })
  ann = await signIn(app, await createUser(app, { siteRole: 'author' }))
  bob = await signIn(app, await createUser(app, { siteRole: 'author' }))
  editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
  await insertEntry('source')
  await insertEntry('public-a')
  await insertEntry('public-b')
  await insertEntry('draft', { status: 'draft' })
  await insertEntry('private', { visibility: 'private' })
  await insertEntry('draft-source', { status: 'draft' })
  await insertEntry('bobs', { authorId: bob.userId })
  await insertEntry('foreign', { siteId: otherSite })
})
afterAll(() => app?.close())

describe('replacing relations', () => {
  it('keeps the given order and shows the incoming side on the target, audited', async () => {
    const res = await put(ann, ids.source!, [
      { kind: 'related', entryId: ids['public-b']! },
      { kind: 'see-also', entryId: ids.draft! },
      { kind: 'related', entryId: ids['public-a']! },
      { kind: 'related', entryId: ids.private! },
    ])
    expect(res.statusCode, res.body).toBe(200)
    expect(summary(res.json().outgoing)).toEqual([
      'related:public-b',
      'see-also:draft',
      'related:public-a',
      'related:private',
    ])
    const target = await read(ids['public-a']!, editor)
    expect(summary(target.json().incoming)).toEqual(['related:source'])

    // Replacing, not adding: the old list is gone.
    const again = await put(ann, ids.source!, [
      { kind: 'related', entryId: ids['public-a']! },
      { kind: 'related', entryId: ids['public-b']! },
      { kind: 'see-also', entryId: ids.draft! },
      { kind: 'related', entryId: ids.private! },
    ])
    expect(summary(again.json().outgoing)).toEqual([
      'related:public-a',
      'related:public-b',
      'see-also:draft',
      'related:private',
    ])
    const audits = await app.db.engine.query(
      `SELECT 1 FROM audit_log WHERE action = 'content.entry.relations' AND target_id = $1`,
      [ids.source],
    )
    expect(audits).toHaveLength(2)
  })

  it('refuses self relations, repeated pairs, bad kinds and too many', async () => {
    const self = await put(ann, ids.source!, [{ kind: 'related', entryId: ids.source! }])
    expect(errorOf(self).code).toBe('COLOPHON_CONTENT_RELATION_SELF')
    const twice = await put(ann, ids.source!, [
      { kind: 'related', entryId: ids['public-a']! },
      { kind: 'related', entryId: ids['public-a']!.toUpperCase() },
    ])
    expect(twice.statusCode).toBe(400)
    expect(errorOf(twice).code).toBe('COLOPHON_CONTENT_RELATION_DUPLICATE')
    const badKind = await put(ann, ids.source!, [{ kind: 'Related!', entryId: ids['public-a']! }])
    expect(badKind.statusCode).toBe(400)
    const many = Array.from({ length: 101 }, (_, i) => ({ kind: `k${i}`, entryId: ids['public-a']! }))
    expect((await put(ann, ids.source!, many)).statusCode).toBe(400)
    // Nothing changed.
    const now = await read(ids.source!, editor)
    expect(now.json().outgoing).toHaveLength(4)
  })

  it('refuses entries of another site, as target or as source', async () => {
    const target = await put(ann, ids.source!, [{ kind: 'related', entryId: ids.foreign! }])
    expect(target.statusCode).toBe(404)
    expect(errorOf(target)).toMatchObject({
      code: 'COLOPHON_CONTENT_RELATION_TARGET_NOT_FOUND',
      details: { missing: [ids.foreign] },
    })
    const source = await put(editor, ids.foreign!, [{ kind: 'related', entryId: ids.source! }])
    expect(errorOf(source).code).toBe('COLOPHON_CONTENT_ENTRY_NOT_FOUND')
    const readForeign = await read(ids.foreign!, editor)
    expect(errorOf(readForeign).code).toBe('COLOPHON_CONTENT_ENTRY_NOT_FOUND')
  })

  it('lets authors change only their own entries; editors change any', async () => {
    const others = await put(ann, ids.bobs!, [{ kind: 'related', entryId: ids.source! }])
    expect(others.statusCode).toBe(403)
    const own = await put(bob, ids.bobs!, [{ kind: 'related', entryId: ids.source! }])
    expect(own.statusCode).toBe(200)
    const editors = await put(editor, ids.bobs!, [])
    expect(editors.statusCode).toBe(200)
    expect(editors.json().outgoing).toEqual([])
    const anonymous = await app.server.inject({
      method: 'PUT',
      url: relationsUrl(ids.bobs!),
      payload: { relations: [] },
    })
    expect(anonymous.statusCode).toBe(401)
  })
})

describe('reading relations', () => {
  beforeAll(async () => {
    const res = await put(editor, ids['draft-source']!, [{ kind: 'related', entryId: ids['public-a']! }])
    expect(res.statusCode).toBe(200)
    expect(
      (await put(editor, ids.private!, [{ kind: 'related', entryId: ids['public-a']! }])).statusCode,
    ).toBe(200)
  })

  it('shows readers only published public entries at both ends', async () => {
    const res = await read(ids.source!)
    expect(res.statusCode).toBe(200)
    expect(summary(res.json().outgoing)).toEqual(['related:public-a', 'related:public-b'])
    const incoming = await read(ids['public-a']!)
    expect(summary(incoming.json().incoming)).toEqual(['related:source'])
    expect(incoming.json().incoming[0].entry.publishedAt).toBe('2025-01-01T10:00:00.000Z')
  })

  it('hides a draft or private entry’s relations from readers, not from members who may read them', async () => {
    for (const key of ['draft', 'draft-source', 'private']) {
      const res = await read(ids[key]!)
      expect(res.statusCode, key).toBe(404)
      expect(errorOf(res).code).toBe('COLOPHON_CONTENT_ENTRY_NOT_FOUND')
    }
    const member = await read(ids['draft-source']!, ann)
    expect(summary(member.json().outgoing)).toEqual(['related:public-a'])
    const incoming = await read(ids['public-a']!, editor)
    expect(summary(incoming.json().incoming).sort()).toEqual([
      'related:draft-source',
      'related:private',
      'related:source',
    ])
  })

  it('costs the same number of statements however many relations there are', async () => {
    const many = await read(ids.source!)
    const none = await read(ids['public-b']!)
    expect(queryCount(many)).toBe(queryCount(none))
    expect(queryCount(many)).toBeLessThanOrEqual(2)
  })
})
