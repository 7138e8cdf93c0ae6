import { defineError } from '../../../platform/errors/index.ts'
import { ContentErrors } from '../content.errors.ts'

/** Shared by types and field groups: both save field definitions. */
const patternUnsupported = defineError(
  'COLOPHON_CONTENT_FIELD_PATTERN_UNSUPPORTED',
  400,
  'A field pattern uses what the linear-time pattern engine cannot run (backreferences, lookaround) or is too complex: see details.fields.',
)

/**
 * Errors of content types and field groups. "No such type" and "bad entry field values" are shared with
 * the rest of the module: `ContentErrors.typeNotFound` and `ContentErrors.fieldsInvalid`.
 */
export const TypesErrors = {
  typeNotFound: ContentErrors.typeNotFound,
  fieldsInvalid: ContentErrors.fieldsInvalid,
  keyTaken: defineError(
    'COLOPHON_CONTENT_TYPE_KEY_TAKEN',
    409,
    'This site already has a content type with this key.',
  ),
  schemaInvalid: defineError(
    'COLOPHON_CONTENT_TYPE_SCHEMA_INVALID',
    400,
    'Some field definitions are invalid: see details.fields for each field.',
  ),
  patternUnsupported,
  permalinkInvalid: defineError(
    'COLOPHON_CONTENT_TYPE_PERMALINK_INVALID',
    400,
    'A permalink template starts with / and uses only {slug} {path} {year} {month} {day} {id} {type}, with at least one of {slug}, {path} or {id}.',
  ),
  unknownFieldGroup: defineError(
    'COLOPHON_CONTENT_TYPE_UNKNOWN_FIELD_GROUP',
    400,
    'The type includes a field group this site does not have.',
  ),
  builtin: defineError('COLOPHON_CONTENT_TYPE_BUILTIN', 409, 'Built-in content types cannot be deleted.'),
  inUse: defineError(
    'COLOPHON_CONTENT_TYPE_IN_USE',
    409,
    'This content type still has entries: delete or move them first (trashed entries count).',
  ),
  fieldNotRetired: defineError(
    'COLOPHON_CONTENT_TYPE_FIELD_NOT_RETIRED',
    409,
    'Only retired fields (removed from the type) can be purged: remove the field from the type first.',
  ),
}

export const FieldGroupsErrors = {
  notFound: defineError('COLOPHON_CONTENT_FIELD_GROUP_NOT_FOUND', 404, 'No such field group on this site.'),
  keyTaken: defineError(
    'COLOPHON_CONTENT_FIELD_GROUP_KEY_TAKEN',
    409,
    'This site already has a field group with this key.',
  ),
  schemaInvalid: defineError(
    'COLOPHON_CONTENT_FIELD_GROUP_SCHEMA_INVALID',
    400,
    'Some field definitions of the group are invalid: see details.fields for each field.',
  ),
  patternUnsupported,
  inUse: defineError(
    'COLOPHON_CONTENT_FIELD_GROUP_IN_USE',
    409,
    'Content types include this field group: remove it from them first.',
  ),
}
