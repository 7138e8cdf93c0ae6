import Type, { type Static } from 'typebox'
import { pageQuery } from '../../../platform/http/index.ts'
import { LinkedEntrySchema } from './relations.schema.ts'

export const MAX_SERIES_ENTRIES = 500

const Timestamp = Type.String({ format: 'date-time' })
const Name = Type.String({ minLength: 1, maxLength: 200, description: 'The series name shown to readers.' })
const Slug = Type.String({
  minLength: 1,
  maxLength: 200,
  description:
    'URL name, unique on the site; normalised like entry slugs (lower-case ASCII words joined by `-`). Defaults to the name, normalised.',
})
const Description = Type.String({ maxLength: 5000 })

export const SeriesView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  entryCount: Type.Integer({ description: 'Entries in the series the caller may see.' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})

export const SeriesDetailView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  entryCount: Type.Integer({ description: 'Entries in the series the caller may see.' }),
  entries: Type.Array(LinkedEntrySchema, {
    description: 'The entries in series order; readers see only published public ones.',
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})

export const SeriesPage = Type.Object({
  items: Type.Array(SeriesView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const CreateSeriesBody = Type.Object(
  { name: Name, slug: Type.Optional(Slug), description: Type.Optional(Description) },
  { additionalProperties: false },
)
export type CreateSeriesInput = Static<typeof CreateSeriesBody>

export const UpdateSeriesBody = Type.Object(
  { name: Type.Optional(Name), slug: Type.Optional(Slug), description: Type.Optional(Description) },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateSeriesInput = Static<typeof UpdateSeriesBody>

export const PutSeriesEntriesBody = Type.Object(
  {
    entryIds: Type.Array(Type.String({ format: 'uuid' }), {
      maxItems: MAX_SERIES_ENTRIES,
      description: `The entries of the series in order (at most ${MAX_SERIES_ENTRIES}, each once, of this site).`,
    }),
  },
  { additionalProperties: false },
)
export type PutSeriesEntriesInput = Static<typeof PutSeriesEntriesBody>

export const ListSeriesQuery = Type.Object(
  {
    ...pageQuery(),
  },
  { additionalProperties: false },
)
export type ListSeriesInput = Static<typeof ListSeriesQuery>

export const SeriesParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
  id: Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'The series id (or, for reading, its slug).',
  }),
})

export const SeriesIdParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
  id: Type.String({ format: 'uuid', description: 'The series id.' }),
})
