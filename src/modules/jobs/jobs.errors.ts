/**
 * The jobs module's errors are the jobs platform's (a job that is not there, not cancellable, not
 * retryable): one definition, raised where the state change happens.
 */
export { JobsErrors } from '../../platform/jobs/index.ts'
