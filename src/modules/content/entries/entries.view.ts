import Type from 'typebox'
import type { schema } from '../../../platform/db/index.ts'
import type { EntrySeo, EntryStatus, Visibility } from '../content.model.ts'

/** An `entries` row as the repositories return it. */
export type EntryRow = typeof schema.entries.$inferSelect

/**
 * What the API shows of an entry. The password hash never leaves the server; `revisions` (the head and
 * published revision pointers) only goes to callers who may edit or read non-public content.
 */
export interface EntryView {
  id: string
  /** The content type key. */
  type: string
  status: EntryStatus
  slug: string
  title: string
  excerpt: string
  /** ProseMirror/Tiptap JSON, or null. */
  body: unknown
  bodyHtml: string
  fields: Record<string, unknown>
  authorId: string | null
  parentId: string | null
  featuredMediaId: string | null
  seo: EntrySeo
  visibility: Visibility
  publishedAt: string | null
  publishAt: string | null
  unpublishAt: string | null
  createdAt: string
  updatedAt: string
  revisions?: { head: string | null; published: string | null; hasUnpublishedChanges: boolean }
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null)

/** Maps a row to its view; `editorial` adds the revision pointers (never the password hash). */
export function toEntryView(row: EntryRow, typeKey: string, options: { editorial: boolean }): EntryView {
  const view: EntryView = {
    id: row.id,
    type: typeKey,
    status: row.status as EntryStatus,
    slug: row.slug,
    title: row.title,
    excerpt: row.excerpt,
    body: row.body ?? null,
    bodyHtml: row.bodyHtml,
    fields: (row.fields ?? {}) as Record<string, unknown>,
    authorId: row.authorId,
    parentId: row.parentId,
    featuredMediaId: row.featuredMediaId,
    seo: (row.seo ?? {}) as EntrySeo,
    visibility: row.visibility as Visibility,
    publishedAt: iso(row.publishedAt),
    publishAt: iso(row.publishAt),
    unpublishAt: iso(row.unpublishAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
  if (options.editorial) {
    view.revisions = {
      head: row.headRevisionId,
      published: row.publishedRevisionId,
      hasUnpublishedChanges: row.headRevisionId !== null && row.headRevisionId !== row.publishedRevisionId,
    }
  }
  return view
}

const Timestamp = Type.String({ format: 'date-time' })
const NullableTimestamp = Type.Union([Timestamp, Type.Null()])
const NullableUuid = Type.Union([Type.String({ format: 'uuid' }), Type.Null()])

export const EntrySeoSchema = Type.Object(
  {
    metaTitle: Type.Optional(Type.String({ maxLength: 200, description: 'Title for search engines.' })),
    metaDescription: Type.Optional(
      Type.String({ maxLength: 500, description: 'Description for search engines.' }),
    ),
    noindex: Type.Optional(Type.Boolean({ description: 'Ask search engines not to index the entry.' })),
  },
  { additionalProperties: false, description: 'Search engine fields.' },
)

export const EntryStatusSchema = Type.Union(
  [
    Type.Literal('draft'),
    Type.Literal('pending'),
    Type.Literal('scheduled'),
    Type.Literal('published'),
    Type.Literal('unpublished'),
    Type.Literal('archived'),
    Type.Literal('trash'),
  ],
  { description: 'Workflow status.' },
)

export const VisibilitySchema = Type.Union(
  [Type.Literal('public'), Type.Literal('private'), Type.Literal('password')],
  {
    description:
      '`public`: anyone once published; `private`: only members who may read non-public content; `password`: readers who give the password.',
  },
)

/** The response shape of an entry (R extends it with includes). */
export const EntryViewSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  type: Type.String({ description: 'The content type key.' }),
  status: EntryStatusSchema,
  slug: Type.String({ description: 'Unique per site and type among entries not in the trash.' }),
  title: Type.String(),
  excerpt: Type.String(),
  body: Type.Unknown({ description: 'Rich text as ProseMirror/Tiptap JSON, or null.' }),
  bodyHtml: Type.String({ description: 'HTML rendered from `body` and sanitised on the server.' }),
  fields: Type.Record(Type.String(), Type.Unknown(), { description: 'Custom field values by key.' }),
  authorId: NullableUuid,
  parentId: NullableUuid,
  featuredMediaId: NullableUuid,
  seo: EntrySeoSchema,
  visibility: VisibilitySchema,
  publishedAt: NullableTimestamp,
  publishAt: NullableTimestamp,
  unpublishAt: NullableTimestamp,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  revisions: Type.Optional(
    Type.Object(
      {
        head: NullableUuid,
        published: NullableUuid,
        hasUnpublishedChanges: Type.Boolean({
          description: 'True when the latest saved revision is not the published one.',
        }),
      },
      { description: 'Revision pointers; only for callers who may edit or read non-public content.' },
    ),
  ),
})
