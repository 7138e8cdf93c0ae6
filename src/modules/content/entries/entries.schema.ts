import Type, { type Static } from 'typebox'
import { EntrySeoSchema, VisibilitySchema } from './entries.view.ts'

export const TITLE_MAX_LENGTH = 500
export const EXCERPT_MAX_LENGTH = 5000

const Uuid = (description: string) => Type.String({ format: 'uuid', description })
const NullableUuid = (description: string) =>
  Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description })

/** The editable content of an entry, shared by create, update and autosave bodies. */
const contentProperties = {
  title: Type.String({ maxLength: TITLE_MAX_LENGTH, description: 'Plain text; never rendered as HTML.' }),
  slug: Type.String({
    minLength: 1,
    maxLength: 200,
    description:
      'Normalised (lower-case ASCII words joined by `-`); when another entry of the type holds it, `-2`, `-3`… is appended. Defaults to the title on create.',
  }),
  excerpt: Type.String({ maxLength: EXCERPT_MAX_LENGTH, description: 'Plain-text summary.' }),
  body: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], {
    description:
      'Rich text as ProseMirror/Tiptap JSON (`{ "type": "doc", "content": [...] }`), or null. Rendered to sanitised HTML on the server; unknown node or mark types and unsafe URLs are refused.',
  }),
  fields: Type.Record(Type.String(), Type.Unknown(), {
    description:
      'Custom field values by key, validated against the content type; on update, merged over the stored values.',
  }),
  parentId: NullableUuid(
    'The parent entry (hierarchical types only): same type and site, never a descendant.',
  ),
  featuredMediaId: NullableUuid(
    'A media item of the same site (its featured image); another site’s or an unknown id is refused with a field error.',
  ),
  seo: EntrySeoSchema,
  visibility: VisibilitySchema,
}

const passwordProperty = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'Required with visibility `password`; stored hashed and never returned.',
})
const authorProperty = Uuid('The author (default: the caller). Another member needs `site.content.edit.any`.')

/** The content every write may carry, each optional (a save changes only what it names). */
const optionalContent = {
  slug: Type.Optional(contentProperties.slug),
  excerpt: Type.Optional(contentProperties.excerpt),
  body: Type.Optional(contentProperties.body),
  fields: Type.Optional(contentProperties.fields),
  parentId: Type.Optional(contentProperties.parentId),
  featuredMediaId: Type.Optional(contentProperties.featuredMediaId),
  seo: Type.Optional(contentProperties.seo),
  visibility: Type.Optional(contentProperties.visibility),
}
/** Author and password are not content: they change through a save (never an autosave). */
const optionalAccount = {
  password: Type.Optional(passwordProperty),
  authorId: Type.Optional(authorProperty),
}

export const CreateEntryBody = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 64, description: 'The content type key, e.g. `post`.' }),
    title: contentProperties.title,
    ...optionalContent,
    ...optionalAccount,
  },
  { additionalProperties: false },
)
export type CreateEntryInput = Static<typeof CreateEntryBody>

export const UpdateEntryBody = Type.Object(
  { title: Type.Optional(contentProperties.title), ...optionalContent, ...optionalAccount },
  { additionalProperties: false },
)
export type UpdateEntryInput = Static<typeof UpdateEntryBody>

export const AutosaveBody = Type.Object(
  { title: Type.Optional(contentProperties.title), ...optionalContent },
  { additionalProperties: false },
)
export type AutosaveInput = Static<typeof AutosaveBody>

export const SiteParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
})

export const EntryParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
  id: Type.String({ format: 'uuid', description: 'The entry id.' }),
})
