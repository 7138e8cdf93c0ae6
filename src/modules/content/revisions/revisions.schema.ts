import Type, { type Static } from 'typebox'
import { pageQuery } from '../../../platform/http/index.ts'
import { EntrySeoSchema, VisibilitySchema } from '../entries/index.ts'

const Timestamp = Type.String({ format: 'date-time' })
const NullableUuid = Type.Union([Type.String({ format: 'uuid' }), Type.Null()])

export const RevisionKindSchema = Type.Union(
  [Type.Literal('save'), Type.Literal('restore'), Type.Literal('autosave')],
  {
    description:
      '`save`: a save (or the creation); `restore`: a copy of an older revision; `autosave`: the one working copy each user keeps per entry.',
  },
)

export const SnapshotSchema = Type.Object(
  {
    title: Type.String(),
    slug: Type.String(),
    excerpt: Type.String(),
    body: Type.Unknown({ description: 'Rich text as ProseMirror/Tiptap JSON, or null.' }),
    bodyHtml: Type.String({ description: 'The sanitised HTML rendered when the revision was saved.' }),
    fields: Type.Record(Type.String(), Type.Unknown()),
    parentId: NullableUuid,
    featuredMediaId: NullableUuid,
    seo: EntrySeoSchema,
    visibility: VisibilitySchema,
  },
  { description: 'The full editable content of the entry as saved.' },
)

const summaryProperties = {
  id: Type.String({ format: 'uuid' }),
  entryId: Type.String({ format: 'uuid' }),
  kind: RevisionKindSchema,
  authorId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
    description: 'Who saved it (null for system work or a deleted user).',
  }),
  restoredFrom: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
    description: 'For `restore`: the revision copied.',
  }),
  isHead: Type.Boolean({ description: 'The latest saved revision of the entry.' }),
  isPublished: Type.Boolean({ description: 'The revision readers see.' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}

export const RevisionSummarySchema = Type.Object(summaryProperties)
export const RevisionSchema = Type.Object({ ...summaryProperties, snapshot: SnapshotSchema })

export const RevisionPage = Type.Object({
  items: Type.Array(RevisionSummarySchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const FieldChangeSchema = Type.Object({
  field: Type.String({ description: '`title`, `body`, `seo.metaTitle`, `fields.<key>`…' }),
  before: Type.Unknown(),
  after: Type.Unknown(),
  text: Type.Optional(
    Type.Array(
      Type.Object({
        op: Type.Union([Type.Literal('equal'), Type.Literal('insert'), Type.Literal('delete')]),
        text: Type.String(),
      }),
      { description: 'For `body`: a line diff of its plain text (left out for very long texts).' },
    ),
  ),
})

export const RevisionDiffSchema = Type.Object({
  from: Type.String({ format: 'uuid' }),
  to: Type.String({ format: 'uuid' }),
  changes: Type.Array(FieldChangeSchema, { description: 'Only the fields that differ.' }),
})

export const ListRevisionsQuery = Type.Object(
  {
    ...pageQuery(),
  },
  { additionalProperties: false },
)
export type ListRevisionsInput = Static<typeof ListRevisionsQuery>

export const DiffQuery = Type.Object(
  {
    from: Type.String({ format: 'uuid', description: 'The older revision (shown as `before`).' }),
    to: Type.String({ format: 'uuid', description: 'The newer revision (shown as `after`).' }),
  },
  { additionalProperties: false },
)

const site = Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' })
const entry = Type.String({ format: 'uuid', description: 'The entry id.' })

export const RevisionParams = Type.Object({
  site,
  id: entry,
  revisionId: Type.String({ format: 'uuid', description: 'The revision id.' }),
})

export const DiffParams = Type.Object({
  site,
  id: entry,
  a: Type.String({ format: 'uuid', description: 'The older revision (shown as `before`).' }),
  b: Type.String({ format: 'uuid', description: 'The newer revision (shown as `after`).' }),
})
