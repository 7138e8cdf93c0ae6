import { requireCapability, requireSite, type Ctx } from '../../../platform/access/index.ts'
import type { Page, Tx } from '../../../platform/db/index.ts'
import { DEFAULT_PAGE_LIMIT } from '../../../platform/http/index.ts'
import { recordAudit } from '../../audit/index.ts'
import {
  DEFAULT_THEME_ID,
  isValidSetting,
  settingValues,
  type ThemeManifest,
  type ThemeRegistry,
  type ThemeSetting,
} from '../themes/index.ts'
import { ThemesErrors } from './theme-admin.errors.ts'
import { findSiteTheme, listRenderErrors, lockTheme, upsertSiteTheme } from './theme-admin.repo.ts'
import {
  renderErrorView,
  themeView,
  type RenderErrorView,
  type SiteThemeView,
  type ThemeView,
} from './theme-admin.view.ts'
import { createThemeCatalogue, type CatalogueTheme } from './theme-catalogue.ts'

/**
 * A site's theme (`site.themes.manage`): which theme the site uses, its settings, the themes it can
 * choose from, and the last render errors of its pages. Settings are held to the manifest: unknown keys
 * and values the setting does not allow are refused, each with its own code; switching themes keeps the
 * settings the new theme declares with values it accepts.
 */

export interface SiteThemeServiceDeps {
  registry: ThemeRegistry
  /** Told after commit that the site's pages may look different (the page cache's hook). */
  onSiteChanged?: (siteId: string) => void
}

export interface UpdateSiteThemeInput {
  themeId?: string | undefined
  /** Values by key; `null` returns a setting to its default. */
  settings?: Record<string, unknown> | undefined
}

type FieldIssue = { code: 'unknown' | 'invalid'; message: string }

/** What a value of the setting looks like, for the refusal's message. */
function expected(setting: ThemeSetting): string {
  switch (setting.type) {
    case 'color':
      return 'a colour as #rrggbb'
    case 'text':
      return `text of at most ${setting.maxLength ?? 500} characters`
    case 'boolean':
      return 'true or false'
    case 'select':
      return `one of ${setting.options.map((o) => o.value).join(', ')}`
    case 'media':
      return 'a media id'
  }
}

/**
 * The settings to store: the kept ones (valid for `manifest`), then `changes` applied. Throws
 * COLOPHON_THEMES_SETTINGS_INVALID listing every bad field.
 */
function mergedSettings(
  manifest: ThemeManifest,
  kept: Readonly<Record<string, unknown>>,
  changes: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const declared = new Map(manifest.settings.map((s) => [s.key, s]))
  const next: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(kept)) {
    const setting = declared.get(key)
    if (setting && isValidSetting(setting, value)) next[key] = value
  }
  const fields: Record<string, FieldIssue> = {}
  for (const [key, value] of Object.entries(changes)) {
    const setting = declared.get(key)
    if (!setting)
      fields[key] = { code: 'unknown', message: `the theme "${manifest.id}" has no setting "${key}"` }
    else if (value === null) delete next[key]
    else if (!isValidSetting(setting, value))
      fields[key] = { code: 'invalid', message: `expected ${expected(setting)}` }
    else next[key] = value
  }
  if (Object.keys(fields).length > 0) throw ThemesErrors.settingsInvalid({ details: { fields } })
  return next
}

export type SiteThemeService = ReturnType<typeof createSiteThemeService>

