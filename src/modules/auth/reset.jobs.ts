import type { Jobs } from '../../platform/jobs/index.ts'
import { PASSWORD_RESET_QUEUE, type ResetRequestJob, type ResetService } from './reset.service.ts'

/**
 * The password-reset request queue. Retried quickly: the person asking is waiting for the mail, and a
 * retry only re-issues a token (the newer voids the older) and queues a new mail.
 */
export function registerResetJobs(jobs: Pick<Jobs, 'define'>, service: ResetService): void {
  jobs.define<ResetRequestJob>(PASSWORD_RESET_QUEUE, (ctx, job) => service.processResetRequest(ctx, job), {
    retryLimit: 3,
    retryDelaySeconds: 10,
    timeoutSeconds: 60,
  })
}
