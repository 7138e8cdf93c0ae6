/** Content: types, entries, revisions, workflow, scheduling, relations and the reading API. See README.md. */
export { ContentErrors } from './content.errors.ts'
export { ENTRY_STATUSES, VISIBILITIES, isLive } from './content.model.ts'
export type { EntrySeo, EntrySnapshot, EntryStatus, RevisionKind, Visibility } from './content.model.ts'
// --- types and fields ---
// --- end types and fields ---
// --- entries and revisions ---
// --- end entries and revisions ---
// --- workflow ---
// --- end workflow ---
// --- relations and series ---
// --- end relations and series ---
// --- reading ---
// --- end reading ---
