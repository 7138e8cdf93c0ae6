/** Audit: the append-only trail of state changes (who, what, where from) and its read API. See README.md. */
export { auditRoutes } from './audit.routes.ts'
export { exportAudit, listAudit, recordAudit } from './audit.service.ts'
export type { AuditEntry, AuditEntryView, AuditFilter } from './audit.service.ts'
export { redactSummary } from './audit.redact.ts'
