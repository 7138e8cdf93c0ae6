import type { ThemeManifest, ThemeSetting } from '../themes/index.ts'
import type { RenderErrorRow } from './theme-admin.repo.ts'
import type { CatalogueTheme } from './theme-catalogue.ts'

/** Replies of the themes API, from catalogue entries and rows. */

export interface ThemeView {
  id: string
  name: string
  version: string
  versionHash: string
  description: string
  author: string | null
  license: string | null
  supports: string[]
  menuLocations: { key: string; label: string }[]
  settings: ThemeSetting[]
  defaultLocale: string | null
  source: 'bundled' | 'installed'
  installedAt: string | null
  fileCount: number | null
  totalBytes: number | null
  /** Network admins only: live sites using the theme. */
  sites?: number
}

export function themeView(theme: CatalogueTheme, sites?: number): ThemeView {
  const m: ThemeManifest = theme.manifest
  return {
    id: theme.id,
    name: m.name,
    version: m.version,
    versionHash: theme.versionHash,
    description: m.description ?? '',
    author: m.author ?? null,
    license: m.license ?? null,
    supports: m.supports,
    menuLocations: m.menuLocations,
    settings: m.settings,
    defaultLocale: m.defaultLocale ?? null,
    source: theme.source,
    installedAt: theme.installed?.installedAt.toISOString() ?? null,
    fileCount: theme.installed?.fileCount ?? null,
    totalBytes: theme.installed?.totalBytes ?? null,
    ...(sites === undefined ? {} : { sites }),
  }
}

export interface SiteThemeView {
  themeId: string
  name: string
  version: string
  versionHash: string
  source: 'bundled' | 'installed'
  /** Every declared setting: the stored value when valid, else the default. */
  settings: Record<string, string | boolean | null>
  /** The settings the theme declares (for building a form). */
  settingsSchema: ThemeSetting[]
  menuLocations: { key: string; label: string }[]
  /** The chosen theme is missing (a site whose theme was removed): pages use the default theme. */
  missing: string | null
  updatedAt: string | null
}

export interface RenderErrorView {
  id: string
  occurredAt: string
  path: string
  themeId: string
  themeVersion: string | null
  template: string | null
  message: string
  requestId: string
}

export function renderErrorView(row: RenderErrorRow): RenderErrorView {
  return {
    id: row.id,
    occurredAt: row.occurredAt.toISOString(),
    path: row.path,
    themeId: row.themeId,
    themeVersion: row.themeVersion,
    template: row.template,
    message: row.message,
    requestId: row.requestId,
  }
}
