/**
 * The workflow: status changes, approvals, publishing, scheduling jobs, the trash.
 * The public surface of content/workflow/: sibling sub-modules and content/index.ts import only from it.
 */
export { WorkflowErrors } from './workflow.errors.ts'
export { createWorkflowService } from './workflow.service.ts'
export type { WorkflowService, WorkflowServiceDeps } from './workflow.service.ts'
export type { WorkflowEntryView } from './workflow.publish.ts'
export { workflowRoutes } from './workflow.routes.ts'
export { CONTENT_QUEUES, purgeExpiredTrash, registerContentJobs, sweepSchedules } from './workflow.jobs.ts'
export type { ContentJobsDeps } from './workflow.jobs.ts'
