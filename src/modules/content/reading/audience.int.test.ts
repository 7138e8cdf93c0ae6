import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, type TestApp } from '../../../../test/harness/test-app.ts'
import { createUser, mainSiteId, signIn, type Session } from '../../../../test/harness/identity.ts'
import { newId } from '../../../platform/db/index.ts'
import { createEntry, type EntrySeed } from '../../../../test/harness/factories.ts'

/**
 * Who reads what (ADR 0009), the same on every read path: the list and its filters, single entries,
 * relations, series, entry terms, revisions and the workflow history. A subscriber
 * (`site.content.read.private`) reads private published entries and none of the editorial pipeline; an
 * author (both capabilities) still reads every draft, as before the split.
 */

let app: TestApp
let site: string
let subscriber: Session
let author: Session
let ann: string
let bob: string
let seriesId: string
const ids: Record<string, string> = {}

const PIPELINE = ['draft', 'pending', 'scheduled', 'withdrawn', 'shelved', 'trashed', 'ann-draft']

/** A published public post of Bob's unless told otherwise; a password entry's password is "open sesame". */
async function insertEntry(key: string, seed: Partial<EntrySeed>): Promise<void> {
  ids[key] = await createEntry(app, {
    siteId: site,
    status: 'published',
    slug: key,
    title: `Entry ${key}`,
    authorId: bob,
    ...(seed.visibility === 'password' ? { password: 'open sesame' } : {}),
    ...seed,
  })
}

function get(url: string, as?: Session): Promise<LightMyRequestResponse> {
  return as ? as.request({ method: 'GET', url }) : app.server.inject({ method: 'GET', url })
}

const keyOf = (id: string) => Object.entries(ids).find(([, v]) => v === id)?.[0] ?? id

async function listKeys(query: string, as?: Session): Promise<string[]> {
  const res = await get(`/api/v1/sites/${site}/entries?limit=100&${query}`, as)
  expect(res.statusCode, res.body).toBe(200)
  return (res.json().items as Array<{ id: string }>).map((i) => keyOf(i.id)).sort()
}

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  site = await mainSiteId(app)
  const annUser = await createUser(app, { siteRole: 'author' })
  ann = annUser.id
  author = await signIn(app, annUser)
  bob = (await createUser(app, { siteRole: 'author' })).id
  subscriber = await signIn(app, await createUser(app, { siteRole: 'subscriber' }))

  await insertEntry('public', {})
  await insertEntry('private', { visibility: 'private' })
  await insertEntry('locked', { visibility: 'password' })
  await insertEntry('draft', { status: 'draft', visibility: 'private' })
  await insertEntry('pending', { status: 'pending' })
  await insertEntry('scheduled', { status: 'scheduled' })
  await insertEntry('withdrawn', { status: 'unpublished' })
  await insertEntry('shelved', { status: 'archived' })
  await insertEntry('trashed', { status: 'trash' })
  await insertEntry('ann-draft', { status: 'draft', authorId: ann })

  for (const [position, to] of ['private', 'draft', 'pending'].entries())
    await app.db.engine.query(
      `INSERT INTO entry_relations (id, site_id, from_entry_id, to_entry_id, kind, position)
       VALUES ($1, $2, $3, $4, 'related', $5)`,
      [newId(), site, ids.public, ids[to], position],
    )
  seriesId = newId()
  await app.db.engine.query(`INSERT INTO series (id, site_id, slug, name) VALUES ($1, $2, 'saga', 'Saga')`, [
    seriesId,
    site,
  ])
  for (const [position, key] of ['public', 'private', 'draft', 'scheduled'].entries())
    await app.db.engine.query(
      'INSERT INTO series_entries (site_id, series_id, entry_id, position) VALUES ($1, $2, $3, $4)',
      [site, seriesId, ids[key], position],
    )
})
afterAll(() => app?.close())

