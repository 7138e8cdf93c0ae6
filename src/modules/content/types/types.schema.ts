import Type, { type Static } from 'typebox'
import { MAX_PAGE_LIMIT, pageQuery } from '../../../platform/http/index.ts'
import { FIELD_TYPES, MAX_FIELDS } from './fields.ts'

const Timestamp = Type.String({ format: 'date-time' })
export const TYPE_KEY_PATTERN = '^[a-z][a-z0-9-]{0,39}$'

/** A field definition as the API shows it (stored definitions were checked when saved). */
export const FieldDefView = Type.Object(
  {
    key: Type.String({ description: 'Where the value lives in `entry.fields`: `^[a-z][a-z0-9_]{0,62}$`.' }),
    label: Type.String(),
    type: Type.Union(
      FIELD_TYPES.map((t) => Type.Literal(t)),
      { description: 'The value type.' },
    ),
    required: Type.Optional(Type.Boolean()),
    unique: Type.Optional(
      Type.Boolean({
        description: 'No other entry of the type (outside the trash) may hold the same value.',
      }),
    ),
    default: Type.Optional(
      Type.Unknown({ description: 'Filled in when an entry is created without a value.' }),
    ),
    min: Type.Optional(
      Type.Union([Type.Number(), Type.String()], {
        description:
          'Smallest number, shortest text (characters), fewest choices of a multiSelect, or earliest ISO date of a date/datetime.',
      }),
    ),
    max: Type.Optional(
      Type.Union([Type.Number(), Type.String()], { description: 'The upper bound, read like `min`.' }),
    ),
    pattern: Type.Optional(
      Type.String({
        description:
          'A regular expression (JavaScript syntax, Unicode mode, ≤ 200 characters) text, email and url values must match. It runs on a linear-time engine (RE2): backreferences and lookaround are refused (400 COLOPHON_CONTENT_FIELD_PATTERN_UNSUPPORTED).',
      }),
    ),
    options: Type.Optional(
      Type.Array(Type.String(), { description: 'The choices of a select or multiSelect.' }),
    ),
    targetTypes: Type.Optional(
      Type.Array(Type.String(), {
        description: 'Type keys an entry reference may point to (any when absent).',
      }),
    ),
    help: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
)

/**
 * Incoming definitions are loose objects on purpose: the service checks each one and lists every problem
 * per field (COLOPHON_CONTENT_TYPE_SCHEMA_INVALID), which a schema validator stopping at the first error
 * cannot do. The documented shape is `FieldDefView`.
 */
export const FieldDefsInput = Type.Array(
  Type.Object(
    {},
    { additionalProperties: true, description: 'A field definition: see the FieldDef properties.' },
  ),
  {
    maxItems: MAX_FIELDS,
    description:
      'The type’s own fields: `{ key, label, type, required?, unique?, default?, min?, max?, pattern?, options?, targetTypes?, help? }`. Types: text, richText, number, boolean, date, datetime, select, multiSelect, email, url, media, entry, json.',
  },
)

export const TypeView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  key: Type.String({ description: 'Stable key, unique on the site; entries name their type by it.' }),
  name: Type.String(),
  pluralName: Type.String(),
  description: Type.String(),
  builtin: Type.Boolean({ description: '`post` and `page`: every site has them; they cannot be deleted.' }),
  hierarchical: Type.Boolean({ description: 'Entries may have a parent of the same type.' }),
  permalink: Type.String({ description: 'Public path template, e.g. `/{year}/{month}/{slug}`.' }),
  fields: Type.Array(FieldDefView, { description: 'The type’s own fields.' }),
  fieldGroups: Type.Array(Type.String(), {
    description: 'Keys of the field groups the type includes, in order.',
  }),
  allFields: Type.Array(FieldDefView, {
    description: 'Every field an entry of the type has: own, then each group’s.',
  }),
  retiredFields: Type.Array(Type.String(), {
    description:
      'Keys removed from the schema whose stored values are kept until purged (read-only on entries).',
  }),
  approvalsRequired: Type.Integer({ description: 'Approvals by others a publish needs (0: none).' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})

export const TypePage = Type.Object({
  items: Type.Array(TypeView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

const typeProps = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  pluralName: Type.String({ minLength: 1, maxLength: 100, description: 'Defaults to the name.' }),
  description: Type.String({ maxLength: 1000 }),
  hierarchical: Type.Boolean({
    description: 'Entries may nest under a parent of the same type (default false).',
  }),
  permalink: Type.String({
    minLength: 1,
    maxLength: 200,
    description:
      'Starts with `/`; tokens {slug} {path} {year} {month} {day} {id} {type}; must contain {slug}, {path} or {id}. Default `/{type}/{slug}` (`/{type}/{path}` when hierarchical).',
  }),
  fields: FieldDefsInput,
  fieldGroups: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), {
    maxItems: 20,
    uniqueItems: true,
    description: 'Keys of field groups to include. No field key may come from two places.',
  }),
  approvalsRequired: Type.Integer({
    minimum: 0,
    maximum: 10,
    description: 'Approvals by others a publish needs.',
  }),
}

export const CreateTypeBody = Type.Object(
  {
    key: Type.String({
      pattern: TYPE_KEY_PATTERN,
      description: 'Lower case, digits and `-`, at most 40 characters.',
    }),
    name: typeProps.name,
    pluralName: Type.Optional(typeProps.pluralName),
    description: Type.Optional(typeProps.description),
    hierarchical: Type.Optional(typeProps.hierarchical),
    permalink: Type.Optional(typeProps.permalink),
    fields: Type.Optional(typeProps.fields),
    fieldGroups: Type.Optional(typeProps.fieldGroups),
    approvalsRequired: Type.Optional(typeProps.approvalsRequired),
  },
  { additionalProperties: false },
)
export type CreateTypeBody = Static<typeof CreateTypeBody>

export const UpdateTypeBody = Type.Object(
  {
    name: Type.Optional(typeProps.name),
    pluralName: Type.Optional(typeProps.pluralName),
    description: Type.Optional(typeProps.description),
    hierarchical: Type.Optional(typeProps.hierarchical),
    permalink: Type.Optional(typeProps.permalink),
    fields: Type.Optional(typeProps.fields),
    fieldGroups: Type.Optional(typeProps.fieldGroups),
    approvalsRequired: Type.Optional(typeProps.approvalsRequired),
  },
  { additionalProperties: false },
)
export type UpdateTypeBody = Static<typeof UpdateTypeBody>

export const PurgeFieldsBody = Type.Object(
  {
    fields: Type.Array(Type.String({ minLength: 1, maxLength: 63 }), {
      minItems: 1,
      maxItems: MAX_FIELDS,
      description: 'Retired field keys whose stored values to delete from every entry of the type.',
    }),
  },
  { additionalProperties: false },
)
export type PurgeFieldsBody = Static<typeof PurgeFieldsBody>

export const PurgeFieldsResult = Type.Object({
  entriesChanged: Type.Integer({ description: 'Entries that held a value of one of the fields.' }),
  retiredFields: Type.Array(Type.String(), { description: 'The type’s retired keys after the purge.' }),
})

export const ListQuery = Type.Object(
  {
    ...pageQuery({ defaultLimit: MAX_PAGE_LIMIT, cursorMaxLength: 100 }),
  },
  { additionalProperties: false },
)
export type ListQuery = Static<typeof ListQuery>

export const SiteParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
})

export const TypeParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
  key: Type.String({ minLength: 1, maxLength: 40, description: 'The content type key.' }),
})
