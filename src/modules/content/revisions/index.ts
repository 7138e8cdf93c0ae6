/**
 * Revision history: listing, field diffs, restoring, autosaves.
 * The public surface of content/revisions/: sibling sub-modules and content/index.ts import only from it.
 */
export { createRevisionsService } from './revisions.service.ts'
export type { RevisionDiff, RevisionSummary, RevisionView, RevisionsService } from './revisions.service.ts'
export { revisionsRoutes } from './revisions.routes.ts'
export type { RevisionsRoutesOptions } from './revisions.routes.ts'
