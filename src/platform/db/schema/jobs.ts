import { sql } from 'drizzle-orm'
import { check, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { sites } from './sites.ts'

/**
 * The jobs platform's own record of background work (row-level security: a site sees its jobs, the
 * network sees all). The queue itself lives in pg-boss's schema; `jobs` mirrors each job with the site
 * and actor it was created for, and `job_runs` keeps one row per attempt for the health view.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey(),
    siteId: uuid('site_id').references(() => sites.id, { onDelete: 'cascade' }),
    queue: text('queue').notNull(),
    state: text('state').notNull().default('queued'),
    data: jsonb('data').notNull().default({}),
    actorId: uuid('actor_id'),
    actorKind: text('actor_kind').notNull().default('system'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(1),
    runAfter: timestamp('run_after', { withTimezone: true }).notNull().defaultNow(),
    singletonKey: text('singleton_key'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('jobs_site_idx').on(t.siteId, t.id),
    index('jobs_state_idx').on(t.state, t.id),
    index('jobs_queue_idx').on(t.queue, t.id),
    check(
      'jobs_state_check',
      sql`${t.state} in ('queued', 'active', 'retrying', 'completed', 'failed', 'dead', 'cancelled')`,
    ),
  ],
)

export const jobRuns = pgTable(
  'job_runs',
  {
    id: uuid('id').primaryKey(),
    jobId: uuid('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    siteId: uuid('site_id').references(() => sites.id, { onDelete: 'cascade' }),
    queue: text('queue').notNull(),
    attempt: integer('attempt').notNull(),
    status: text('status').notNull().default('running'),
    worker: text('worker').notNull().default(''),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    durationMs: integer('duration_ms'),
    error: text('error'),
  },
  (t) => [
    index('job_runs_job_idx').on(t.jobId, t.attempt),
    index('job_runs_site_idx').on(t.siteId, t.id.desc()),
    check('job_runs_status_check', sql`${t.status} in ('running', 'completed', 'failed', 'timed_out')`),
  ],
)
