import type { Tx } from '../../../platform/db/index.ts'
import type { ThemeManifest, ThemeRegistry } from '../themes/index.ts'
import { findInstalledTheme, listInstalledThemes, type InstalledThemeRow } from './theme-admin.repo.ts'

/**
 * Every theme of the network in one list: the bundled ones (from `themes/`, through the registry) and the
 * installed ones (rows), in id order. A bundled id can never be installed, so the two never collide.
 */

export interface CatalogueTheme {
  id: string
  manifest: ThemeManifest
  /** The hash over every file: the theme version parsed templates are kept by. */
  versionHash: string
  source: 'bundled' | 'installed'
  installed: InstalledThemeRow | null
}

export type ThemeCatalogue = ReturnType<typeof createThemeCatalogue>

export function createThemeCatalogue(registry: ThemeRegistry) {
  async function bundledThemes(): Promise<CatalogueTheme[]> {
    const ids = await registry.bundledIds()
    const renderers = await Promise.all(ids.map((id) => registry.bundled(id)))
    return renderers.map((r) => ({
      id: r.theme.manifest.id,
      manifest: r.theme.manifest,
      versionHash: r.theme.version,
      source: 'bundled' as const,
      installed: null,
    }))
  }

  const ofRow = (row: InstalledThemeRow): CatalogueTheme => ({
    id: row.id,
    manifest: row.manifest,
    versionHash: row.version,
    source: 'installed',
    installed: row,
  })

  async function isBundled(id: string): Promise<boolean> {
    return (await registry.bundledIds()).includes(id)
  }

  /** The theme with this id, bundled or installed. */
  async function find(tx: Tx, id: string): Promise<CatalogueTheme | undefined> {
    if (await isBundled(id)) return (await bundledThemes()).find((t) => t.id === id)
    const row = await findInstalledTheme(tx, id)
    return row ? ofRow(row) : undefined
  }

  /** Up to `limit` themes after `after` by id (one statement for the installed ones). */
  async function page(tx: Tx, q: { after?: string | undefined; limit: number }): Promise<CatalogueTheme[]> {
    const rows = await listInstalledThemes(tx, q)
    const bundled = (await bundledThemes()).filter((t) => q.after === undefined || t.id > q.after)
    return [...bundled, ...rows.map(ofRow)].sort((a, b) => (a.id < b.id ? -1 : 1)).slice(0, q.limit)
  }

  return { bundledThemes, isBundled, find, page }
}
