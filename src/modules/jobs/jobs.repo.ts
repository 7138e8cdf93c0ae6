import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm'
import { schema, type Tx } from '../../platform/db/index.ts'

const { jobs, jobRuns } = schema

export type JobRow = typeof jobs.$inferSelect
export type JobRunRow = typeof jobRuns.$inferSelect

/**
 * Reads for the jobs views. A site's view always passes its `siteId` (row-level security is the second
 * wall); the network view may filter by site or not.
 */

export function listJobs(
  tx: Tx,
  q: {
    siteId?: string | undefined
    queue?: string | undefined
    state?: string | undefined
    before?: string | undefined
    limit: number
  },
): Promise<JobRow[]> {
  return tx
    .select()
    .from(jobs)
    .where(
      and(
        q.siteId ? eq(jobs.siteId, q.siteId) : undefined,
        q.queue ? eq(jobs.queue, q.queue) : undefined,
        q.state ? eq(jobs.state, q.state) : undefined,
        q.before ? lt(jobs.id, q.before) : undefined,
      ),
    )
    .orderBy(desc(jobs.id))
    .limit(q.limit)
}

export async function findJob(tx: Tx, id: string, siteId: string | undefined): Promise<JobRow | undefined> {
  const [row] = await tx
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, id), siteId ? eq(jobs.siteId, siteId) : undefined))
  return row
}

export function listRuns(tx: Tx, jobId: string, siteId: string | undefined): Promise<JobRunRow[]> {
  return tx
    .select()
    .from(jobRuns)
    .where(and(eq(jobRuns.jobId, jobId), siteId ? eq(jobRuns.siteId, siteId) : undefined))
    .orderBy(asc(jobRuns.attempt), asc(jobRuns.id))
}

export interface QueueHealthRow {
  queue: string
  state: string
  count: number
  oldestWaitingSeconds: number | null
}

/** Jobs per queue and state, with the age of the oldest job due but not started (queued or retrying). */
export function countByQueueAndState(tx: Tx): Promise<QueueHealthRow[]> {
  return tx
    .select({
      queue: jobs.queue,
      state: jobs.state,
      count: sql<number>`count(*)`.mapWith(Number),
      oldestWaitingSeconds: sql<
        number | null
      >`floor(extract(epoch from now() - min(${jobs.runAfter}) filter (where ${jobs.runAfter} <= now())))`.mapWith(
        (v: unknown) => (v === null ? null : Number(v)),
      ),
    })
    .from(jobs)
    .groupBy(jobs.queue, jobs.state)
    .orderBy(asc(jobs.queue), asc(jobs.state))
}

/** Failed and timed-out attempts per queue since `since`. */
export function failuresSince(tx: Tx, since: Date): Promise<{ queue: string; count: number }[]> {
  return tx
    .select({ queue: jobRuns.queue, count: sql<number>`count(*)`.mapWith(Number) })
    .from(jobRuns)
    .where(
      and(
        inArray(jobRuns.status, ['failed', 'timed_out']),
        sql`${jobRuns.finishedAt} >= ${since.toISOString()}::timestamptz`,
      ),
    )
    .groupBy(jobRuns.queue)
}
