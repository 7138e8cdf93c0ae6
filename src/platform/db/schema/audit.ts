import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'

/**
 * Network table with an optional site (row-level security): one row per state change. `site_id` has no
 * foreign key on purpose: the trail outlives the site it describes.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    actorType: text('actor_type').notNull(),
    actorId: uuid('actor_id'),
    actorLabel: text('actor_label'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    siteId: uuid('site_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    summary: jsonb('summary').notNull().default({}),
  },
  (t) => [
    index('audit_log_id_idx').on(t.id.desc()),
    index('audit_log_actor_idx').on(t.actorId),
    index('audit_log_site_idx').on(t.siteId, t.id),
    index('audit_log_action_idx').on(t.action),
  ],
)
