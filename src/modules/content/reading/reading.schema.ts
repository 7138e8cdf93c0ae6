import Type, { type Static } from 'typebox'
import { EntryViewSchema } from '../entries/index.ts'

/** Query and response schemas of the reading API. Limits the service checks itself are coded there. */

export const ReadingSiteParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
})

export const ReadingEntryParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
  id: Type.String({ format: 'uuid', description: 'The entry id.' }),
})

const Fields = Type.String({
  maxLength: 500,
  description:
    'The fields to return: a comma list of entry field names and the sets `summary` and `all` (`id` always comes). Without it a list returns the summary (no `body`, `bodyHtml`, `fields` or `seo`) and a single entry every field but the ProseMirror `body`, which only callers holding `site.content.edit.own` or `.any` get by default. Only the columns of the fields asked for are read. Unknown names give 400 COLOPHON_CONTENT_FIELDSET_INVALID.',
})
const Include = Type.String({
  maxLength: 100,
  description:
    'A comma list among `author` (`{ id, name }`), `terms` (grouped by taxonomy key), `parent` (`{ id, type, slug, title }`), `ancestors` (the parent chain, root first: `{ slug, visible, id, type, title }`) and `media` (the media items the entry shows, with URLs for the file and its variants on the site’s host). Unknown or repeated names give 400 COLOPHON_CONTENT_INCLUDE_INVALID. Includes never cost an extra query.',
})

export const ReadEntryQuery = Type.Object(
  { fields: Type.Optional(Fields), include: Type.Optional(Include) },
  { additionalProperties: false },
)
export type ReadEntryInput = Static<typeof ReadEntryQuery>

export const SORTS = [
  '-publishedAt',
  'publishedAt',
  '-createdAt',
  'createdAt',
  '-updatedAt',
  'updatedAt',
  'title',
  '-title',
] as const

export const ListEntriesQuery = Type.Object(
  {
    type: Type.Optional(
      Type.String({ maxLength: 500, description: 'Content type keys, comma separated (any of them).' }),
    ),
    status: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'Statuses, comma separated. Only for callers with `site.content.read.drafts`; others always get `published` only. Default: every status but `trash`.',
      }),
    ),
    term: Type.Optional(
      Type.Array(Type.String({ maxLength: 500 }), {
        maxItems: 10,
        description:
          'Terms as `<taxonomy key>:<slug>` or term ids; repeat the parameter or separate with commas. The entry must carry every one.',
      }),
    ),
    author: Type.Optional(Type.String({ format: 'uuid', description: 'The author’s user id.' })),
    parent: Type.Optional(
      Type.String({ maxLength: 36, description: 'The parent entry id, or `none` for top-level entries.' }),
    ),
    publishedAfter: Type.Optional(
      Type.String({ format: 'date-time', description: 'Published at or after this time (ISO 8601).' }),
    ),
    publishedBefore: Type.Optional(
      Type.String({ format: 'date-time', description: 'Published before this time (ISO 8601).' }),
    ),
    search: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Words in the title (case-insensitive).' }),
    ),
    slug: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Exact slug; with `type`, identifies one entry.',
      }),
    ),
    sort: Type.Optional(
      Type.Union(
        SORTS.map((s) => Type.Literal(s)),
        { default: '-publishedAt', description: '`-` sorts descending. Entries never published sort last.' },
      ),
    ),
    cursor: Type.Optional(
      Type.String({ maxLength: 1000, description: '`nextCursor` of the previous page (same sort).' }),
    ),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        default: 20,
        description: 'Entries per page, at most 100 (above: 400 COLOPHON_CONTENT_LIMIT_TOO_LARGE).',
      }),
    ),
    fields: Type.Optional(Fields),
    include: Type.Optional(Include),
  },
  { additionalProperties: false },
)
export type ListEntriesInput = Static<typeof ListEntriesQuery>

const AuthorIncludeSchema = Type.Object(
  { id: Type.String({ format: 'uuid' }), name: Type.String() },
  { description: 'The author (`include=author`); never their email.' },
)
const TermIncludeSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  slug: Type.String(),
  name: Type.String(),
})
const ParentIncludeSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    type: Type.String({ description: 'The parent’s content type key.' }),
    slug: Type.String(),
    title: Type.String(),
  },
  { description: 'The parent (`include=parent`); null for readers when the parent is not public.' },
)

const NullableText = Type.Unsafe<string | null>({ type: ['string', 'null'] })
const AncestorIncludeSchema = Type.Object(
  {
    slug: Type.String({ description: 'Always given: it is part of the entry’s path.' }),
    visible: Type.Boolean({ description: 'Whether the caller could read this ancestor itself.' }),
    id: NullableText,
    type: NullableText,
    title: NullableText,
  },
  { description: 'An ancestor; `id`, `type` and `title` are null when the caller could not read it.' },
)

const MediaIncludeSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    via: Type.Array(Type.String(), {
      description: 'How the entry shows it: `featured` image, a media `field`, an image in the `body`.',
    }),
    url: Type.String({
      description:
        'The file on the site’s host (an image: its cleaned original). Items no published public entry shows come with a signed link (`?expires=…&signature=…`) that lasts a few minutes: fetch a fresh reply for a new one.',
    }),
    filename: Type.String(),
    mimeType: Type.String(),
    category: Type.String(),
    width: Type.Union([Type.Integer(), Type.Null()]),
    height: Type.Union([Type.Integer(), Type.Null()]),
    alt: Type.String(),
    caption: Type.String(),
    credit: Type.String(),
    decorative: Type.Boolean(),
    placeholder: Type.Union([
      Type.Object({ dominantColor: Type.String(), thumbhash: Type.String() }),
      Type.Null(),
    ]),
    variants: Type.Array(
      Type.Object({
        url: Type.String(),
        width: Type.Integer(),
        height: Type.Integer(),
        format: Type.String(),
        crop: Type.String({ description: '`none` or `square` (around the focal point).' }),
      }),
    ),
  },
  { description: 'A media item the entry shows (`include=media`).' },
)

const partial = Type.Partial(EntryViewSchema)

/** An entry as the reading API returns it: every field optional (sparse fieldsets), `id` always there. */
export const ReadingEntrySchema = Type.Object({
  ...partial.properties,
  id: EntryViewSchema.properties.id,
  author: Type.Optional(Type.Union([AuthorIncludeSchema, Type.Null()])),
  terms: Type.Optional(
    Type.Record(Type.String(), Type.Array(TermIncludeSchema), {
      description: 'Assigned terms grouped by taxonomy key (`include=terms`).',
    }),
  ),
  parent: Type.Optional(Type.Union([ParentIncludeSchema, Type.Null()])),
  ancestors: Type.Optional(
    Type.Array(AncestorIncludeSchema, { description: 'The parent chain, root first (`include=ancestors`).' }),
  ),
  media: Type.Optional(
    Type.Array(MediaIncludeSchema, { description: 'The media items the entry shows (`include=media`).' }),
  ),
})

export const ReadingPageSchema = Type.Object({
  items: Type.Array(ReadingEntrySchema),
  nextCursor: Type.Union([Type.String(), Type.Null()], {
    description: 'Pass as `cursor` for the next page; null on the last page.',
  }),
})
