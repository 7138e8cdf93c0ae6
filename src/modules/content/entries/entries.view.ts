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

/**
 * A timestamp as the API shows it. The reading API's rows already carry it as that text (its statement
 * formats it, sparing a Date per value); every other row carries a Date.
 */
const iso = (d: Date | string | null): string | null =>
  d === null ? null : typeof d === 'string' ? d : d.toISOString()

export type EntryField = keyof EntryView

/**
 * How each view field is made from the row, and from which columns. The reading API selects only the
 * columns of the fields a reply shows (a list of summaries never reads the body), so a field and its
 * columns are declared together here.
 */
const FIELDS: {
  [K in EntryField]-?: {
    columns: readonly (keyof EntryRow)[]
    view: (row: EntryRow, typeKey: string) => EntryView[K]
  }
} = {
  id: { columns: ['id'], view: (r) => r.id },
  type: { columns: [], view: (_r, typeKey) => typeKey },
  status: { columns: ['status'], view: (r) => r.status as EntryStatus },
  slug: { columns: ['slug'], view: (r) => r.slug },
  title: { columns: ['title'], view: (r) => r.title },
  excerpt: { columns: ['excerpt'], view: (r) => r.excerpt },
  body: { columns: ['body'], view: (r) => r.body ?? null },
  bodyHtml: { columns: ['bodyHtml'], view: (r) => r.bodyHtml },
  fields: { columns: ['fields'], view: (r) => (r.fields ?? {}) as Record<string, unknown> },
  authorId: { columns: ['authorId'], view: (r) => r.authorId },
  parentId: { columns: ['parentId'], view: (r) => r.parentId },
  featuredMediaId: { columns: ['featuredMediaId'], view: (r) => r.featuredMediaId },
  seo: { columns: ['seo'], view: (r) => (r.seo ?? {}) as EntrySeo },
  visibility: { columns: ['visibility'], view: (r) => r.visibility as Visibility },
  publishedAt: { columns: ['publishedAt'], view: (r) => iso(r.publishedAt) },
  publishAt: { columns: ['publishAt'], view: (r) => iso(r.publishAt) },
  unpublishAt: { columns: ['unpublishAt'], view: (r) => iso(r.unpublishAt) },
  createdAt: { columns: ['createdAt'], view: (r) => iso(r.createdAt) as string },
  updatedAt: { columns: ['updatedAt'], view: (r) => iso(r.updatedAt) as string },
  revisions: {
    columns: ['headRevisionId', 'publishedRevisionId'],
    view: (r) => ({
      head: r.headRevisionId,
      published: r.publishedRevisionId,
      hasUnpublishedChanges: r.headRevisionId !== null && r.headRevisionId !== r.publishedRevisionId,
    }),
  },
}

/** Every field of the view, in reply order. */
export const ENTRY_FIELDS: readonly EntryField[] = Object.keys(FIELDS) as EntryField[]

/** The row columns the given fields are made from. */
export function columnsOfFields(fields: Iterable<EntryField>): Set<keyof EntryRow> {
  const columns = new Set<keyof EntryRow>()
  for (const field of fields) for (const column of FIELDS[field].columns) columns.add(column)
  return columns
}

/**
 * The view of the given fields only, from a row holding at least their columns (`columnsOfFields`).
 * `revisions` is editorial: left out unless `editorial`, whatever is asked.
 */
export function sparseEntryView(
  row: EntryRow,
  typeKey: string,
  fields: Iterable<EntryField>,
  options: { editorial: boolean },
): Partial<EntryView> {
  const view: Record<string, unknown> = {}
  for (const field of fields)
    if (field !== 'revisions' || options.editorial) view[field] = FIELDS[field].view(row, typeKey)
  return view as Partial<EntryView>
}

/** Maps a row to its view; `editorial` adds the revision pointers (never the password hash). */
export function toEntryView(row: EntryRow, typeKey: string, options: { editorial: boolean }): EntryView {
  return sparseEntryView(row, typeKey, ENTRY_FIELDS, options) as EntryView
}

const Timestamp = Type.String({ format: 'date-time' })
// Nullable as a type list rather than `anyOf [string, null]`: the reply serializer writes a type list
// directly, while for `anyOf` it validates every value against each branch first (a date-time or uuid
// format check per field of every entry of a list).
const NullableTimestamp = Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'date-time' })
const NullableUuid = Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'uuid' })

export const EntrySeoSchema = Type.Object(
  {
    metaTitle: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'Title for search engines: replaces the whole page title (the site’s title template is not applied).',
      }),
    ),
    metaDescription: Type.Optional(
      Type.String({ maxLength: 500, description: 'Description for search engines.' }),
    ),
    noindex: Type.Optional(Type.Boolean({ description: 'Ask search engines not to index the entry.' })),
    ogTitle: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'Title of the entry’s social card (`og:title`, `twitter:title`); empty or absent: the SEO title, else the entry’s title.',
      }),
    ),
    ogDescription: Type.Optional(
      Type.String({
        maxLength: 500,
        description:
          'Description of the entry’s social card (`og:description`, `twitter:description`); empty or absent: the page’s description.',
      }),
    ),
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
