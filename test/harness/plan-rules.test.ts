import { describe, expect, it } from 'vitest'
import { planProblems, readsPage, type PlanNode } from './plan-rules.ts'

const RULES = { pageRows: 3, boundaryRows: 2 }
const planOf = (root: PlanNode) => ({ text: 'select …', plan: [{ Plan: root }] })
const limit = (child: PlanNode): PlanNode => ({ 'Node Type': 'Limit', 'Actual Rows': 3, Plans: [child] })

describe('plan rules', () => {
  it('pass an index range that returns the page', () => {
    const plan = planOf(limit({ 'Node Type': 'Index Scan', 'Actual Rows': 3, 'Rows Removed by Filter': 1 }))
    expect(readsPage(plan, RULES)).toBe(true)
    expect(planProblems(plan, RULES)).toEqual([])
  })

  it('flag a scan that throws away more rows than it returns', () => {
    const scan = {
      'Node Type': 'Index Scan',
      'Index Name': 'x_pkey',
      'Actual Rows': 3,
      'Rows Removed by Filter': 6,
    }
    expect(planProblems(planOf(limit(scan)), RULES)).toEqual([
      'Index Scan using x_pkey reads 6 rows per loop it throws away and returns 3',
    ])
  })

  it('flag a sort of more than twice the page under the Limit, not one inside a subplan', () => {
    const sort = (rows: number): PlanNode => ({
      'Node Type': 'Sort',
      'Actual Rows': 3,
      Plans: [{ 'Node Type': 'Bitmap Heap Scan', 'Actual Rows': rows }],
    })
    expect(planProblems(planOf(limit(sort(13))), RULES)).toEqual(['Sort sorts 13 rows for a page of 3'])
    const subplan = { ...sort(13), 'Parent Relationship': 'SubPlan' }
    const scan: PlanNode = { 'Node Type': 'Index Scan', 'Actual Rows': 3, Plans: [subplan] }
    expect(planProblems(planOf(limit(scan)), RULES)).toEqual([])
  })

  it('tell a lookup by key from a page', () => {
    const lookup = planOf({ 'Node Type': 'Limit', 'Actual Rows': 1, Plans: [{ 'Node Type': 'Index Scan' }] })
    expect(readsPage(lookup, RULES)).toBe(false)
  })
})
