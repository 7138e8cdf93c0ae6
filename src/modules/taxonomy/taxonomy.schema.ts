import Type, { type Static } from 'typebox'
import { MAX_PAGE_LIMIT, pageQuery } from '../../platform/http/index.ts'

const Timestamp = Type.String({ format: 'date-time' })
export const TAXONOMY_KEY_PATTERN = '^[a-z][a-z0-9-]{0,39}$'

const Name = Type.String({ minLength: 1, maxLength: 100, description: 'Singular name, e.g. `Genre`.' })
const PluralName = Type.String({ minLength: 1, maxLength: 100, description: 'Plural name, e.g. `Genres`.' })
const Description = Type.String({ maxLength: 2000, description: 'What the taxonomy is for.' })
const TypeKeys = Type.Array(Type.String({ minLength: 1, maxLength: 40 }), {
  maxItems: 50,
  uniqueItems: true,
  description: 'Keys of the content types whose entries take its terms (existing types of the site).',
})

export const TaxonomyView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  key: Type.String({ description: 'Stable identifier used in URLs and assignments.' }),
  name: Type.String(),
  pluralName: Type.String(),
  description: Type.String(),
  hierarchical: Type.Boolean({ description: 'Whether terms may have a parent (categories) or not (tags).' }),
  builtin: Type.Boolean({ description: 'Seeded for every site (`category`, `tag`); cannot be deleted.' }),
  typeKeys: Type.Array(Type.String(), { description: 'Content types whose entries take its terms.' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})

export const TaxonomyPage = Type.Object({
  items: Type.Array(TaxonomyView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const CreateTaxonomyBody = Type.Object(
  {
    key: Type.String({
      pattern: TAXONOMY_KEY_PATTERN,
      description: '`^[a-z][a-z0-9-]{0,39}$`, unique per site.',
    }),
    name: Name,
    pluralName: PluralName,
    description: Type.Optional(Description),
    hierarchical: Type.Boolean({ description: 'Whether terms may nest under a parent.' }),
    typeKeys: TypeKeys,
  },
  { additionalProperties: false },
)
export type CreateTaxonomyBody = Static<typeof CreateTaxonomyBody>

export const UpdateTaxonomyBody = Type.Object(
  {
    name: Type.Optional(Name),
    pluralName: Type.Optional(PluralName),
    description: Type.Optional(Description),
    hierarchical: Type.Optional(
      Type.Boolean({
        description:
          'May become `false` only while no term has a parent (409 COLOPHON_TAXONOMY_HIERARCHY_IN_USE).',
      }),
    ),
    typeKeys: Type.Optional(TypeKeys),
  },
  { additionalProperties: false },
)
export type UpdateTaxonomyBody = Static<typeof UpdateTaxonomyBody>

export const ListTaxonomiesQuery = Type.Object(
  {
    ...pageQuery({ defaultLimit: MAX_PAGE_LIMIT, cursorMaxLength: 40 }),
  },
  { additionalProperties: false },
)
export type ListTaxonomiesQuery = Static<typeof ListTaxonomiesQuery>

export const SiteParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
})

export const TaxonomyParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
  key: Type.String({ minLength: 1, maxLength: 40, description: 'The taxonomy key.' }),
})
