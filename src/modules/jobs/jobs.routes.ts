import type { FastifyInstance } from 'fastify'
import { needs } from '../../platform/http/index.ts'
import {
  JobDetail,
  JobPage,
  JobParams,
  JobView,
  JobsHealth,
  ListJobsQuery,
  ListSiteJobsQuery,
  SiteJobParams,
  SiteParams,
  type ListJobsInput,
} from './jobs.schema.ts'
import type { JobsService } from './jobs.service.ts'

export interface JobsRoutesOptions {
  service: JobsService
}

const RETRY =
  'Queues a `dead` or `failed` job again, with a fresh set of retries; other states give 409 COLOPHON_JOBS_NOT_RETRYABLE. Audited.'
const CANCEL =
  'Cancels a `queued` or `retrying` job: it will not run. A running or finished job gives 409 COLOPHON_JOBS_NOT_CANCELLABLE. Audited.'

/** The network view (`/api/v1/jobs`) and each site's view (`/api/v1/sites/{site}/jobs`) of the same jobs. */
export async function jobsRoutes(app: FastifyInstance, { service }: JobsRoutesOptions): Promise<void> {
  const network = needs('network.jobs.manage')
  const tags = ['jobs']

  app.get<{ Querystring: ListJobsInput }>(
    '/api/v1/jobs',
    {
      config: { access: network },
      schema: {
        tags,
        summary: 'List jobs of the whole network',
        description:
          'Every site’s jobs and the network’s own, newest first. Filter by `queue`, `state`, `site`; page with `cursor`.',
        querystring: ListJobsQuery,
        response: { 200: JobPage },
      },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.get(
    '/api/v1/jobs/health',
    {
      config: { access: network },
      schema: {
        tags,
        summary: 'Job queue health',
        description:
          'Per queue: jobs by state, the age of the oldest job that is due but not started, and failed attempts in the last hour.',
        response: { 200: JobsHealth },
      },
    },
    async (request) => service.health(request.ctx),
  )

  app.get<{ Params: { id: string } }>(
    '/api/v1/jobs/:id',
    {
      config: { access: network },
      schema: {
        tags,
        summary: 'Inspect a job',
        description: 'The job with every attempt (status, worker, duration, error).',
        params: JobParams,
        response: { 200: JobDetail },
      },
    },
    async (request) => service.get(request.ctx, request.params.id),
  )

  app.post<{ Params: { id: string } }>(
    '/api/v1/jobs/:id/retry',
    {
      config: { access: network },
      schema: {
        tags,
        summary: 'Retry a job',
        description: RETRY,
        params: JobParams,
        response: { 200: JobView },
      },
    },
    async (request) => service.retry(request.ctx, request.params.id),
  )

  app.post<{ Params: { id: string } }>(
    '/api/v1/jobs/:id/cancel',
    {
      config: { access: network },
      schema: {
        tags,
        summary: 'Cancel a job',
        description: CANCEL,
        params: JobParams,
        response: { 200: JobView },
      },
    },
    async (request) => service.cancel(request.ctx, request.params.id),
  )

  app.get<{ Params: { site: string }; Querystring: ListJobsInput }>(
    '/api/v1/sites/:site/jobs',
    {
      config: { access: needs('site.jobs.read') },
      schema: {
        tags,
        summary: 'List a site’s jobs',
        description: 'The site’s jobs, newest first. Filter by `queue` and `state`; page with `cursor`.',
        params: SiteParams,
        querystring: ListSiteJobsQuery,
        response: { 200: JobPage },
      },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.get<{ Params: { site: string; id: string } }>(
    '/api/v1/sites/:site/jobs/:id',
    {
      config: { access: needs('site.jobs.read') },
      schema: {
        tags,
        summary: 'Inspect a site’s job',
        description:
          'The job with every attempt. Another site’s job is not found (404 COLOPHON_JOBS_NOT_FOUND).',
        params: SiteJobParams,
        response: { 200: JobDetail },
      },
    },
    async (request) => service.get(request.ctx, request.params.id),
  )

  app.post<{ Params: { site: string; id: string } }>(
    '/api/v1/sites/:site/jobs/:id/retry',
    {
      config: { access: needs('site.jobs.manage') },
      schema: {
        tags,
        summary: 'Retry a site’s job',
        description: RETRY,
        params: SiteJobParams,
        response: { 200: JobView },
      },
    },
    async (request) => service.retry(request.ctx, request.params.id),
  )

  app.post<{ Params: { site: string; id: string } }>(
    '/api/v1/sites/:site/jobs/:id/cancel',
    {
      config: { access: needs('site.jobs.manage') },
      schema: {
        tags,
        summary: 'Cancel a site’s job',
        description: CANCEL,
        params: SiteJobParams,
        response: { 200: JobView },
      },
    },
    async (request) => service.cancel(request.ctx, request.params.id),
  )
}
