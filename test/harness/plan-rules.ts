import type { Plan } from '../../src/platform/db/index.ts'

/**
 * What a list's query plan may do to reach a page, judged from `EXPLAIN (ANALYZE, FORMAT JSON)` (see
 * test/security/list-plans.int.test.ts for why these two rules). Pure: a plan in, the problems out.
 */

/** The fields of a plan node these rules read (PostgreSQL reports row counts as per-loop averages). */
export interface PlanNode {
  'Node Type': string
  'Parent Relationship'?: string
  'Relation Name'?: string
  'Index Name'?: string
  'Scan Direction'?: string
  'Actual Rows'?: number
  'Actual Loops'?: number
  'Rows Removed by Filter'?: number
  'Rows Removed by Join Filter'?: number
  'Rows Removed by Index Recheck'?: number
  Plans?: PlanNode[]
  [detail: string]: unknown
}

export interface PlanRules {
  /** Rows the list statement asks for: the page size plus the one that says another page exists. */
  pageRows: number
  /** Rows a scan may read and drop per loop besides those it returns: the boundary where a range ends. */
  boundaryRows: number
}

/** Every rule `plan` breaks, each one line naming the node; empty when the plan keeps them all. */
export function planProblems(plan: Plan, rules: PlanRules): string[] {
  const problems: string[] = []
  const visit = (node: PlanNode, underLimit: boolean): void => {
    const removed =
      (node['Rows Removed by Filter'] ?? 0) +
      (node['Rows Removed by Join Filter'] ?? 0) +
      (node['Rows Removed by Index Recheck'] ?? 0)
    const rows = node['Actual Rows'] ?? 0
    if (removed > rows + rules.boundaryRows)
      problems.push(`${labelOf(node)} reads ${removed} rows per loop it throws away and returns ${rows}`)
    const input = node.Plans?.[0]?.['Actual Rows'] ?? 0
    if (underLimit && /Sort$/.test(node['Node Type']) && input > 2 * rules.pageRows)
      problems.push(`${labelOf(node)} sorts ${input} rows for a page of ${rules.pageRows}`)
    for (const child of node.Plans ?? []) {
      // A subquery's own Sort is not the page's: the Limit above it bounds another statement level.
      const boundary =
        child['Parent Relationship'] === 'SubPlan' || child['Parent Relationship'] === 'InitPlan'
      visit(child, !boundary && (node['Node Type'] === 'Limit' || underLimit))
    }
  }
  visit(rootOf(plan), false)
  return problems
}

/**
 * Whether `plan` is of a statement that read a page: one of its Limit nodes returned `pageRows` rows.
 * The other statements of a list request are lookups by key (credentials, the site, a parent entry).
 */
export function readsPage(plan: Plan, rules: PlanRules): boolean {
  const found = (node: PlanNode): boolean =>
    (node['Node Type'] === 'Limit' && node['Actual Rows'] === rules.pageRows) ||
    (node.Plans ?? []).some(found)
  return found(rootOf(plan))
}

function rootOf(plan: Plan): PlanNode {
  const root = (plan.plan as { Plan?: PlanNode }[] | undefined)?.[0]?.Plan
  if (!root) throw new Error(`not an EXPLAIN (FORMAT JSON) result: ${JSON.stringify(plan.plan)}`)
  return root
}

function labelOf(node: PlanNode): string {
  const direction = node['Scan Direction'] === 'Backward' ? ' Backward' : ''
  const index = node['Index Name'] ? ` using ${node['Index Name']}` : ''
  const relation = node['Relation Name'] ? ` on ${node['Relation Name']}` : ''
  return `${node['Node Type']}${direction}${index}${relation}`
}

const SHOWN = ['Index Cond', 'Recheck Cond', 'Filter', 'Join Filter', 'Hash Cond', 'Sort Key', 'Sort Method']

/** The plan as an indented tree with its actual rows and conditions, for a failure message. */
export function renderPlan(plan: Plan): string {
  const lines: string[] = []
  const visit = (node: PlanNode, depth: number): void => {
    const pad = '  '.repeat(depth)
    const removed = node['Rows Removed by Filter'] ?? node['Rows Removed by Join Filter']
    lines.push(
      `${pad}${node['Parent Relationship'] === 'SubPlan' ? '[subplan] ' : ''}${labelOf(node)}` +
        ` (rows=${node['Actual Rows']} estimated=${String(node['Plan Rows'])} loops=${node['Actual Loops']}` +
        `${removed ? ` removed=${removed}` : ''})`,
    )
    for (const key of SHOWN) {
      const value = node[key]
      if (value !== undefined)
        lines.push(`${pad}    ${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`)
    }
    for (const child of node.Plans ?? []) visit(child, depth + 1)
  }
  visit(rootOf(plan), 1)
  return `${plan.text}\n${lines.join('\n')}`
}