describe('a subscriber', () => {
  it('lists published public and private entries, and none of the editorial pipeline', async () => {
    expect(await listKeys('', subscriber)).toEqual(['private', 'public'])
    expect(await listKeys('status=draft,pending,scheduled,unpublished,archived,trash', subscriber)).toEqual(
      [],
    )
    expect(await listKeys('status=published,draft', subscriber)).toEqual(['private', 'public'])
    expect(await listKeys('search=Entry', subscriber)).toEqual(['private', 'public'])
    expect(await listKeys(`author=${bob}&sort=title`, subscriber)).toEqual(['private', 'public'])
    expect(await listKeys(`author=${ann}`, subscriber)).toEqual([])
  })

  it('reads a private entry without its revision pointers, and gets 404 for every unpublished one', async () => {
    const own = await get(`/api/v1/sites/${site}/entries/${ids.private}`, subscriber)
    expect(own.statusCode).toBe(200)
    expect(own.json()).not.toHaveProperty('revisions')
    for (const key of PIPELINE) {
      const res = await get(`/api/v1/sites/${site}/entries/${ids[key]}`, subscriber)
      expect(res.statusCode, key).toBe(404)
      expect(errorOf(res).code).toBe('COLOPHON_CONTENT_ENTRY_NOT_FOUND')
    }
    const locked = await get(`/api/v1/sites/${site}/entries/${ids.locked}`, subscriber)
    expect(locked.statusCode).toBe(403)
    expect(errorOf(locked).code).toBe('COLOPHON_CONTENT_ENTRY_PROTECTED')
  })

  it('sees the same entries through relations, series and entry terms', async () => {
    const relations = await get(`/api/v1/sites/${site}/entries/${ids.public}/relations`, subscriber)
    expect(relations.statusCode).toBe(200)
    const outgoing = relations.json().outgoing as Array<{ entry: { id: string } }>
    expect(outgoing.map((r) => keyOf(r.entry.id))).toEqual(['private'])
    const ofDraft = await get(`/api/v1/sites/${site}/entries/${ids.draft}/relations`, subscriber)
    expect(ofDraft.statusCode).toBe(404)

    const series = await get(`/api/v1/sites/${site}/series/${seriesId}`, subscriber)
    expect(series.statusCode).toBe(200)
    expect((series.json().entries as Array<{ id: string }>).map((e) => keyOf(e.id))).toEqual([
      'public',
      'private',
    ])
    const allSeries = await get(`/api/v1/sites/${site}/series`, subscriber)
    expect(allSeries.json().items).toMatchObject([{ slug: 'saga', entryCount: 2 }])

    expect((await get(`/api/v1/sites/${site}/entries/${ids.private}/terms`, subscriber)).statusCode).toBe(200)
    const draftTerms = await get(`/api/v1/sites/${site}/entries/${ids.draft}/terms`, subscriber)
    expect(draftTerms.statusCode).toBe(404)
    expect(errorOf(draftTerms).code).toBe('COLOPHON_CONTENT_ENTRY_NOT_FOUND')
  })

  it('is refused revisions, the workflow history and approvals, as it is refused drafts', async () => {
    for (const path of ['revisions', 'transitions', 'approvals']) {
      const res = await get(`/api/v1/sites/${site}/entries/${ids.private}/${path}`, subscriber)
      expect(res.statusCode, path).toBe(403)
      expect(errorOf(res)).toMatchObject({
        code: 'COLOPHON_AUTH_FORBIDDEN',
        details: { capability: 'site.content.read.drafts' },
      })
    }
  })
})

describe('an author', () => {
  it('still lists and reads every draft, their own and others’, with revision pointers', async () => {
    expect(await listKeys('status=draft', author)).toEqual(['ann-draft', 'draft'])
    expect(await listKeys('', author)).toEqual(
      [
        'ann-draft',
        'draft',
        'locked',
        'pending',
        'private',
        'public',
        'scheduled',
        'shelved',
        'withdrawn',
      ].sort(),
    )
    const draft = await get(`/api/v1/sites/${site}/entries/${ids.draft}`, author)
    expect(draft.statusCode).toBe(200)
    expect(draft.json()).toHaveProperty('revisions')
    const outgoing = (await get(`/api/v1/sites/${site}/entries/${ids.public}/relations`, author)).json()
      .outgoing as Array<{ entry: { id: string } }>
    expect(outgoing.map((r) => keyOf(r.entry.id))).toEqual(['private', 'draft', 'pending'])
  })

  it('reads the revisions and history of their own entries, not of others’ (edit rights, as before)', async () => {
    const own = await get(`/api/v1/sites/${site}/entries/${ids['ann-draft']}/revisions`, author)
    expect(own.statusCode).toBe(200)
    const history = await get(`/api/v1/sites/${site}/entries/${ids['ann-draft']}/transitions`, author)
    expect(history.statusCode).toBe(200)
    const others = await get(`/api/v1/sites/${site}/entries/${ids.draft}/revisions`, author)
    expect(others.statusCode).toBe(403)
  })
})

describe('anonymous readers', () => {
  it('see published public entries only, and the password entry only with its password', async () => {
    expect(await listKeys('')).toEqual(['public'])
    expect((await get(`/api/v1/sites/${site}/entries/${ids.private}`)).statusCode).toBe(404)
    const locked = await app.server.inject({
      method: 'GET',
      url: `/api/v1/sites/${site}/entries/${ids.locked}`,
      headers: { 'x-entry-password': 'open sesame' },
    })
    expect(locked.statusCode).toBe(200)
  })
})
