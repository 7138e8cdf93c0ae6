import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, queryCount, type TestApp } from '../../../../test/harness/test-app.ts'
import { createUser, mainSiteId, signIn, signInAdmin } from '../../../../test/harness/identity.ts'
import { assignTerms, createEntries, createEntry, createTerm } from '../../../../test/harness/factories.ts'

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
  const [owner] = await app.db.engine.query<{ id: string }>(
    'SELECT id FROM users ORDER BY created_at LIMIT 1',
  )
  const termIds: Record<string, string> = {}
  for (const taxonomy of ['category', 'tag'])
    for (let n = 1; n <= 5; n++)
      termIds[`${taxonomy}-${n}`] = await createTerm(app, {
        siteId: site,
        taxonomy,
        slug: `${taxonomy}-${n}`,
        name: `${taxonomy} ${n}`,
      })
  const page = {
    siteId: site,
    type: 'page',
    status: 'published',
    authorId: owner?.id,
    visibility: 'public',
  } as const
  const hour = 3_600_000
  const root = await createEntry(app, {
    ...page,
    slug: 'root',
    title: 'Root',
    publishedAt: new Date(Date.now() - 365 * 24 * hour),
  })
  const children = await createEntries(
    app,
    Array.from({ length: ENTRIES }, (_, i) => ({
      ...page,
      slug: `entry-${i + 1}`,
      title: `Entry ${i + 1}`,
      parentId: root,
      publishedAt: new Date(Date.now() - (i + 1) * hour),
    })),
  )
  await assignTerms(
    app,
    children.flatMap((entryId) =>
      ['category-1', 'tag-1', 'tag-2'].map((slug) => ({ entryId, termId: termIds[slug] as string })),
    ),
  )
  entryId = children[0] ?? ''
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
