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
  isValidSetting,
  parseManifest,
  settingValues,
  type ThemeManifest,
  type ThemeSetting,
} from './theme.manifest.ts'
export {
  DEFAULT_RENDER_LIMITS,
  createThemeRenderer,
  type RenderLimits,
  type RenderSite,
  type ThemeRenderer,
} from './theme.renderer.ts'
export {
  BUNDLED_THEMES_DIR,
  DEFAULT_THEME_ID,
  createThemeRegistry,
  type ThemeRegistry,
} from './theme.registry.ts'
