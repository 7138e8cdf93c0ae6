import type { EntrySeo, EntrySnapshot, Visibility } from '../content.model.ts'
import type { EntryRow } from './entries.view.ts'

/** The editable content of an entry's columns, as a revision stores it. */
export function snapshotOf(row: EntryRow): EntrySnapshot {
  return {
    title: row.title,
    slug: row.slug,
    excerpt: row.excerpt,
    body: row.body ?? null,
    bodyHtml: row.bodyHtml,
    fields: (row.fields ?? {}) as Record<string, unknown>,
    parentId: row.parentId,
    featuredMediaId: row.featuredMediaId,
    seo: (row.seo ?? {}) as EntrySeo,
    visibility: row.visibility as Visibility,
  }
}

/** The entry columns a snapshot writes. */
export function columnsOf(snapshot: EntrySnapshot): Partial<EntryRow> {
  return {
    title: snapshot.title,
    slug: snapshot.slug,
    excerpt: snapshot.excerpt,
    body: snapshot.body ?? null,
    bodyHtml: snapshot.bodyHtml,
    fields: snapshot.fields,
    parentId: snapshot.parentId,
    featuredMediaId: snapshot.featuredMediaId,
    seo: snapshot.seo,
    visibility: snapshot.visibility,
  }
}
