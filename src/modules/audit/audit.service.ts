import { actorUserId, requireCapability, type Actor, type Ctx } from '../../platform/access/index.ts'
import { newId, pageOf, type Page, type Tx } from '../../platform/db/index.ts'
import { DEFAULT_PAGE_LIMIT } from '../../platform/http/index.ts'
import { redactSummary } from './audit.redact.ts'
import { insertAuditRow, listAuditRows, type AuditRow } from './audit.repo.ts'
import { AUDIT_EXPORT_LIMIT } from './audit.schema.ts'

/**
 * What a state change records. Written inside the transaction of the change itself, so the trail and the
 * data never disagree: a rolled-back change leaves no row, a committed one always has its row.
 */
export interface AuditEntry {
  /** `module.thing.verb`, e.g. `users.user.suspend`, `auth.session.revoke`. */
  action: string
  target?: { type: string; id: string } | undefined
  /** Defaults to the context's site. */
  siteId?: string | null | undefined
  /** Before/after or the fields that matter. Secrets are stripped whatever is passed. */
  summary?: Record<string, unknown> | undefined
  /** When the actor is not the context's (a login: the context is anonymous until it succeeds). */
  actor?: Actor | undefined
}

function actorLabel(actor: Actor): string | null {
  switch (actor.kind) {
    case 'user':
    case 'api_key':
      return actor.email
    case 'system':
      return `system: ${actor.reason}`
    default:
      return null
  }
}

export async function recordAudit(ctx: Ctx, tx: Tx, entry: AuditEntry): Promise<void> {
  const actor = entry.actor ?? ctx.actor
  await insertAuditRow(tx, {
    id: newId(),
    actorType: actor.kind,
    actorId: actorUserId(actor),
    actorLabel: actorLabel(actor),
    action: entry.action,
    targetType: entry.target?.type ?? null,
    targetId: entry.target?.id ?? null,
    siteId: entry.siteId === undefined ? (ctx.site?.id ?? null) : entry.siteId,
    ip: ctx.ip,
    userAgent: ctx.userAgent?.slice(0, 500) ?? null,
    summary: (redactSummary({
      ...entry.summary,
      ...(actor.kind === 'api_key' ? { apiKeyId: actor.keyId } : {}),
    }) ?? {}) as Record<string, unknown>,
  })
}

export interface AuditFilter {
  actor?: string | undefined
  action?: string | undefined
  targetType?: string | undefined
  targetId?: string | undefined
  site?: string | undefined
  since?: string | undefined
  until?: string | undefined
  cursor?: string | undefined
  limit?: number | undefined
}

export interface AuditEntryView {
  id: string
  occurredAt: string
  actor: { type: string; id: string | null; label: string | null }
  action: string
  target: { type: string; id: string | null } | null
  siteId: string | null
  ip: string | null
  userAgent: string | null
  summary: Record<string, unknown>
}

function view(row: AuditRow): AuditEntryView {
  return {
    id: row.id,
    occurredAt: row.occurredAt.toISOString(),
    actor: { type: row.actorType, id: row.actorId, label: row.actorLabel },
    action: row.action,
    target: row.targetType ? { type: row.targetType, id: row.targetId } : null,
    siteId: row.siteId,
    ip: row.ip,
    userAgent: row.userAgent,
    summary: (row.summary ?? {}) as Record<string, unknown>,
  }
}

/**
 * Reads the trail. On a network route (no site in the context) it needs `network.audit.read` and may
 * filter by site; on a site route it needs `site.audit.read` and sees that site only (the filter is
 * forced, and row-level security would hide other sites' rows anyway).
 */
export async function listAudit(ctx: Ctx, filter: AuditFilter): Promise<Page<AuditEntryView>> {
  requireCapability(ctx, ctx.site ? 'site.audit.read' : 'network.audit.read')
  const limit = filter.limit ?? DEFAULT_PAGE_LIMIT
  const rows = await ctx.tx((tx) =>
    listAuditRows(tx, {
      actorId: filter.actor,
      action: filter.action,
      targetType: filter.targetType,
      targetId: filter.targetId,
      siteId: ctx.site?.id ?? filter.site,
      since: filter.since ? new Date(filter.since) : undefined,
      until: filter.until ? new Date(filter.until) : undefined,
      before: filter.cursor,
      limit: limit + 1,
    }),
  )
  return pageOf(rows, limit, view, (row) => row.id)
}

/** Spreadsheet programs run cells that start with these characters as formulas (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/

function csvCell(value: unknown): string {
  let text =
    value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value)
  if (FORMULA_START.test(text)) text = `'${text}`
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

const CSV_COLUMNS = [
  'id',
  'occurredAt',
  'actorType',
  'actorId',
  'actorLabel',
  'action',
  'targetType',
  'targetId',
  'siteId',
  'ip',
  'userAgent',
  'summary',
] as const

/** The filtered trail as NDJSON or CSV (bounded: at most 10,000 rows per export; page with `until`). */
export async function exportAudit(
  ctx: Ctx,
  filter: AuditFilter & { format?: 'ndjson' | 'csv' },
): Promise<string> {
  const { items } = await listAudit(ctx, { ...filter, limit: filter.limit ?? AUDIT_EXPORT_LIMIT })
  if (filter.format === 'csv') {
    const lines = items.map((e) =>
      [
        e.id,
        e.occurredAt,
        e.actor.type,
        e.actor.id,
        e.actor.label,
        e.action,
        e.target?.type,
        e.target?.id,
        e.siteId,
        e.ip,
        e.userAgent,
        e.summary,
      ]
        .map(csvCell)
        .join(','),
    )
    return [CSV_COLUMNS.join(','), ...lines].join('\r\n') + '\r\n'
  }
  return items.map((e) => JSON.stringify(e)).join('\n') + (items.length ? '\n' : '')
}
