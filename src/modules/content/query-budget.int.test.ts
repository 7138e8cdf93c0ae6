import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, queryCount, type TestApp } from '../../../test/harness/test-app.ts'
import { createUser, mainSiteId, signIn, signInAdmin } from '../../../test/harness/identity.ts'

/**
 * The reading API's query budget: at most 3 statements per list and per single-entry request (the gate's
 * credential and site lookups included), whatever the includes and the page size, for every kind of
 * caller. Counted from the Server-Timing header, so an N+1 anywhere on the path fails here.
 */

const BUDGET = 3
const ENTRIES = 120
let app: TestApp
let site: string
let entryId: string

type Caller = { name: string; send: (url: string) => Promise<LightMyRequestResponse> }
const callers: Caller[] = []

/** Pages under a page and posts with a category and two tags each: every include has work to do. */
async function seed(): Promise<void> {
  const q = app.db.engine.query
  const [owner] = await q<{ id: string }>('SELECT id FROM users ORDER BY created_at LIMIT 1')
  await q(
    `INSERT INTO terms (id, site_id, taxonomy_id, slug, name)
     SELECT gen_random_uuid(), $1, t.id, t.key || '-' || n, t.key || ' ' || n
     FROM taxonomies t CROSS JOIN generate_series(1, 5) n WHERE t.site_id = $1`,
    [site],
  )
  await q(
    `INSERT INTO entries (id, site_id, type_id, status, slug, title, author_id, visibility, published_at)
     SELECT gen_random_uuid(), $1, (SELECT id FROM content_types WHERE site_id = $1 AND key = 'page'),
       'published', 'root', 'Root', $2, 'public', now() - interval '1 year'`,
    [site, owner?.id],
  )
  await q(
    `INSERT INTO entries (id, site_id, type_id, status, slug, title, author_id, parent_id, visibility, published_at)
     SELECT gen_random_uuid(), $1, (SELECT id FROM content_types WHERE site_id = $1 AND key = 'page'),
       'published', 'entry-' || n, 'Entry ' || n, $2,
       (SELECT id FROM entries WHERE site_id = $1 AND slug = 'root'), 'public', now() - n * interval '1 hour'
     FROM generate_series(1, $3::int) n`,
    [site, owner?.id, ENTRIES],
  )
  await q(
    `INSERT INTO entry_terms (site_id, entry_id, term_id)
     SELECT $1, e.id, tm.id FROM entries e JOIN terms tm ON tm.site_id = e.site_id
     WHERE e.site_id = $1 AND e.slug <> 'root' AND tm.slug IN ('category-1', 'tag-1', 'tag-2')`,
    [site],
  )
  const [entry] = await q<{ id: string }>("SELECT id FROM entries WHERE site_id = $1 AND slug = 'entry-1'", [
    site,
  ])
  entryId = entry?.id ?? ''
}

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  site = await mainSiteId(app)
  await seed()
  const admin = await signInAdmin(app)
  const created = await admin.request({
    method: 'POST',
    url: '/api/v1/api-keys',
    payload: { name: 'budget', scopes: ['site.content.read'], site },
  })
  expect(created.statusCode, created.body).toBe(201)
  const secret = created.json().secret as string
  const editor = await signIn(app, await createUser(app, { siteRole: 'editor' }))
  callers.push(
    { name: 'anonymous', send: (url) => app.server.inject({ method: 'GET', url }) },
    { name: 'session', send: (url) => editor.request({ method: 'GET', url }) },
    {
      name: 'API key',
      send: (url) =>
        app.server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${secret}` } }),
    },
  )
  // The first use of a key or session may record its last use (once a minute): not what is measured here.
  for (const caller of callers) await caller.send(`/api/v1/sites/${site}/entries?limit=1`)
})
afterAll(() => app?.close())

describe('query budget of the reading API', () => {
  const cases = ['anonymous', 'session', 'API key'].flatMap((name) =>
    [1, 100].map((limit) => [name, limit] as const),
  )

  it.each(cases)('%s: a list of %i with every include costs at most 3 queries', async (name, limit) => {
    const caller = callers.find((c) => c.name === name)
    const res = await caller!.send(`/api/v1/sites/${site}/entries?limit=${limit}&include=author,terms,parent`)
    expect(res.statusCode, res.body).toBe(200)
    const items = res.json().items as { terms: Record<string, unknown[]>; parent: unknown }[]
    expect(items).toHaveLength(limit)
    // The includes did their work in that budget.
    expect(items.every((i) => i.terms.tag?.length === 2 && i.parent !== null)).toBe(true)
    expect(queryCount(res)).toBeLessThanOrEqual(BUDGET)
  })

  it.each(['anonymous', 'session', 'API key'])(
    '%s: a single entry with every include costs at most 3 queries',
    async (name) => {
      const caller = callers.find((c) => c.name === name)
      const res = await caller!.send(`/api/v1/sites/${site}/entries/${entryId}?include=author,terms,parent`)
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json().author).not.toBeNull()
      expect(queryCount(res)).toBeLessThanOrEqual(BUDGET)
    },
  )

  it('the same whatever the page size: 1 and 100 cost the same', async () => {
    const count = async (limit: number) =>
      queryCount(
        await app.server.inject({
          method: 'GET',
          url: `/api/v1/sites/${site}/entries?limit=${limit}&include=author,terms,parent`,
        }),
      )
    expect(await count(100)).toBe(await count(1))
  })
})
