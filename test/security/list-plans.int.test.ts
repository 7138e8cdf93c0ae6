import type { LightMyRequestResponse } from 'fastify'
import { afterAll, describe, expect, it } from 'vitest'
import { createTestApp } from '../harness/test-app.ts'
import { signInAdmin } from '../harness/identity.ts'
import {
  concretePath,
  itemsOf,
  listRoutesOf,
  nextCursorOf,
  seedLists,
  withQuery,
} from '../harness/list-routes.ts'
import { planProblems, readsPage, renderPlan } from '../harness/plan-rules.ts'

/**
 * Generated from the API description, one test per list route (every GET that takes a `limit`): a list
 * reaches any page by an index bound, reading about the rows it shows, however deep the cursor and
 * however many rows other sites (or users) hold. Each route is walked LIMIT items at a time, following
 * `nextCursor`, to DEEP_PAGE, as the network admin (who reads entries as their editors do); the entries
 * list also anonymously. The harness has every read of those requests planned first with
 * `EXPLAIN (ANALYZE, FORMAT JSON)` on the same transaction (`app.withPlans`), and the plans of the
 * statements that read the page (a Limit returned LIMIT + 1 rows) must keep two rules (plan-rules.ts):
 *
 * - No node throws away more rows than it returns, plus 2 per loop (the row where a range ends): rows
 *   removed by a filter, a join filter or an index recheck are rows read for nothing. The seed makes two
 *   items elsewhere (other sites, another admin's API keys, other entries' revisions) for each item of
 *   the main site, interleaved in time, so a scan bounded by time alone rather than by site and time
 *   throws away 6 rows for a page of 3; a position written as an OR chain (or an offset) that the index
 *   cannot bound throws away every row before the cursor, 8 on the last page.
 * - No Sort under the page's Limit takes more than twice the page: no index gives the list its order,
 *   so every row of the site is sorted for each page (the first page shows it most).
 *
 * Planner settings. A test table holds a few dozen rows in a page or two, so the planner rightly reads it
 * whole, sorts or hashes it, or takes either of two index paths at the same cost; production tables are
 * large and one site is a small share of them. To ask the question that matters there (is there an index
 * path to the page, and is it what the planner takes when rows are costly?) this database plans with
 * `enable_seqscan` and `enable_sort` off (either still appears when nothing else can answer: that is a
 * finding) and with `cpu_tuple_cost` and `cpu_index_tuple_cost` at 1 (a row read costs as much as a page,
 * so among index paths the one touching the fewest rows wins), after ANALYZE of the seeded tables (the
 * estimates then come from the data on both engines, not from when autovacuum last ran). The other
 * statements of a request are lookups by key; on tables this small their plans say nothing, and they are
 * not judged. Not walked: filtered lists (`?status=`, `?q=` …) and a member's own list of sites.
 */

const LIMIT = 2
/** The last page walked: its cursor has passed (DEEP_PAGE - 1) × LIMIT items. */
const DEEP_PAGE = 5
/** Items of every kind for the main site; NEIGHBOURS more elsewhere for each, interleaved. */
const ROUNDS = 13
const NEIGHBOURS = 2
const RULES = { pageRows: LIMIT + 1, boundaryRows: 2 }

const app = await createTestApp({
  config: {
    authRateLimit: 10_000,
    authAccountRateLimit: 10_000,
    siteApiCallsPerMinute: 100_000,
  },
  databaseSettings: {
    enable_seqscan: 'off',
    enable_sort: 'off',
    cpu_tuple_cost: '1',
    cpu_index_tuple_cost: '1',
  },
})
afterAll(() => app.close())

const admin = await signInAdmin(app)
const seeded = await seedLists(app, admin, { rounds: ROUNDS, neighbours: NEIGHBOURS })
await app.db.engine.query('ANALYZE')
const listRoutes = await listRoutesOf(app)

type Send = (url: string) => Promise<LightMyRequestResponse>

/**
 * Walks `url` LIMIT items at a time, following `nextCursor`, to DEEP_PAGE, and judges the page's plans on
 * every page: the first is where a missing index sorts the most rows, the deepest where a position the
 * index cannot bound throws the most away.
 */
async function expectPagesPlannedWell(send: Send, url: string): Promise<void> {
  let cursor: string | null = null
  const failures: string[] = []
  for (let page = 1; page <= DEEP_PAGE; page++) {
    const pageUrl = withQuery(url, cursor ? { limit: LIMIT, cursor } : { limit: LIMIT })
    const { result: reply, plans } = await app.withPlans(() => send(pageUrl))
    expect(reply.statusCode, reply.body).toBe(200)
    expect(itemsOf(reply), `${url}: seed more than ${DEEP_PAGE * LIMIT} items for this list`).toHaveLength(
      LIMIT,
    )
    const pagePlans = plans.filter((plan) => readsPage(plan, RULES))
    expect(pagePlans.length, `${pageUrl}: no statement read the page`).toBeGreaterThan(0)
    for (const plan of pagePlans) {
      const problems = planProblems(plan, RULES)
      if (problems.length) failures.push(`page ${page}: ${problems.join('; ')}\n${renderPlan(plan)}`)
    }
    cursor = nextCursorOf(reply, LIMIT)
    expect(cursor, `${url}: seed more than ${DEEP_PAGE * LIMIT} items for this list`).not.toBeNull()
  }
  expect(failures.join('\n\n'), `${url}: a plan reads rows it throws away`).toBe('')
}

const asAdmin: Send = (url) => admin.request({ method: 'GET', url })
const anonymously: Send = (url) => app.server.inject({ method: 'GET', url })

describe('every list reaches a deep page reading about what it shows', () => {
  it('finds the list routes in the API description', () => {
    expect(listRoutes.length).toBeGreaterThan(10)
  })

  it.each(listRoutes)('GET %s', async (path) => {
    const url = await concretePath(admin, path, seeded)
    await expectPagesPlannedWell(asAdmin, url)
  })

  it('GET /api/v1/sites/{site}/entries, read anonymously', async () => {
    const url = `/api/v1/sites/${seeded.siteId}/entries`
    await expectPagesPlannedWell(anonymously, url)
  })
})
