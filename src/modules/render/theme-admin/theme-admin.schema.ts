import Type, { type Static } from 'typebox'
import { pageQuery } from '../../../platform/http/index.ts'
import { ThemeSettingSchema } from '../themes/index.ts'

const Timestamp = Type.String({ format: 'date-time' })
const ThemeId = Type.String({
  pattern: '^[a-z][a-z0-9-]{1,39}$',
  description: 'The theme’s id (from its manifest): lower case, digits and `-`.',
})
const MenuLocation = Type.Object({
  key: Type.String({ description: 'What a menu names to be shown there.' }),
  label: Type.String(),
})
const SettingValue = Type.Union([Type.String(), Type.Boolean(), Type.Null()])

export const SiteParams = Type.Object({
  site: Type.String({ description: 'The site’s id or slug.' }),
})
export const ThemeParams = Type.Object({ id: ThemeId })

export const ThemeView = Type.Object({
  id: ThemeId,
  name: Type.String(),
  version: Type.String({ description: 'The manifest’s semantic version.' }),
  versionHash: Type.String({
    description:
      'A hash over every file of the theme: changes with any file, and is what pages keep parsed templates by.',
  }),
  description: Type.String(),
  author: Type.Union([Type.String(), Type.Null()]),
  license: Type.Union([Type.String(), Type.Null()]),
  supports: Type.Array(Type.String(), {
    description: 'Features the templates render, for example `menus`, `dark-mode`.',
  }),
  menuLocations: Type.Array(MenuLocation, { description: 'Where the theme shows menus.' }),
  settings: Type.Array(ThemeSettingSchema, {
    description: 'The settings site admins can change, with their types and defaults (docs/themes.md).',
  }),
  defaultLocale: Type.Union([Type.String(), Type.Null()]),
  source: Type.Union([Type.Literal('bundled'), Type.Literal('installed')], {
    description: '`bundled` themes ship with Colophon and cannot be replaced or deleted.',
  }),
  installedAt: Type.Union([Timestamp, Type.Null()], { description: 'Null for bundled themes.' }),
  fileCount: Type.Union([Type.Integer(), Type.Null()], { description: 'Null for bundled themes.' }),
  totalBytes: Type.Union([Type.Integer(), Type.Null()], { description: 'Null for bundled themes.' }),
  sites: Type.Optional(
    Type.Integer({
      description:
        'Network lists only: live sites using the theme (the default theme counts sites that chose none).',
    }),
  ),
})

export const ThemePage = Type.Object({
  items: Type.Array(ThemeView),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'The last theme id of this page.' }),
})

export const ListThemesQuery = Type.Object(pageQuery({ cursorMaxLength: 40 }), {
  additionalProperties: false,
})
export type ListThemesQuery = Static<typeof ListThemesQuery>

export const InstallThemeQuery = Type.Object(
  {
    replace: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'Replace the installed theme of the same id (an update). Without it, an id already installed answers 409 COLOPHON_THEMES_ALREADY_INSTALLED.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type InstallThemeQuery = Static<typeof InstallThemeQuery>

/**
 * The archive's bytes. No `type`: the body reaches validation as a Buffer, which no JSON type describes;
 * the archive is checked by the service instead.
 */
export const InstallThemeBody = Type.Unsafe<Buffer>({
  description: 'The theme as a `.zip` archive (binary, content type `application/zip`).',
})

export const SiteThemeView = Type.Object({
  themeId: ThemeId,
  name: Type.String(),
  version: Type.String({ description: 'The manifest’s semantic version.' }),
  versionHash: Type.String({ description: 'A hash over every file of the theme.' }),
  source: Type.Union([Type.Literal('bundled'), Type.Literal('installed')]),
  settings: Type.Record(Type.String(), SettingValue, {
    description: 'Every setting the theme declares: the site’s value, or the default where it chose none.',
  }),
  settingsSchema: Type.Array(ThemeSettingSchema, { description: 'The settings the theme declares.' }),
  menuLocations: Type.Array(MenuLocation),
  missing: Type.Union([ThemeId, Type.Null()], {
    description:
      'The theme the site chose when it is no longer on the network: pages then use the default theme, shown here.',
  }),
  updatedAt: Type.Union([Timestamp, Type.Null()], { description: 'Null until the site first chose.' }),
})

export const UpdateSiteThemeBody = Type.Object(
  {
    themeId: Type.Optional(ThemeId),
    settings: Type.Optional(
      Type.Record(Type.String({ maxLength: 40 }), SettingValue, {
        maxProperties: 50,
        description:
          'Values by setting key, checked against the theme’s manifest: an unknown key or a value the setting does not allow answers 400 COLOPHON_THEMES_SETTINGS_INVALID with `details.fields`. `null` returns a setting to its default. Keys not sent keep their value.',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateSiteThemeBody = Static<typeof UpdateSiteThemeBody>

export const RenderErrorView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  occurredAt: Timestamp,
  path: Type.String({ description: 'The page’s path (without its query string).' }),
  themeId: Type.String(),
  themeVersion: Type.Union([Type.String(), Type.Null()], { description: 'The theme’s version hash.' }),
  template: Type.Union([Type.String(), Type.Null()], {
    description: 'The template that failed; null when the theme as a whole could not be loaded.',
  }),
  message: Type.String({ description: 'The template engine’s message (never shown to readers).' }),
  requestId: Type.String({ description: 'The id the reader was shown on the error page.' }),
})

export const RenderErrorList = Type.Object({
  items: Type.Array(RenderErrorView, { description: 'Newest first; the latest 50 are kept per site.' }),
})
