/**
 * Entries: creating and saving (with their revisions), slugs, rich text, permalinks, views.
 * The public surface of content/entries/: sibling sub-modules and content/index.ts import only from it.
 */
export {
  ENTRY_FIELDS,
  EntrySeoSchema,
  EntryStatusSchema,
  EntryViewSchema,
  VisibilitySchema,
  columnsOfFields,
  sparseEntryView,
  toEntryView,
} from './entries.view.ts'
export type { EntryField, EntryRow, EntryView } from './entries.view.ts'
export { applySnapshot, findEntry, findRevision, lockEntry, snapshotOf, uniqueSlug } from './entries.repo.ts'
export type { RevisionRow } from './entries.repo.ts'
export {
  assertParent,
  buildSnapshot,
  headSnapshot,
  loadTypeOf,
  lockEditableEntry,
  prepareBody,
  saveRevision,
} from './entries.write.ts'
export { EntriesErrors } from './entries.errors.ts'
export { assertMediaRefsExist, mediaRefsOf, syncMediaRefs } from './media-refs.ts'
export type { MediaRef } from './media-refs.ts'
export { shownPublicly } from './media-refs.repo.ts'
export { removeMediaFromEntries, snapshotWithoutMedia } from './media-detach.ts'
export { freeSlug, normaliseSlug } from './slug.ts'
export { assertRichText, plainTextOf, renderRichText } from './rich-text.ts'
export { createEntriesService } from './entries.service.ts'
export type { EntriesService, EntriesServiceDeps } from './entries.service.ts'
export { entriesRoutes } from './entries.routes.ts'
export type { EntriesRoutesOptions } from './entries.routes.ts'
export { permalinkOf } from './permalink.ts'
export type { PermalinkInput } from './permalink.ts'
export { reassignEntriesOfDeletedUser } from './content.users.ts'
export { AutosaveBody, EntryParams } from './entries.schema.ts'
export type { AutosaveInput } from './entries.schema.ts'
export { findAutosave, listRevisions, upsertAutosave } from './revisions.repo.ts'
