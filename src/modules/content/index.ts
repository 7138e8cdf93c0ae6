/** Content: types, entries, revisions, workflow, scheduling, relations and the reading API. See README.md. */
export { ContentErrors } from './content.errors.ts'
export { ENTRY_STATUSES, VISIBILITIES, isLive } from './content.model.ts'
export type { EntrySeo, EntrySnapshot, EntryStatus, RevisionKind, Visibility } from './content.model.ts'
// The one rule of what a caller may read (ADR 0009): other modules filter entries through it.
export { EDITORIAL, READ_DRAFTS, READ_PRIVATE, audienceOf, visibleTo } from './audience.repo.ts'
export type { Audience } from './audience.repo.ts'
// --- types and fields ---
export {
  createTypesService,
  loadCompiledType,
  validateEntryFields,
  type CompiledType,
  type FieldDef,
  type FieldType,
  type TypesService,
  type TypeView,
  typesRoutes,
  TypesErrors,
  FieldGroupsErrors,
  createFieldGroupsService,
  type FieldGroupsService,
  type FieldGroupView,
  fieldGroupsRoutes,
} from './types/index.ts'
// --- end types and fields ---
// --- entries and revisions ---
export {
  EntriesErrors,
  EntryViewSchema,
  toEntryView,
  type EntryRow,
  type EntryView,
  freeSlug,
  normaliseSlug,
  assertRichText,
  plainTextOf,
  renderRichText,
  createEntriesService,
  type EntriesService,
  type EntriesServiceDeps,
  entriesRoutes,
  type EntriesRoutesOptions,
  permalinkOf,
  type PermalinkInput,
  reassignEntriesOfDeletedUser,
  removeMediaFromEntries,
  shownPublicly,
} from './entries/index.ts'
export {
  createRevisionsService,
  type RevisionDiff,
  type RevisionSummary,
  type RevisionView,
  type RevisionsService,
  revisionsRoutes,
  type RevisionsRoutesOptions,
} from './revisions/index.ts'
// --- end entries and revisions ---
// --- workflow ---
export {
  WorkflowErrors,
  createWorkflowService,
  type WorkflowService,
  type WorkflowServiceDeps,
  type WorkflowEntryView,
  workflowRoutes,
  CONTENT_QUEUES,
  purgeExpiredTrash,
  registerContentJobs,
  sweepSchedules,
  type ContentJobsDeps,
} from './workflow/index.ts'
// --- end workflow ---
// --- relations and series ---
export {
  RelationsErrors,
  SeriesErrors,
  createRelationsService,
  type EntryRelationsView,
  type LinkedEntry,
  type RelationView,
  type RelationsService,
  relationsRoutes,
  createSeriesService,
  type SeriesDetailView,
  type SeriesService,
  type SeriesView,
  seriesRoutes,
} from './relations/index.ts'
// --- end relations and series ---
// --- preview links ---
export {
  PREVIEW_PATH_SEGMENT,
  PreviewsErrors,
  createPreviewsService,
  previewsRoutes,
  type PreviewsService,
} from './previews/index.ts'
// --- end preview links ---
// --- reading ---
export {
  ReadingErrors,
  createReadingService,
  entryPasswordGuards,
  type ListEntriesInput,
  type MediaInclude,
  type MediaLinker,
  type PasswordGuard,
  type ReadingEntry,
  type ReadingService,
  type ReadingServiceDeps,
  type StoredMediaInclude,
  readingRoutes,
} from './reading/index.ts'
// --- end reading ---
