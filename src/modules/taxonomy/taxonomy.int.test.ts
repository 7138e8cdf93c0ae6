import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, type TestApp } from '../../../test/harness/test-app.ts'
import { createUser, mainSiteId, signIn, signInAdmin, type Session } from '../../../test/harness/identity.ts'
import { assignTerms, createEntry } from '../../../test/harness/factories.ts'

/**
 * Taxonomies through the API: the built-ins, registration rules, changes and deletion (which takes the
 * terms and their assignments, never the entries). Entries are written
 * straight into the database as the owner, so these tests depend on no other part of content.
 */

let app: TestApp
let site: string
let admin: Session
let editor: Session

const taxUrl = (rest = '') => `/api/v1/sites/${site}/taxonomies${rest}`

interface Term {
  id: string
  slug: string
  name: string
  parentId: string | null
  count: number
  meta: Record<string, unknown>
  taxonomy: string
}

async function createTerm(taxonomy: string, body: Record<string, unknown>, as = editor): Promise<Term> {
  const res = await as.request({ method: 'POST', url: taxUrl(`/${taxonomy}/terms`), payload: body })
  if (res.statusCode !== 201) throw new Error(`creating term ${JSON.stringify(body)}: ${res.body}`)
  return res.json() as Term
}

async function auditCount(action: string): Promise<number> {
  return (await app.db.engine.query('SELECT 1 FROM audit_log WHERE action = $1', [action])).length
}

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  site = await mainSiteId(app)
  admin = await signInAdmin(app)
  editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
})
afterAll(() => app?.close())

describe('taxonomies', () => {
  it('seeds category (hierarchical) and tag for posts, readable anonymously', async () => {
    const res = await app.server.inject({ method: 'GET', url: taxUrl() })
    expect(res.statusCode).toBe(200)
    const items = res.json().items as Array<{
      key: string
      hierarchical: boolean
      builtin: boolean
      typeKeys: string[]
    }>
    expect(items.map((t) => [t.key, t.hierarchical, t.builtin, t.typeKeys])).toEqual([
      ['category', true, true, ['post']],
      ['tag', false, true, ['post']],
    ])
    const one = await app.server.inject({ method: 'GET', url: taxUrl('/tag') })
    expect(one.json().pluralName).toBe('Tags')
    const missing = await app.server.inject({ method: 'GET', url: taxUrl('/nothing') })
    expect(missing.statusCode).toBe(404)
    expect(errorOf(missing).code).toBe('COLOPHON_TAXONOMY_NOT_FOUND')
  })

  it('registers, changes and deletes a custom taxonomy, audited', async () => {
    const body = {
      key: 'genre',
      name: 'Genre',
      pluralName: 'Genres',
      hierarchical: false,
      typeKeys: ['post', 'page'],
    }
    const created = await admin.request({ method: 'POST', url: taxUrl(), payload: body })
    expect(created.statusCode, created.body).toBe(201)
    expect(created.json()).toMatchObject({
      key: 'genre',
      builtin: false,
      typeKeys: ['post', 'page'],
      description: '',
    })
    const again = await admin.request({ method: 'POST', url: taxUrl(), payload: body })
    expect(again.statusCode).toBe(409)
    expect(errorOf(again).code).toBe('COLOPHON_TAXONOMY_KEY_TAKEN')
    const patched = await admin.request({
      method: 'PATCH',
      url: taxUrl('/genre'),
      payload: { name: 'Kind', description: 'Kinds of writing', typeKeys: ['page'] },
    })
    expect(patched.statusCode, patched.body).toBe(200)
    expect(patched.json()).toMatchObject({ key: 'genre', name: 'Kind', typeKeys: ['page'] })
    const removed = await admin.request({ method: 'DELETE', url: taxUrl('/genre') })
    expect(removed.statusCode).toBe(204)
    expect((await app.server.inject({ method: 'GET', url: taxUrl('/genre') })).statusCode).toBe(404)
    expect(await auditCount('taxonomy.create')).toBe(1)
    expect(await auditCount('taxonomy.update')).toBe(1)
    expect(await auditCount('taxonomy.delete')).toBe(1)
  })

  it.each([
    [
      { key: 'Bad Key', name: 'X', pluralName: 'Xs', hierarchical: false, typeKeys: [] },
      400,
      'COLOPHON_HTTP_VALIDATION_FAILED',
    ],
    [
      { key: 'books', name: 'X', pluralName: 'Xs', hierarchical: false, typeKeys: ['nope'] },
      400,
      'COLOPHON_TAXONOMY_UNKNOWN_TYPE',
    ],
    [
      { key: 'tag', name: 'X', pluralName: 'Xs', hierarchical: false, typeKeys: [] },
      409,
      'COLOPHON_TAXONOMY_KEY_TAKEN',
    ],
  ])('refuses a bad registration %#', async (payload, status, code) => {
    const res = await admin.request({ method: 'POST', url: taxUrl(), payload })
    expect(res.statusCode, res.body).toBe(status)
    expect(errorOf(res).code).toBe(code)
  })

  it('refuses to delete a built-in taxonomy, and editors may not register taxonomies', async () => {
    const builtin = await admin.request({ method: 'DELETE', url: taxUrl('/category') })
    expect(builtin.statusCode).toBe(409)
    expect(errorOf(builtin).code).toBe('COLOPHON_TAXONOMY_BUILTIN')
    const payload = {
      key: 'mood',
      name: 'Mood',
      pluralName: 'Moods',
      hierarchical: false,
      typeKeys: ['post'],
    }
    const res = await editor.request({ method: 'POST', url: taxUrl(), payload })
    expect(res.statusCode).toBe(403)
    expect(errorOf(res).code).toBe('COLOPHON_AUTH_FORBIDDEN')
  })

  it('deleting a taxonomy removes its terms and assignments, never the entries', async () => {
    const payload = { key: 'series-x', name: 'S', pluralName: 'Ss', hierarchical: true, typeKeys: ['post'] }
    expect((await admin.request({ method: 'POST', url: taxUrl(), payload })).statusCode).toBe(201)
    const parent = await createTerm('series-x', { name: 'Top' })
    const child = await createTerm('series-x', { name: 'Child', parentId: parent.id })
    const entry = await createEntry(app, { siteId: site, status: 'published' })
    await assignTerms(app, [{ entryId: entry, termId: child.id }])
    expect((await admin.request({ method: 'DELETE', url: taxUrl('/series-x') })).statusCode).toBe(204)
    const left = await app.db.engine.query('SELECT id FROM terms WHERE id = ANY($1)', [[parent.id, child.id]])
    expect(left).toEqual([])
    expect(await app.db.engine.query('SELECT 1 FROM entry_terms WHERE entry_id = $1', [entry])).toEqual([])
    expect(await app.db.engine.query('SELECT 1 FROM entries WHERE id = $1', [entry])).toHaveLength(1)
  })
})