export function createSiteThemeService(deps: SiteThemeServiceDeps) {
  const catalogue = createThemeCatalogue(deps.registry)

  function view(
    theme: CatalogueTheme,
    stored: Readonly<Record<string, unknown>>,
    extra: { missing: string | null; updatedAt: Date | null },
  ): SiteThemeView {
    return {
      themeId: theme.id,
      name: theme.manifest.name,
      version: theme.manifest.version,
      versionHash: theme.versionHash,
      source: theme.source,
      settings: { ...settingValues(theme.manifest, stored) },
      settingsSchema: theme.manifest.settings,
      menuLocations: theme.manifest.menuLocations,
      missing: extra.missing,
      updatedAt: extra.updatedAt?.toISOString() ?? null,
    }
  }

  async function get(ctx: Ctx): Promise<SiteThemeView> {
    requireCapability(ctx, 'site.themes.manage')
    const site = requireSite(ctx)
    return ctx.tx(async (tx) => {
      const row = await findSiteTheme(tx, site.id)
      const chosen = row ? await catalogue.find(tx, row.themeId) : undefined
      if (row && chosen)
        return view(chosen, row.settings as Record<string, unknown>, {
          missing: null,
          updatedAt: row.updatedAt,
        })
      const fallback = (await catalogue.find(tx, DEFAULT_THEME_ID)) as CatalogueTheme
      return view(fallback, {}, { missing: row?.themeId ?? null, updatedAt: row?.updatedAt ?? null })
    })
  }

  async function update(ctx: Ctx, input: UpdateSiteThemeInput): Promise<SiteThemeView> {
    requireCapability(ctx, 'site.themes.manage')
    const site = requireSite(ctx)
    const saved = await ctx.tx(async (tx) => {
      const current = await findSiteTheme(tx, site.id)
      const themeId = input.themeId ?? current?.themeId ?? DEFAULT_THEME_ID
      // Held until commit: a network admin cannot delete the theme between this check and the write.
      await lockTheme(tx, themeId)
      const theme = await catalogue.find(tx, themeId)
      if (!theme) throw ThemesErrors.notFound({ details: { themeId } })
      const settings = mergedSettings(
        theme.manifest,
        (current?.settings ?? {}) as Record<string, unknown>,
        input.settings ?? {},
      )
      const row = await upsertSiteTheme(tx, { siteId: site.id, themeId, settings })
      await recordAudit(ctx, tx, {
        action: 'themes.site.update',
        target: { type: 'site_theme', id: site.id },
        summary: {
          from: { themeId: current?.themeId ?? DEFAULT_THEME_ID, settings: current?.settings ?? {} },
          to: { themeId, settings },
        },
      })
      return view(theme, settings, { missing: null, updatedAt: row.updatedAt })
    })
    deps.onSiteChanged?.(site.id)
    return saved
  }

  /** The themes the site may choose from, in id order (no usage counts: those are the network's). */
  async function choices(
    ctx: Ctx,
    query: { cursor?: string | undefined; limit?: number | undefined },
  ): Promise<Page<ThemeView>> {
    requireCapability(ctx, 'site.themes.manage')
    requireSite(ctx)
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT
    const themes = await ctx.tx((tx) => catalogue.page(tx, { after: query.cursor, limit: limit + 1 }))
    const shown = themes.slice(0, limit)
    return {
      items: shown.map((t) => themeView(t)),
      nextCursor: themes.length > limit ? (shown[shown.length - 1]?.id ?? null) : null,
    }
  }

  async function errors(ctx: Ctx): Promise<{ items: RenderErrorView[] }> {
    requireCapability(ctx, 'site.themes.manage')
    const site = requireSite(ctx)
    const rows = await ctx.tx((tx) => listRenderErrors(tx, site.id))
    return { items: rows.map(renderErrorView) }
  }

  /**
   * The menu locations the site's theme declares (the default theme's while it has none, or its own is
   * gone): where menus may be placed. Not a secret of the theme settings, so no capability is asked: the
   * menus service checks its own.
   */
  async function menuLocations(ctx: Ctx, within?: Tx): Promise<{ key: string; label: string }[]> {
    const site = requireSite(ctx)
    const read = async (tx: Tx) => {
      const row = await findSiteTheme(tx, site.id)
      const chosen = row ? await catalogue.find(tx, row.themeId) : undefined
      const theme = chosen ?? ((await catalogue.find(tx, DEFAULT_THEME_ID)) as CatalogueTheme)
      return theme.manifest.menuLocations.map((l) => ({ key: l.key, label: l.label }))
    }
    // Inside the caller's transaction when it has one (a second one would wait on it on PGlite).
    return within ? read(within) : ctx.tx(read)
  }

  return { get, update, choices, errors, menuLocations }
}
