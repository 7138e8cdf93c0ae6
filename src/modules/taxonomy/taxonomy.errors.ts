import { defineError } from '../../platform/errors/index.ts'

/** Errors of taxonomies, their terms and the terms of entries. "No such entry" is `ContentErrors.entryNotFound`. */
export const TaxonomyErrors = {
  notFound: defineError('COLOPHON_TAXONOMY_NOT_FOUND', 404, 'No such taxonomy on this site.'),
  keyTaken: defineError(
    'COLOPHON_TAXONOMY_KEY_TAKEN',
    409,
    'This site already has a taxonomy with this key.',
  ),
  builtin: defineError(
    'COLOPHON_TAXONOMY_BUILTIN',
    409,
    'Built-in taxonomies (category, tag) cannot be deleted; detach them from every type instead.',
  ),
  unknownType: defineError(
    'COLOPHON_TAXONOMY_UNKNOWN_TYPE',
    400,
    'typeKeys names a content type this site does not have.',
  ),
  hierarchyInUse: defineError(
    'COLOPHON_TAXONOMY_HIERARCHY_IN_USE',
    409,
    'This taxonomy cannot become flat while some of its terms have a parent: move them to the top level first.',
  ),
  termNotFound: defineError('COLOPHON_TAXONOMY_TERM_NOT_FOUND', 404, 'No such term on this site.'),
  notHierarchical: defineError(
    'COLOPHON_TAXONOMY_NOT_HIERARCHICAL',
    400,
    'Terms of a flat taxonomy cannot have a parent.',
  ),
  parentInvalid: defineError(
    'COLOPHON_TAXONOMY_TERM_PARENT_INVALID',
    400,
    'The parent must be another term of the same taxonomy.',
  ),
  cycle: defineError(
    'COLOPHON_TAXONOMY_TERM_CYCLE',
    409,
    'A term cannot be moved under itself or under one of its descendants.',
  ),
  metaInvalid: defineError(
    'COLOPHON_TAXONOMY_TERM_META_INVALID',
    400,
    'Term meta is a flat JSON object of at most 50 keys (strings, numbers, booleans or null), 8 KB in all.',
  ),
  notForType: defineError(
    'COLOPHON_TAXONOMY_NOT_FOR_TYPE',
    400,
    "This taxonomy does not apply to the entry's content type.",
  ),
  wrongTaxonomy: defineError(
    'COLOPHON_TAXONOMY_TERM_WRONG_TAXONOMY',
    400,
    'This term belongs to another taxonomy than the one it is listed under.',
  ),
}
