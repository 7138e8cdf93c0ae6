import Type, { type Static, type TSchema } from 'typebox'
import { pageQuery } from '../../platform/http/index.ts'
import { ITEM_KINDS, MAX_DEPTH, MAX_ITEMS, MAX_LABEL_LENGTH, MAX_URL_LENGTH } from './menus.model.ts'

const Uuid = (description: string) => Type.String({ format: 'uuid', description })
const Timestamp = Type.String({ format: 'date-time' })
const Nullable = <T extends TSchema>(schema: T, description: string) =>
  Type.Union([schema, Type.Null()], { description })

const Kind = Type.Union(
  ITEM_KINDS.map((kind) => Type.Literal(kind)),
  {
    description:
      'What the item links to: `entry` (an entry, by id; its link follows the entry when its slug or parent changes), `term` (a term’s archive, by id), `archive` (the archive of a content type, by key) or `custom` (a URL).',
  },
)
const Name = Type.String({ minLength: 1, maxLength: 100, description: 'The menu’s name, for editors.' })
const LOCATION_RULES =
  'One of `GET /menu-locations` (400 COLOPHON_MENUS_LOCATION_UNKNOWN otherwise); one menu per location (409 COLOPHON_MENUS_LOCATION_TAKEN when another menu has it).'
const Location = Type.String({ minLength: 1, maxLength: 64, description: 'A theme location key.' })

/**
 * One level of the nested item input. The schema spells out `MAX_DEPTH` levels; the deepest one accepts
 * any `children` so that a tree one level too deep gets its own code (COLOPHON_MENUS_TOO_DEEP) rather
 * than a generic validation error.
 */
function itemInput(depth: number): TSchema {
  const children =
    depth < MAX_DEPTH
      ? Type.Array(itemInput(depth + 1), { description: 'Sub-items, in order.' })
      : Type.Array(Type.Unknown(), {
          description: `Must be empty: menus nest at most ${MAX_DEPTH} levels (400 COLOPHON_MENUS_TOO_DEEP).`,
        })
  return Type.Object(
    {
      kind: Kind,
      entryId: Type.Optional(Uuid('The entry of an `entry` item: an entry of this site, not in the trash.')),
      termId: Type.Optional(Uuid('The term of a `term` item: a term of this site.')),
      type: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 64,
          description:
            'The content type key of an `archive` item: a type of this site whose entries are not arranged in a tree (hierarchical types have no archive).',
        }),
      ),
      url: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: MAX_URL_LENGTH * 2,
          description: `The link of a \`custom\` item: an \`http:\`, \`https:\`, \`mailto:\` or \`tel:\` URL, or a path on this site starting with \`/\`, at most ${MAX_URL_LENGTH} characters. Other schemes (\`javascript:\`, \`data:\` …), protocol-relative \`//host\` links, credentials, whitespace and backslashes are refused (400 COLOPHON_MENUS_ITEM_URL_INVALID).`,
        }),
      ),
      label: Type.Optional(
        Type.String({
          maxLength: MAX_LABEL_LENGTH * 10,
          description: `The text shown, 1 to ${MAX_LABEL_LENGTH} characters once trimmed (400 COLOPHON_MENUS_ITEM_LABEL_INVALID). Optional except for \`custom\` items: without it the entry’s title, the term’s name or the type’s plural name is shown.`,
        }),
      ),
      children: Type.Optional(children),
    },
    {
      additionalProperties: false,
      description:
        'A menu item: its `kind` and exactly the target field of that kind (400 COLOPHON_MENUS_ITEM_INVALID otherwise).',
    },
  )
}

export const ReplaceItemsBody = Type.Object(
  {
    items: Type.Array(itemInput(1), {
      description: `The whole new tree, top-level items in order. At most ${MAX_ITEMS} items in all (400 COLOPHON_MENUS_TOO_MANY_ITEMS).`,
    }),
  },
  { additionalProperties: false },
)
export type ReplaceItemsBody = Static<typeof ReplaceItemsBody>

function itemView(depth: number): TSchema {
  return Type.Object({
    id: Uuid('The item id (new ids every time the tree is replaced).'),
    kind: Kind,
    label: Nullable(
      Type.String(),
      'The label set on the item, or null when the target’s own title is shown.',
    ),
    title: Type.String({
      description:
        'What readers see: the label, else the entry’s title, the term’s name or the type’s plural name.',
    }),
    entryId: Nullable(Type.String({ format: 'uuid' }), 'The entry of an `entry` item.'),
    termId: Nullable(Type.String({ format: 'uuid' }), 'The term of a `term` item.'),
    taxonomy: Nullable(Type.String(), 'The taxonomy key of a `term` item.'),
    type: Nullable(Type.String(), 'The content type key of an `entry` or `archive` item.'),
    url: Nullable(Type.String(), 'The link of a `custom` item.'),
    children: Type.Array(depth < MAX_DEPTH ? itemView(depth + 1) : Type.Object({}), {
      description: 'Sub-items, in order.',
    }),
  })
}

const menuFields = {
  id: Uuid('The menu id.'),
  name: Type.String({ description: 'The menu’s name, for editors.' }),
  location: Nullable(Type.String(), 'The theme location the menu is shown at, or null (not shown).'),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}

export const MenuSummary = Type.Object(menuFields)
export const MenuView = Type.Object({
  ...menuFields,
  items: Type.Array(itemView(1), { description: 'The item tree, top-level items in order.' }),
})

export const MenuPage = Type.Object({
  items: Type.Array(MenuSummary),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const MenuLocationList = Type.Object({
  items: Type.Array(
    Type.Object({
      key: Type.String({ description: 'The location key the theme declares.' }),
      label: Type.String({ description: 'Its name in the theme.' }),
      menu: Type.Union(
        [Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() }), Type.Null()],
        {
          description: 'The menu shown there, or null.',
        },
      ),
    }),
  ),
})

export const CreateMenuBody = Type.Object(
  {
    name: Name,
    location: Type.Optional(
      Nullable(Location, `The theme location the menu is shown at, or null (not shown). ${LOCATION_RULES}`),
    ),
  },
  { additionalProperties: false },
)
export type CreateMenuBody = Static<typeof CreateMenuBody>

export const UpdateMenuBody = Type.Object(
  {
    name: Type.Optional(Name),
    location: Type.Optional(
      Nullable(Location, `A theme location, or null to stop showing the menu anywhere. ${LOCATION_RULES}`),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateMenuBody = Static<typeof UpdateMenuBody>

export const ListMenusQuery = Type.Object({ ...pageQuery() }, { additionalProperties: false })
export type ListMenusQuery = Static<typeof ListMenusQuery>

export const SiteParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
})

export const MenuParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
  id: Type.String({ format: 'uuid', description: 'The menu id.' }),
})
