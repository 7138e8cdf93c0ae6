import Type, { type Static } from 'typebox'
import { pageQuery } from '../../platform/http/index.ts'
import { TAXONOMY_KEY_PATTERN } from './taxonomy.schema.ts'

const Timestamp = Type.String({ format: 'date-time' })
const Uuid = Type.String({ format: 'uuid' })

const MetaValue = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])

export const TermView = Type.Object({
  id: Uuid,
  taxonomy: Type.String({ description: 'The key of the taxonomy the term belongs to.' }),
  slug: Type.String({ description: 'Unique within the taxonomy; used in archive URLs and assignments.' }),
  name: Type.String(),
  description: Type.String(),
  parentId: Type.Union([Uuid, Type.Null()], {
    description: 'The parent term (hierarchical taxonomies only).',
  }),
  meta: Type.Record(Type.String(), MetaValue, { description: 'Free term meta: a flat object.' }),
  count: Type.Integer({
    description: 'How many published, public entries carry the term (what its archive lists).',
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})

export const TermPage = Type.Object({
  items: Type.Array(TermView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

const Name = Type.String({ minLength: 1, maxLength: 200, description: 'The name readers see.' })
const Slug = Type.String({
  minLength: 1,
  maxLength: 200,
  description:
    'Normalised (lower-case ASCII words joined by `-`); when another term of the taxonomy holds it, `-2`, `-3`… is appended. Derived from the name when absent.',
})
const Description = Type.String({ maxLength: 5000 })
const ParentId = Type.Union([Uuid, Type.Null()], {
  description: 'Another term of the same hierarchical taxonomy, or null for the top level.',
})
// Loose on purpose: the service checks flatness and size and lists each bad key.
const Meta = Type.Object(
  {},
  {
    additionalProperties: true,
    description:
      'A flat JSON object: at most 50 keys of up to 100 characters, values strings, numbers, booleans or null, 8 KB in all. Replaces the stored meta.',
  },
)

export const CreateTermBody = Type.Object(
  {
    name: Name,
    slug: Type.Optional(Slug),
    description: Type.Optional(Description),
    parentId: Type.Optional(ParentId),
    meta: Type.Optional(Meta),
  },
  { additionalProperties: false },
)
export type CreateTermBody = Static<typeof CreateTermBody>

export const UpdateTermBody = Type.Object(
  {
    name: Type.Optional(Name),
    slug: Type.Optional(Slug),
    description: Type.Optional(Description),
    parentId: Type.Optional(ParentId),
    meta: Type.Optional(Meta),
  },
  { additionalProperties: false },
)
export type UpdateTermBody = Static<typeof UpdateTermBody>

export const ListTermsQuery = Type.Object(
  {
    ...pageQuery({ cursorMaxLength: 200 }),
    parent: Type.Optional(
      Type.Union([Uuid, Type.Literal('none')], {
        description: 'Only the children of this term, or `none` for top-level terms.',
      }),
    ),
    search: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'Part of the name or slug, any case.' }),
    ),
  },
  { additionalProperties: false },
)
export type ListTermsQuery = Static<typeof ListTermsQuery>

export const TaxonomyTermsParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
  key: Type.String({ minLength: 1, maxLength: 40, description: 'The taxonomy key.' }),
})

export const TermParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
  id: Type.String({ format: 'uuid', description: 'The term id.' }),
})

export const EntryParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
  id: Type.String({ format: 'uuid', description: 'The entry id.' }),
})

export const AssignedTerm = Type.Object({
  id: Uuid,
  slug: Type.String(),
  name: Type.String(),
  parentId: Type.Union([Uuid, Type.Null()]),
})

export const EntryTermsView = Type.Record(Type.String(), Type.Array(AssignedTerm), {
  description:
    'The entry’s terms by taxonomy key, in assignment order; every taxonomy that applies to its type is present (empty when none).',
})

export const EntryTermsBody = Type.Record(
  Type.String({ pattern: TAXONOMY_KEY_PATTERN }),
  Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
    maxItems: 100,
    description: 'Term ids or slugs of that taxonomy.',
  }),
  {
    additionalProperties: false,
    maxProperties: 20,
    description:
      'Taxonomy key → the complete list of its terms for the entry (ids or slugs). Taxonomies not named keep their terms; an empty list clears one.',
  },
)
export type EntryTermsBody = Static<typeof EntryTermsBody>
