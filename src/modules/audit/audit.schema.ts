import Type, { type Static } from 'typebox'
import { pageQuery } from '../../platform/http/index.ts'

export const AuditQuery = Type.Object(
  {
    actor: Type.Optional(Type.String({ format: 'uuid', description: 'Only changes made by this user.' })),
    action: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9_.]+$',
        maxLength: 100,
        description: 'Exact action, e.g. `auth.login`.',
      }),
    ),
    targetType: Type.Optional(Type.String({ pattern: '^[a-z0-9_]+$', maxLength: 50 })),
    targetId: Type.Optional(Type.String({ maxLength: 100 })),
    site: Type.Optional(
      Type.String({ format: 'uuid', description: 'Only changes on this site (network log).' }),
    ),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    ...pageQuery(),
  },
  { additionalProperties: false },
)
export type AuditQueryInput = Static<typeof AuditQuery>

/** Rows an export returns at most (and by default): one response, no cursor walk needed. */
export const AUDIT_EXPORT_LIMIT = 10_000

export const AuditExportQuery = Type.Object(
  {
    ...AuditQuery.properties,
    format: Type.Optional(Type.Union([Type.Literal('ndjson'), Type.Literal('csv')], { default: 'ndjson' })),
    ...pageQuery({ defaultLimit: AUDIT_EXPORT_LIMIT, maxLimit: AUDIT_EXPORT_LIMIT }),
  },
  { additionalProperties: false },
)
export type AuditExportInput = Static<typeof AuditExportQuery>

export const AuditEntryView = Type.Object({
  id: Type.String(),
  occurredAt: Type.String({ format: 'date-time' }),
  actor: Type.Object({
    type: Type.String({ description: '`user`, `api_key`, `anonymous` or `system`.' }),
    id: Type.Union([Type.String(), Type.Null()]),
    label: Type.Union([Type.String(), Type.Null()]),
  }),
  action: Type.String(),
  target: Type.Union([
    Type.Object({ type: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
    Type.Null(),
  ]),
  siteId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  summary: Type.Record(Type.String(), Type.Unknown()),
})

export const AuditPage = Type.Object({
  items: Type.Array(AuditEntryView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const SiteParams = Type.Object({ site: Type.String({ minLength: 1, maxLength: 100 }) })
