import { afterAll, expect, it } from 'vitest'
import { createEntries, createSite } from '../harness/factories.ts'
import { mainSiteId } from '../harness/identity.ts'
import { createTestApp } from '../harness/test-app.ts'
import { planProblems, renderPlan } from '../harness/plan-rules.ts'

/**
 * Public pages find their entry by type and slug on every request (render/pages): that read must go
 * straight to the entry through the slug index, not walk a sort index and drop every other row. Planned
 * as list-plans.int.test.ts plans (sequential scans off, a row read as costly as a page, after ANALYZE),
 * but with sorting allowed: the lookup returns at most one row per type, so sorting them is free, and a
 * plan that avoids the sort by scanning the site's entries in order is exactly the one this test refuses.
 */

const app = await createTestApp({
  databaseSettings: { enable_seqscan: 'off', cpu_tuple_cost: '1', cpu_index_tuple_cost: '1' },
})
afterAll(() => app.close())

const main = await mainSiteId(app)
const other = await createSite(app)
// Interleaved in time with another site's, as list-plans seeds: a scan bounded by time alone drops them.
await createEntries(
  app,
  Array.from({ length: 120 }, (_, i) => ({
    siteId: i % 2 === 0 ? main : other,
    status: 'published' as const,
    slug: `entry-${i}`,
    publishedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
  })),
)
await app.db.engine.query('ANALYZE')

it('finds an entry by type and slug, as public pages do, reading about the one row it returns', async () => {
  const url = `/api/v1/sites/${main}/entries?type=post,page&slug=entry-60&limit=2`
  const { result: reply, plans } = await app.withPlans(() => app.server.inject({ method: 'GET', url }))
  expect(reply.statusCode, reply.body).toBe(200)
  expect((reply.json() as { items: unknown[] }).items).toHaveLength(1)
  const reads = plans.filter((plan) => renderPlan(plan).includes('entries'))
  expect(reads.length).toBeGreaterThan(0)
  const problems = reads.flatMap((plan) => planProblems(plan, { pageRows: 3, boundaryRows: 2 }))
  expect(problems, reads.map(renderPlan).join('\n\n')).toEqual([])
})
