/** Jobs: durable background work on pg-boss, with every job and attempt on record. See README.md. */
export { createJobs } from './jobs.ts'
export type { JobChangeHook, Jobs, JobsDeps, QueueOptions, SendOptions } from './jobs.ts'
export type { JobHandler, JobInfo } from './jobs.runner.ts'
export { JobsErrors } from './jobs.errors.ts'
export type { JobRow, JobRunRow } from './jobs.repo.ts'
export { JOB_STATES, RUN_STATUSES } from './jobs.model.ts'
export type { JobState, RunStatus } from './jobs.model.ts'
