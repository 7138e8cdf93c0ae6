import { actorUserId, requireCapability, type Ctx } from '../../../platform/access/index.ts'
import type { Page } from '../../../platform/db/index.ts'
import { DEFAULT_PAGE_LIMIT } from '../../../platform/http/index.ts'
import { recordAudit } from '../../audit/index.ts'
import {
  DEFAULT_THEME_ID,
  SIZE_RULES,
  buildTheme,
  createThemeRenderer,
  readThemeArchive,
  type ThemeRegistry,
} from '../themes/index.ts'
import { ThemesErrors } from './theme-admin.errors.ts'
import {
  countSitesUsing,
  countSitesWithoutTheme,
  deleteInstalledTheme,
  findInstalledTheme,
  lockTheme,
  saveInstalledTheme,
} from './theme-admin.repo.ts'
import { themeView, type ThemeView } from './theme-admin.view.ts'
import { createThemeCatalogue, type CatalogueTheme } from './theme-catalogue.ts'

/**
 * The network's themes (`network.themes.manage`): the bundled ones and those installed from a `.zip`.
 * An archive is read defensively (theme.archive.ts), then held to every rule a bundled theme is (files,
 * manifest, every template and partial parses); only then is it stored, files and all, in the database,
 * where every node's registry loads it from (ADR 0018).
 */

export interface ThemesServiceDeps {
  registry: ThemeRegistry
  /**
   * Told after commit that what readers of these sites see may have changed (a theme they use was
   * replaced): the page cache's hook.
   */
  onSitesChanged?: (change: { themeId: string }) => void
}

export interface InstallResult {
  theme: ThemeView
  /** True when an installed theme of the same id was replaced (a new version). */
  replaced: boolean
}

export type ThemesService = ReturnType<typeof createThemesService>

export function createThemesService(deps: ThemesServiceDeps) {
  const catalogue = createThemeCatalogue(deps.registry)

  /** Live sites using each theme of the page; the default theme also counts the sites that chose none. */
  async function usage(ctx: Ctx, themes: readonly CatalogueTheme[]): Promise<Map<string, number>> {
    return ctx.tx(async (tx) => {
      const counts = await countSitesUsing(
        tx,
        themes.map((t) => t.id),
      )
      if (themes.some((t) => t.id === DEFAULT_THEME_ID))
        counts.set(DEFAULT_THEME_ID, (counts.get(DEFAULT_THEME_ID) ?? 0) + (await countSitesWithoutTheme(tx)))
      return counts
    })
  }

  async function list(
    ctx: Ctx,
    query: { cursor?: string | undefined; limit?: number | undefined },
  ): Promise<Page<ThemeView>> {
    requireCapability(ctx, 'network.themes.manage')
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT
    const themes = await ctx.tx((tx) => catalogue.page(tx, { after: query.cursor, limit: limit + 1 }))
    const shown = themes.slice(0, limit)
    const counts = await usage(ctx, shown)
    return {
      items: shown.map((t) => themeView(t, counts.get(t.id) ?? 0)),
      nextCursor: themes.length > limit ? (shown[shown.length - 1]?.id ?? null) : null,
    }
  }

  async function get(ctx: Ctx, id: string): Promise<ThemeView> {
    requireCapability(ctx, 'network.themes.manage')
    const theme = await ctx.tx((tx) => catalogue.find(tx, id))
    if (!theme) throw ThemesErrors.notFound({ details: { id } })
    const counts = await usage(ctx, [theme])
    return themeView(theme, counts.get(id) ?? 0)
  }

  /**
   * Installs the theme in `archive` (the bytes of a `.zip`). An installed theme of the same id is
   * replaced only with `replace`; a bundled id is never taken.
   */
  async function install(
    ctx: Ctx,
    archive: Uint8Array,
    options: { replace?: boolean },
  ): Promise<InstallResult> {
    requireCapability(ctx, 'network.themes.manage')
    const read = readThemeArchive(archive)
    if ('refusal' in read) {
      const error = SIZE_RULES.has(read.refusal.rule)
        ? ThemesErrors.archiveTooLarge
        : ThemesErrors.archiveInvalid
      throw error({ details: read.refusal })
    }
    // Both throw COLOPHON_RENDER_THEME_INVALID with every issue: file rules, manifest, unparsable templates.
    const theme = buildTheme(read.files)
    createThemeRenderer(theme)
    const id = theme.manifest.id
    if (await catalogue.isBundled(id)) throw ThemesErrors.bundled({ details: { id } })
    const saved = await ctx.tx(async (tx) => {
      await lockTheme(tx, id)
      const existing = await findInstalledTheme(tx, id)
      if (existing && !options.replace)
        throw ThemesErrors.alreadyInstalled({
          details: { id, installedVersion: existing.manifest.version, version: theme.manifest.version },
        })
      const row = await saveInstalledTheme(tx, {
        id,
        version: theme.version,
        manifest: theme.manifest,
        files: read.files,
        installedBy: actorUserId(ctx.actor),
        replace: existing !== undefined,
      })
      await recordAudit(ctx, tx, {
        action: existing ? 'themes.theme.update' : 'themes.theme.install',
        target: { type: 'theme', id },
        summary: {
          version: theme.manifest.version,
          versionHash: theme.version,
          files: read.files.length,
          ...(existing
            ? { from: { version: existing.manifest.version, versionHash: existing.version } }
            : {}),
        },
      })
      return { row, replaced: existing !== undefined }
    })
    if (saved.replaced) deps.onSitesChanged?.({ themeId: id })
    return {
      theme: themeView({
        id,
        manifest: saved.row.manifest,
        versionHash: saved.row.version,
        source: 'installed',
        installed: saved.row,
      }),
      replaced: saved.replaced,
    }
  }

  /** Deletes an installed theme no live site uses. */
  async function remove(ctx: Ctx, id: string): Promise<void> {
    requireCapability(ctx, 'network.themes.manage')
    if (await catalogue.isBundled(id)) throw ThemesErrors.bundled({ details: { id } })
    await ctx.tx(async (tx) => {
      await lockTheme(tx, id)
      const existing = await findInstalledTheme(tx, id)
      if (!existing) throw ThemesErrors.notFound({ details: { id } })
      const sites = (await countSitesUsing(tx, [id])).get(id) ?? 0
      if (sites > 0) throw ThemesErrors.inUse({ details: { id, sites } })
      await deleteInstalledTheme(tx, id)
      await recordAudit(ctx, tx, {
        action: 'themes.theme.delete',
        target: { type: 'theme', id },
        summary: { version: existing.manifest.version, versionHash: existing.version },
      })
    })
  }

  return { list, get, install, remove }
}
