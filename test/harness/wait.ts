import type { JobState } from '../../src/platform/jobs/index.ts'
import type { TestApp } from './test-app.ts'

/**
 * Tests wait for facts, not time: `waitFor` polls an observable condition (a row, a reply) until it
 * holds, and fails naming what it waited for and what it saw last. A fixed sleep is either too short on a
 * loaded machine (a flake) or longer than needed everywhere.
 */

export interface WaitOptions {
  /** What is awaited, for the failure message: "the entry to be published" (a function: read on failure). */
  what: string | (() => string)
  /**
   * Default 8 s: only a failing test waits that long, and it stays under the test timeout (10 s in
   * vitest.config.ts) so that the failure names what was awaited rather than the test's time running out.
   */
  timeoutMs?: number
  /** Default 100 ms. */
  intervalMs?: number
}

/**
 * Calls `check` until it returns something other than `undefined`, `null` or `false`, and returns that.
 * An error thrown by `check` ends the wait at once (it is a bug, not "not yet").
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: WaitOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 8_000
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    last = await check()
    if (last !== undefined && last !== null && last !== false) return last as T
    if (Date.now() >= deadline) {
      const what = typeof options.what === 'function' ? options.what() : options.what
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last seen: ${String(last)})`)
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100))
  }
}

export interface JobRecord {
  id: string
  queue: string
  state: JobState
  attempts: number
  lastError: string | null
}

/** States a job leaves only when someone retries it by hand. */
const FINISHED: readonly JobState[] = ['completed', 'failed', 'dead', 'cancelled']

/**
 * Waits until a job is in `state` (default `completed`), as its row in `jobs` says, and returns the row.
 * The job is the one with `id`, or any of `queue` whose data contains `data`. Fails at once when every
 * such job has finished in another state (a job that died will not complete), with its last error.
 */
export async function waitForJob(
  app: TestApp,
  match: {
    id?: string
    queue?: string
    data?: Record<string, unknown>
    state?: JobState
    timeoutMs?: number
  },
): Promise<JobRecord> {
  const state = match.state ?? 'completed'
  const described = `${match.id ? `job ${match.id}` : `a ${match.queue ?? ''} job`}${
    match.data ? ` with ${JSON.stringify(match.data)}` : ''
  } to be ${state}`
  if (!match.id && !match.queue) throw new Error('waitForJob: give an id or a queue')
  let seen = 'no such job'
  return waitFor(
    async () => {
      const jobs = await app.db.engine.query<JobRecord>(
        `SELECT id, queue, state, attempts, last_error AS "lastError" FROM jobs
         WHERE ($1::uuid IS NULL OR id = $1) AND ($2::text IS NULL OR queue = $2)
           AND ($3::jsonb IS NULL OR data @> $3::jsonb)
         ORDER BY id`,
        [match.id ?? null, match.queue ?? null, match.data ? JSON.stringify(match.data) : null],
      )
      const done = jobs.find((job) => job.state === state)
      if (done) return done
      if (jobs.length > 0) seen = jobs.map((job) => `${job.id} ${job.state}`).join(', ')
      const hopeless = jobs.length > 0 && jobs.every((job) => FINISHED.includes(job.state))
      if (hopeless) {
        const errors = jobs.map((job) => job.lastError).filter(Boolean)
        throw new Error(
          `waiting for ${described}: it finished ${seen}${errors.length ? `: ${errors.join('; ')}` : ''}`,
        )
      }
      return undefined
    },
    { what: () => `${described} (seen: ${seen})`, timeoutMs: match.timeoutMs },
  )
}
