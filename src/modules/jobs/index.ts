/** Jobs: the network and site views of background jobs (list, inspect, retry, cancel, health). See README.md. */
export { jobsRoutes } from './jobs.routes.ts'
export type { JobsRoutesOptions } from './jobs.routes.ts'
export { createJobsService, toJobView } from './jobs.service.ts'
export type { JobRunView, JobView, JobsService, JobsServiceDeps, QueueHealthView } from './jobs.service.ts'
export { JobsErrors } from './jobs.errors.ts'
