import Type, { type Static } from 'typebox'
import Value from 'typebox/value'
import type { ThemeFileIssue } from './theme.files.ts'

/**
 * `theme.json`: what a theme is and what it offers. Site admins edit the `settings` it declares (through
 * the API, in the admin's form built from this list); menus are placed in the `menuLocations` it names.
 */

const Key = Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'Lower case, digits and `_`.' })
const Label = Type.String({ minLength: 1, maxLength: 80 })
const Help = Type.Optional(Type.String({ maxLength: 300 }))
const Color = Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: 'A colour as #rrggbb.' })

const settingOf = <L extends string, T extends Record<string, Type.TSchema>>(type: L, fields: T) =>
  Type.Object(
    { key: Key, type: Type.Literal(type), label: Label, help: Help, ...fields },
    {
      additionalProperties: false,
    },
  )

/** One setting a site admin can change; its value reaches templates as `theme.settings.<key>`. */
export const ThemeSettingSchema = Type.Union([
  settingOf('color', { default: Color }),
  settingOf('text', {
    default: Type.String({ maxLength: 500 }),
    maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  }),
  settingOf('boolean', { default: Type.Boolean() }),
  settingOf('select', {
    default: Key,
    options: Type.Array(Type.Object({ value: Key, label: Label }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 20,
    }),
  }),
  settingOf('media', {}),
])

export const ThemeManifestSchema = Type.Object(
  {
    id: Type.String({
      pattern: '^[a-z][a-z0-9-]{1,39}$',
      description: 'Unique on the network; lower case, digits and `-`.',
    }),
    name: Label,
    version: Type.String({
      pattern: '^\\d{1,4}\\.\\d{1,4}\\.\\d{1,4}(-[0-9A-Za-z.-]{1,40})?$',
      description: 'Semantic version.',
    }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    author: Type.Optional(Type.String({ maxLength: 200 })),
    license: Type.Optional(Type.String({ maxLength: 100 })),
    supports: Type.Array(Type.String({ pattern: '^[a-z][a-z0-9-]{0,39}$' }), {
      maxItems: 30,
      description: 'Features the templates render, for example `menus`, `comments`, `search`, `dark-mode`.',
    }),
    menuLocations: Type.Array(Type.Object({ key: Key, label: Label }, { additionalProperties: false }), {
      maxItems: 10,
    }),
    settings: Type.Array(ThemeSettingSchema, { maxItems: 50 }),
    defaultLocale: Type.Optional(Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$' })),
  },
  { additionalProperties: false },
)

export type ThemeManifest = Static<typeof ThemeManifestSchema>
export type ThemeSetting = Static<typeof ThemeSettingSchema>

/** The manifest in `text`, or the issues that make it unusable (each with the field's JSON pointer). */
export function parseManifest(text: string): { manifest: ThemeManifest } | { issues: ThemeFileIssue[] } {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return { issues: [{ path: 'theme.json', message: `not JSON: ${(err as Error).message}` }] }
  }
  const issues: ThemeFileIssue[] = [...Value.Errors(ThemeManifestSchema, value)]
    .slice(0, 20)
    .map((e) => ({ path: `theme.json${e.instancePath}`, message: e.message }))
  if (issues.length > 0) return { issues }
  const manifest = value as ThemeManifest
  const twice = (keys: string[]) => keys.filter((k, i) => keys.indexOf(k) !== i)
  for (const key of twice(manifest.settings.map((s) => s.key)))
    issues.push({ path: 'theme.json/settings', message: `setting "${key}" is declared twice` })
  for (const key of twice(manifest.menuLocations.map((l) => l.key)))
    issues.push({ path: 'theme.json/menuLocations', message: `menu location "${key}" is declared twice` })
  manifest.settings.forEach((s, i) => {
    if (s.type === 'select' && !s.options.some((o) => o.value === s.default))
      issues.push({ path: `theme.json/settings/${i}/default`, message: 'not one of the options' })
  })
  return issues.length > 0 ? { issues } : { manifest }
}

/** The settings' values for templates: each declared key with the stored value when valid, else its default. */
export function settingValues(
  manifest: ThemeManifest,
  stored: Readonly<Record<string, unknown>> = {},
): Record<string, string | boolean | null> {
  const values: Record<string, string | boolean | null> = Object.create(null)
  for (const setting of manifest.settings) {
    const given = Object.hasOwn(stored, setting.key) ? stored[setting.key] : undefined
    values[setting.key] = isValidSetting(setting, given)
      ? (given as string | boolean | null)
      : defaultOf(setting)
  }
  return values
}

function defaultOf(setting: ThemeSetting): string | boolean | null {
  return setting.type === 'media' ? null : setting.default
}

/** Whether `value` may be stored for `setting` (the API refuses the others; templates never see them). */
export function isValidSetting(setting: ThemeSetting, value: unknown): boolean {
  switch (setting.type) {
    case 'color':
      return typeof value === 'string' && /^#[0-9a-fA-F]{6}$/.test(value)
    case 'text':
      return typeof value === 'string' && value.length <= (setting.maxLength ?? 500)
    case 'boolean':
      return typeof value === 'boolean'
    case 'select':
      return setting.options.some((o) => o.value === value)
    case 'media':
      return value === null || (typeof value === 'string' && /^[0-9a-f-]{36}$/.test(value))
  }
}
