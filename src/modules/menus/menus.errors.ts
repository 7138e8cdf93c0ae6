import { defineError } from '../../platform/errors/index.ts'

/** Errors of the menus module. Item errors carry `details.item`, the path of the bad item (`items[0].children[2]`). */
export const MenusErrors = {
  notFound: defineError('COLOPHON_MENUS_NOT_FOUND', 404, 'No such menu on this site.'),
  locationUnknown: defineError(
    'COLOPHON_MENUS_LOCATION_UNKNOWN',
    400,
    'The site’s theme declares no menu location with this key (see GET /menu-locations).',
  ),
  locationTaken: defineError(
    'COLOPHON_MENUS_LOCATION_TAKEN',
    409,
    'Another menu of this site is already shown at this location (details.menuId): clear it there first.',
  ),
  itemInvalid: defineError(
    'COLOPHON_MENUS_ITEM_INVALID',
    400,
    'A menu item must give exactly the target field of its kind: entryId, termId, type or url.',
  ),
  targetInvalid: defineError(
    'COLOPHON_MENUS_ITEM_TARGET_INVALID',
    400,
    'A menu item points at no entry, term or listable type of this site (see details.reason).',
  ),
  urlInvalid: defineError(
    'COLOPHON_MENUS_ITEM_URL_INVALID',
    400,
    'A custom link must be an http, https, mailto or tel URL, or a path on this site starting with /.',
  ),
  labelInvalid: defineError(
    'COLOPHON_MENUS_ITEM_LABEL_INVALID',
    400,
    'A menu item label must have 1 to 100 characters, and a custom link needs one.',
  ),
  tooDeep: defineError(
    'COLOPHON_MENUS_TOO_DEEP',
    400,
    'Menus nest at most 3 levels: an item of the third level cannot have children.',
  ),
  tooManyItems: defineError(
    'COLOPHON_MENUS_TOO_MANY_ITEMS',
    400,
    'A menu holds at most 200 items, counting every level.',
  ),
}
