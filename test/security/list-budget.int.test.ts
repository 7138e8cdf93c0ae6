import { afterAll, describe, expect, it } from 'vitest'
import { createTestApp, queryCount } from '../harness/test-app.ts'
import { signInAdmin } from '../harness/identity.ts'
import { concretePath, itemsOf, listRoutesOf, seedLists, withQuery } from '../harness/list-routes.ts'

/**
 * Generated from the API description, one test per list route: a page of 1 and a page of 100 cost the
 * same number of statements, so no list runs a query per item (N+1). Every GET operation that takes a
 * `limit` is a list route; a new one is measured the day it is registered. A list that has fewer than
 * two items here proves nothing, so the test fails for it until the seed (test/harness/list-routes.ts)
 * gives it some.
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
const seeded = await seedLists(app, admin, { rounds: 3 })
const listRoutes = await listRoutesOf(app)

describe('list routes cost the same at any page size', () => {
  it('finds the list routes in the API description', () => {
    expect(listRoutes.length).toBeGreaterThan(10)
  })

  it.each(listRoutes)('GET %s', async (path) => {
    const url = await concretePath(admin, path, seeded)
    const one = await admin.request({ method: 'GET', url: withQuery(url, { limit: 1 }) })
    const many = await admin.request({ method: 'GET', url: withQuery(url, { limit: 100 }) })
    expect(one.statusCode, one.body).toBe(200)
    expect(many.statusCode, many.body).toBe(200)
    expect(itemsOf(many).length, 'seed at least two items for this list').toBeGreaterThanOrEqual(2)
    expect(queryCount(many), `${url}: statements for 100 items vs 1`).toBe(queryCount(one))
  })
})
