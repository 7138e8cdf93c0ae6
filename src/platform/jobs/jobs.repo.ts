import { and, eq, inArray, sql } from 'drizzle-orm'
import { schema, type Tx } from '../db/index.ts'

const { jobs, jobRuns, sites } = schema

export type JobRow = typeof jobs.$inferSelect
export type NewJob = typeof jobs.$inferInsert
export type JobRunRow = typeof jobRuns.$inferSelect

/** States from which a job may still run; the others are final until someone retries it. */
export const OPEN_STATES = ['queued', 'active', 'retrying'] as const

/**
 * The lifecycle writes of the jobs platform. Reads for the admin views live in the jobs module's repo.
 * Statements that take a site filter on it explicitly; row-level security is the second wall.
 */

export async function insertJob(tx: Tx, row: NewJob): Promise<JobRow> {
  const [inserted] = await tx.insert(jobs).values(row).returning()
  if (!inserted) throw new TypeError('insert into jobs returned no row')
  return inserted
}

/**
 * Serialises senders of one singleton key for the rest of the transaction: the table has no unique index
 * on the key (a finished job must not block the next one), so the check-then-insert needs a lock.
 */
export async function lockSingleton(tx: Tx, key: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`)
}

export async function findOpenSingleton(
  tx: Tx,
  q: { siteId: string | null; queue: string; singletonKey: string },
): Promise<JobRow | undefined> {
  const [row] = await tx
    .select()
    .from(jobs)
    .where(
      and(
        q.siteId === null ? sql`${jobs.siteId} IS NULL` : eq(jobs.siteId, q.siteId),
        eq(jobs.queue, q.queue),
        eq(jobs.singletonKey, q.singletonKey),
        inArray(jobs.state, [...OPEN_STATES]),
      ),
    )
    .limit(1)
  return row
}

/** The job, locked for a state change; `siteId` (when given) must match. */
export async function lockJob(
  tx: Tx,
  id: string,
  siteId: string | null | undefined,
): Promise<JobRow | undefined> {
  const [row] = await tx
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, id), siteId ? eq(jobs.siteId, siteId) : undefined))
    .for('update')
  return row
}

export async function updateJob(tx: Tx, id: string, change: Partial<NewJob>): Promise<JobRow> {
  const [row] = await tx
    .update(jobs)
    .set({ ...change, updatedAt: sql`now()` })
    .where(eq(jobs.id, id))
    .returning()
  if (!row) throw new TypeError('update of jobs returned no row')
  return row
}

export interface SiteOfJob {
  id: string
  slug: string
  name: string
}

export async function findSiteRef(tx: Tx, siteId: string): Promise<SiteOfJob | undefined> {
  const [row] = await tx
    .select({ id: sites.id, slug: sites.slug, name: sites.name })
    .from(sites)
    .where(eq(sites.id, siteId))
  return row
}

/**
 * Claims the job for one attempt: moves it to `active` and counts the attempt, unless it reached a
 * final state meanwhile (completed by an earlier delivery, cancelled, dead). `undefined` then: the
 * delivery is a duplicate and must not run the handler.
 */
export async function claimJob(tx: Tx, id: string): Promise<JobRow | undefined> {
  const [row] = await tx
    .update(jobs)
    .set({ state: 'active', attempts: sql`${jobs.attempts} + 1`, updatedAt: sql`now()` })
    .where(and(eq(jobs.id, id), inArray(jobs.state, [...OPEN_STATES])))
    .returning()
  return row
}

/** Jobs of these queues that some worker is running, or that are due and about to be claimed. */
export async function countBusyJobs(tx: Tx, queues: readonly string[]): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(jobs)
    .where(
      and(
        inArray(jobs.queue, [...queues]),
        sql`(${jobs.state} = 'active' OR (${jobs.state} = 'queued' AND ${jobs.runAfter} <= now()))`,
      ),
    )
  return Number(row?.n ?? 0)
}

/** Runs left `running` by a worker that died: closed as timed out when the next attempt starts. */
export async function closeAbandonedRuns(tx: Tx, jobId: string): Promise<void> {
  await tx
    .update(jobRuns)
    .set({
      status: 'timed_out',
      finishedAt: sql`now()`,
      durationMs: sql`(extract(epoch from now() - ${jobRuns.startedAt}) * 1000)::int`,
      error: 'The worker stopped before the attempt finished.',
    })
    .where(and(eq(jobRuns.jobId, jobId), eq(jobRuns.status, 'running')))
}

export async function insertRun(
  tx: Tx,
  row: { id: string; job: JobRow; worker: string },
): Promise<JobRunRow> {
  const [inserted] = await tx
    .insert(jobRuns)
    .values({
      id: row.id,
      jobId: row.job.id,
      siteId: row.job.siteId,
      queue: row.job.queue,
      attempt: row.job.attempts,
      worker: row.worker,
    })
    .returning()
  if (!inserted) throw new TypeError('insert into job_runs returned no row')
  return inserted
}

export async function finishRun(
  tx: Tx,
  id: string,
  outcome: { status: 'completed' | 'failed' | 'timed_out'; durationMs: number; error: string | null },
): Promise<void> {
  await tx
    .update(jobRuns)
    .set({ ...outcome, finishedAt: sql`now()` })
    .where(eq(jobRuns.id, id))
}
