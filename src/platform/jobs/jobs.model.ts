/** The words of the jobs platform, shared by the platform and the jobs module's views. */

/**
 * - `queued`: waiting (possibly until its start time); `active`: an attempt is running;
 * - `retrying`: an attempt failed, another is scheduled (with backoff);
 * - `completed`; `cancelled` (by hand, before it ran);
 * - `dead`: every attempt failed (kept for inspection, may be retried by hand);
 * - `failed`: could not run at all (its site is gone); may be retried by hand.
 */
export const JOB_STATES = [
  'queued',
  'active',
  'retrying',
  'completed',
  'failed',
  'dead',
  'cancelled',
] as const
export type JobState = (typeof JOB_STATES)[number]

/** One attempt: `running`, then `completed`, `failed` or `timed_out` (also: its worker died). */
export const RUN_STATUSES = ['running', 'completed', 'failed', 'timed_out'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]
