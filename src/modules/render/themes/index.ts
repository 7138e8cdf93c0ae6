export { chooseTemplate, templateCandidates, type PageTemplateFor } from './hierarchy.ts'
export {
  ASSET_TYPES,
  THEME_LIMITS,
  checkThemeFiles,
  classifyThemeFile,
  type ThemeFileIssue,
} from './theme.files.ts'
export {
  buildTheme,
  loadThemeFromDirectory,
  type LoadedTheme,
  type ThemeAsset,
  type ThemeFile,
} from './theme.loader.ts'
export {
  ThemeManifestSchema,
  ThemeSettingSchema,
  isValidSetting,
  parseManifest,
  settingValues,
  type ThemeManifest,
  type ThemeSetting,
} from './theme.manifest.ts'
export {
  DEFAULT_RENDER_LIMITS,
  createThemeRenderer,
  translate as themeText,
  type RenderLimits,
  type RenderSite,
  type ThemeRenderer,
} from './theme.renderer.ts'
export {
  BUNDLED_THEMES_DIR,
  DEFAULT_INSTALLED_VERSIONS,
  DEFAULT_THEME_ID,
  createThemeRegistry,
  type InstalledThemeSource,
  type SiteThemeRef,
  type ThemeFallback,
  type ThemeRegistry,
  type ThemeRegistryOptions,
} from './theme.registry.ts'
export {
  SIZE_RULES,
  THEME_ARCHIVE_LIMITS,
  readThemeArchive,
  type ArchiveRefusal,
  type ArchiveRule,
} from './theme.archive.ts'
