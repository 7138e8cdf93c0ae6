/** Content: types, entries, revisions, workflow, scheduling, relations and the reading API. See README.md. */
export { ContentErrors } from './content.errors.ts'
export { ENTRY_STATUSES, VISIBILITIES, isLive } from './content.model.ts'
export type { EntrySeo, EntrySnapshot, EntryStatus, RevisionKind, Visibility } from './content.model.ts'
// The one rule of what a caller may read (ADR 0009): other modules filter entries through it.
export { EDITORIAL, READ_DRAFTS, READ_PRIVATE, audienceOf, visibleTo } from './audience.repo.ts'
export type { Audience } from './audience.repo.ts'
// --- types and fields ---
export { createTypesService, loadCompiledType, validateEntryFields } from './types.service.ts'
export type { CompiledType, FieldDef, FieldType, TypesService, TypeView } from './types.service.ts'
export { typesRoutes } from './types.routes.ts'
export { TypesErrors, FieldGroupsErrors } from './types.errors.ts'
export { createFieldGroupsService } from './field-groups.service.ts'
export type { FieldGroupsService, FieldGroupView } from './field-groups.service.ts'
export { fieldGroupsRoutes } from './field-groups.routes.ts'
// --- end types and fields ---
// --- entries and revisions ---
export { EntriesErrors } from './entries.errors.ts'
export { EntryViewSchema, toEntryView } from './entries.view.ts'
export type { EntryRow, EntryView } from './entries.view.ts'
export { firstFreeSlug, normaliseSlug } from './slug.ts'
export { assertRichText, plainTextOf, renderRichText } from './rich-text.ts'
export { createEntriesService } from './entries.service.ts'
export type { EntriesService, EntriesServiceDeps } from './entries.service.ts'
export { entriesRoutes } from './entries.routes.ts'
export type { EntriesRoutesOptions } from './entries.routes.ts'
export { createRevisionsService } from './revisions.service.ts'
export type { RevisionDiff, RevisionSummary, RevisionView, RevisionsService } from './revisions.service.ts'
export { revisionsRoutes } from './revisions.routes.ts'
export type { RevisionsRoutesOptions } from './revisions.routes.ts'
// --- end entries and revisions ---
// --- workflow ---
export { WorkflowErrors } from './workflow.errors.ts'
export { createWorkflowService } from './workflow.service.ts'
export type { WorkflowService, WorkflowServiceDeps } from './workflow.service.ts'
export type { WorkflowEntryView } from './workflow.publish.ts'
export { workflowRoutes } from './workflow.routes.ts'
export { permalinkOf } from './permalink.ts'
export type { PermalinkInput } from './permalink.ts'
export { CONTENT_QUEUES, purgeExpiredTrash, registerContentJobs, sweepSchedules } from './content.jobs.ts'
export type { ContentJobsDeps } from './content.jobs.ts'
// --- end workflow ---
// --- relations and series ---
export { RelationsErrors, SeriesErrors } from './relations.errors.ts'
export { createRelationsService } from './relations.service.ts'
export type { EntryRelationsView, LinkedEntry, RelationView, RelationsService } from './relations.service.ts'
export { relationsRoutes } from './relations.routes.ts'
export { createSeriesService } from './series.service.ts'
export type { SeriesDetailView, SeriesService, SeriesView } from './series.service.ts'
export { seriesRoutes } from './series.routes.ts'
// --- end relations and series ---
// --- reading ---
export { ReadingErrors } from './reading.errors.ts'
export { createReadingService } from './reading.service.ts'
export type { PasswordGuard, ReadingEntry, ReadingService } from './reading.service.ts'
export { readingRoutes } from './reading.routes.ts'
// --- end reading ---
export { reassignEntriesOfDeletedUser } from './content.users.ts'
