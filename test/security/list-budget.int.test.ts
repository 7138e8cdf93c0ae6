import { afterAll, describe, expect, it } from 'vitest'
import { createTestApp, queryCount } from '../harness/test-app.ts'
import { createUser, mainSiteId, signInAdmin } from '../harness/identity.ts'

/**
 * Generated from the API description, one test per list route: a page of 1 and a page of 100 cost the
 * same number of statements, so no list runs a query per item (N+1). Every GET operation that takes a
 * `limit` is a list route; a new one is measured the day it is registered. A list that has fewer than
 * two items here proves nothing, so the test fails for it until the seed below gives it some.
 */

const app = await createTestApp({
  config: {
    authRateLimit: 10_000,
    authAccountRateLimit: 10_000,
    siteApiCallsPerMinute: 100_000,
    queryTiming: true,
  },
})
afterAll(() => app.close())

const admin = await signInAdmin(app)
const siteId = await mainSiteId(app)

async function send(method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object) {
  const res = await admin.request({ method, url, ...(payload ? { payload } : {}) })
  if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`)
  return res.json() as Record<string, unknown>
}

/** Two or more of everything a list route can show, made through the API where one exists. */
async function seed(): Promise<void> {
  const site = `/api/v1/sites/${siteId}`
  for (const n of [1, 2, 3]) {
    const entry = await send('POST', `${site}/entries`, { type: 'post', title: `Budget ${n}` })
    await send('PATCH', `${site}/entries/${entry.id as string}`, { title: `Budget ${n}, revised` })
    await send('POST', `${site}/entries/${entry.id as string}/status`, { status: 'pending' })
    await send('POST', `${site}/entries/${entry.id as string}/status`, { status: 'published' })
    await send('POST', `${site}/taxonomies/category/terms`, { name: `Category ${n}` })
    await send('POST', `${site}/redirects`, { fromPath: `/old-${n}`, toPath: `/new-${n}` })
    await send('POST', `${site}/series`, { name: `Series ${n}` })
    await send('POST', `${site}/field-groups`, {
      key: `group-${n}`,
      name: `Group ${n}`,
      fields: [{ key: 'note', type: 'text', label: 'Note' }],
    })
    await send('POST', `${site}/domains`, { host: `budget-${n}.example.org` })
    await send('POST', `${site}/invitations`, { email: `budget-invitee-${n}@example.com`, role: 'author' })
    await send('POST', '/api/v1/api-keys', { name: `budget ${n}`, scopes: ['site.content.read.drafts'] })
    await send('POST', '/api/v1/roles', {
      slug: `budget-${n}`,
      name: `Budget ${n}`,
      scope: 'site',
      capabilities: ['site.content.read.drafts'],
    })
    await send('POST', '/api/v1/sites', { name: `Budget site ${n}` })
    await createUser(app, { siteRole: 'author' })
  }
  // Invitations are mailed by jobs: deliver them so the outbox has something to list.
  await app.jobs.drain(app.jobs.queues)
}

await seed()

interface Operation {
  parameters?: { name: string; in: string }[]
}
const document = (await app.server.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as {
  paths: Record<string, { get?: Operation }>
}
const listRoutes = Object.entries(document.paths)
  .filter(([, item]) => item.get?.parameters?.some((p) => p.in === 'query' && p.name === 'limit'))
  .map(([path]) => path)

/** The first item of the list route that names what `{param}` stands for, e.g. an entry for revisions. */
async function concretePath(path: string): Promise<string> {
  let url = path.replace('{site}', siteId)
  for (const match of url.matchAll(/\{([A-Za-z]+)\}/g)) {
    const parent = url.slice(0, match.index - 1)
    const page = await send('GET', `${parent}?limit=1`)
    const first = (page.items as Record<string, unknown>[] | undefined)?.[0]
    const value = first?.key ?? first?.id
    if (typeof value !== 'string') throw new Error(`nothing in ${parent} to stand for {${match[1]}}`)
    url = url.replace(match[0], value)
  }
  return url
}

describe('list routes cost the same at any page size', () => {
  it('finds the list routes in the API description', () => {
    expect(listRoutes.length).toBeGreaterThan(10)
  })

  it.each(listRoutes)('GET %s', async (path) => {
    const url = await concretePath(path)
    const join = url.includes('?') ? '&' : '?'
    const one = await admin.request({ method: 'GET', url: `${url}${join}limit=1` })
    const many = await admin.request({ method: 'GET', url: `${url}${join}limit=100` })
    expect(one.statusCode, one.body).toBe(200)
    expect(many.statusCode, many.body).toBe(200)
    // Most lists answer a page of JSON; exports stream one record per line.
    const items = many.headers['content-type']?.toString().startsWith('application/json')
      ? ((many.json() as { items?: unknown[] }).items ?? [])
      : many.body.split('\n').filter((line) => line.trim() !== '')
    expect(items.length, 'seed at least two items for this list').toBeGreaterThanOrEqual(2)
    expect(queryCount(many), `${url}: statements for 100 items vs 1`).toBe(queryCount(one))
  })
})
