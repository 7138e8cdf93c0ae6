import { defineError } from '../errors/index.ts'

export const JobsErrors = {
  notFound: defineError('COLOPHON_JOBS_NOT_FOUND', 404, 'No such job.'),
  notCancellable: defineError(
    'COLOPHON_JOBS_NOT_CANCELLABLE',
    409,
    'Only a queued or retrying job can be cancelled; this one is running or already finished.',
  ),
  notRetryable: defineError('COLOPHON_JOBS_NOT_RETRYABLE', 409, 'Only a dead or failed job can be retried.'),
}
