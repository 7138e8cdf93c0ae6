import { and, desc, eq, gte, lt, lte, type SQL } from 'drizzle-orm'
import { schema, type Tx } from '../../platform/db/index.ts'

const { auditLog } = schema

export type AuditRow = typeof auditLog.$inferSelect
export type NewAuditRow = typeof auditLog.$inferInsert

export async function insertAuditRow(tx: Tx, row: NewAuditRow): Promise<void> {
  await tx.insert(auditLog).values(row)
}

export interface AuditQuery {
  actorId?: string | undefined
  action?: string | undefined
  targetType?: string | undefined
  targetId?: string | undefined
  siteId?: string | undefined
  since?: Date | undefined
  until?: Date | undefined
  /** Id of the last row of the previous page (ids are time-ordered UUIDv7). */
  before?: string | undefined
  limit: number
}

export async function listAuditRows(tx: Tx, q: AuditQuery): Promise<AuditRow[]> {
  const where: (SQL | undefined)[] = [
    q.actorId ? eq(auditLog.actorId, q.actorId) : undefined,
    q.action ? eq(auditLog.action, q.action) : undefined,
    q.targetType ? eq(auditLog.targetType, q.targetType) : undefined,
    q.targetId ? eq(auditLog.targetId, q.targetId) : undefined,
    q.siteId ? eq(auditLog.siteId, q.siteId) : undefined,
    q.since ? gte(auditLog.occurredAt, q.since) : undefined,
    q.until ? lte(auditLog.occurredAt, q.until) : undefined,
    q.before ? lt(auditLog.id, q.before) : undefined,
  ]
  return tx
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(q.limit)
}
