/**
 * The words of the content core, shared by every file of the module. One model for every content type:
 * nothing here (or anywhere in the module) special-cases `post` or `page`.
 */

export const ENTRY_STATUSES = [
  'draft',
  'pending',
  'scheduled',
  'published',
  'unpublished',
  'archived',
  'trash',
] as const
export type EntryStatus = (typeof ENTRY_STATUSES)[number]

export const VISIBILITIES = ['public', 'private', 'password'] as const
export type Visibility = (typeof VISIBILITIES)[number]

export interface EntrySeo {
  metaTitle?: string
  metaDescription?: string
  noindex?: boolean
  /** Title and description for social cards (Open Graph, X), in place of the SEO or own ones. */
  ogTitle?: string
  ogDescription?: string
}

/**
 * The editable content of an entry, as stored in each revision (`revisions.snapshot`) and as copied
 * into the entry's own columns when it becomes what the site shows. Status, schedule, author and terms
 * are not part of it: they change through the workflow and assignment calls, not through saves.
 */
export interface EntrySnapshot {
  title: string
  slug: string
  excerpt: string
  /** Rich text as ProseMirror/Tiptap JSON (`{ type: 'doc', content: [...] }`), or null when empty. */
  body: unknown
  /** The sanitised HTML rendered from `body` when the revision was saved. */
  bodyHtml: string
  /** Custom field values keyed by field key (validated by the type's compiled validator). */
  fields: Record<string, unknown>
  parentId: string | null
  featuredMediaId: string | null
  seo: EntrySeo
  visibility: Visibility
}

export type RevisionKind = 'save' | 'restore' | 'autosave'

/** Statuses in which the entry's columns are what readers see (edits then go to a draft revision). */
export function isLive(status: EntryStatus): boolean {
  return status === 'published'
}
