import type { FastifyInstance } from 'fastify'
import { needs } from '../../platform/http/index.ts'
import {
  AuditExportQuery,
  AuditPage,
  AuditQuery,
  SiteParams,
  type AuditExportInput,
  type AuditQueryInput,
} from './audit.schema.ts'
import { exportAudit, listAudit } from './audit.service.ts'

const FILTERS =
  'Filters: `actor` (user id), `action`, `targetType`, `targetId`, `site`, `since`/`until` (ISO times). Newest first; page with `cursor`.'

export async function auditRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: AuditQueryInput }>(
    '/api/v1/audit',
    {
      config: { access: needs('network.audit.read') },
      schema: {
        tags: ['audit'],
        summary: 'Audit log of the network',
        description: `Every recorded state change: who (user, API key, system), what, on which target and site, from which address. ${FILTERS}`,
        querystring: AuditQuery,
        response: { 200: AuditPage },
      },
    },
    async (request) => listAudit(request.ctx, request.query),
  )

  app.get<{ Querystring: AuditExportInput }>(
    '/api/v1/audit/export',
    {
      config: { access: needs('network.audit.read') },
      schema: {
        tags: ['audit'],
        summary: 'Export the audit log',
        description: `The filtered log as NDJSON (default) or CSV (\`format=csv\`; cells that a spreadsheet would run as formulas are prefixed with a quote), at most 10,000 rows per export. ${FILTERS}`,
        querystring: AuditExportQuery,
      },
    },
    async (request, reply) => {
      const format = request.query.format ?? 'ndjson'
      const body = await exportAudit(request.ctx, { ...request.query, format })
      return reply
        .header(
          'content-type',
          format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        )
        .header('content-disposition', `attachment; filename="audit.${format === 'csv' ? 'csv' : 'ndjson'}"`)
        .header('cache-control', 'no-store')
        .send(body)
    },
  )

  app.get<{ Params: { site: string }; Querystring: AuditQueryInput }>(
    '/api/v1/sites/:site/audit',
    {
      config: { access: needs('site.audit.read') },
      schema: {
        tags: ['audit'],
        summary: 'Audit log of a site',
        description: `State changes recorded on this site only. ${FILTERS}`,
        params: SiteParams,
        querystring: AuditQuery,
        response: { 200: AuditPage },
      },
    },
    async (request) => listAudit(request.ctx, request.query),
  )
}
