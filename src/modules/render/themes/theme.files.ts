/**
 * Which files a theme may hold, as pure rules over a list of paths and sizes: the folder loader applies
 * them to a theme on disk, and a theme archive is held to the same list before anything is extracted.
 *
 * A theme is data (ARCHITECTURE D6): a manifest, Liquid templates and partials, static assets and
 * translation files. Nothing in it can run on the server, and nothing in it may name a place outside its
 * own folder.
 */

/** Bounds that keep one theme from filling a node's memory (a loaded theme is held in memory whole). */
export const THEME_LIMITS = {
  files: 500,
  fileBytes: 2 * 1024 * 1024,
  totalBytes: 20 * 1024 * 1024,
  /** Folders below the theme root, the file's own folder included. */
  depth: 6,
  pathLength: 200,
} as const

/** Static files themes may ship, by extension (lower case), with the Content-Type they are served as. */
export const ASSET_TYPES: Readonly<Record<string, string>> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  map: 'application/json; charset=utf-8',
  json: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
}

/** What a file is to the theme, from where it sits. */
export type ThemeFileKind = 'manifest' | 'template' | 'partial' | 'asset' | 'locale' | 'document'

export interface ThemeFileIssue {
  path: string
  message: string
}

/** One path segment: letters, digits, `.`, `_`, `-`, not starting with a dot (no hidden files, no `..`). */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/
const TEMPLATE_NAME = /^[a-z0-9][a-z0-9_-]*\.liquid$/
const LOCALE_NAME = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\.json$/
const DOCUMENTS = new Set(['README.md', 'LICENSE', 'LICENSE.md', 'LICENSE.txt', 'CHANGELOG.md'])
const SCREENSHOT = /^screenshot\.(png|jpg|jpeg|webp)$/

const extensionOf = (name: string): string => {
  const dot = name.lastIndexOf('.')
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase()
}

/**
 * The kind of the file at `path` (relative, `/`-separated), or why it may not be in a theme. Templates
 * sit directly in `templates/`; partials (and layouts) anywhere below `partials/`; assets anywhere below
 * `assets/` with an extension of `ASSET_TYPES`; translations as `locales/<language>.json`.
 */
export function classifyThemeFile(path: string): { kind: ThemeFileKind } | { issue: string } {
  if (path.length > THEME_LIMITS.pathLength)
    return { issue: `longer than ${THEME_LIMITS.pathLength} characters` }
  const segments = path.split('/')
  if (segments.some((s) => !SEGMENT.test(s)))
    return { issue: 'each part of a path is letters, digits, ".", "_" or "-", and none starts with a dot' }
  if (segments.length > THEME_LIMITS.depth)
    return { issue: `nested deeper than ${THEME_LIMITS.depth} folders` }
  const [top, ...rest] = segments as [string, ...string[]]
  const name = segments[segments.length - 1] as string
  if (rest.length === 0) {
    if (top === 'theme.json') return { kind: 'manifest' }
    if (DOCUMENTS.has(top) || SCREENSHOT.test(top)) return { kind: 'document' }
    return {
      issue: 'not a file a theme may hold at its top level (theme.json, README.md, LICENSE, screenshot)',
    }
  }
  switch (top) {
    case 'templates':
      return rest.length === 1 && TEMPLATE_NAME.test(name)
        ? { kind: 'template' }
        : { issue: 'templates are lower-case .liquid files directly in templates/' }
    case 'partials':
      return TEMPLATE_NAME.test(name)
        ? { kind: 'partial' }
        : { issue: 'partials are lower-case .liquid files' }
    case 'assets':
      return extensionOf(name) in ASSET_TYPES
        ? { kind: 'asset' }
        : { issue: `assets may be ${Object.keys(ASSET_TYPES).join(', ')} files` }
    case 'locales':
      return rest.length === 1 && LOCALE_NAME.test(name)
        ? { kind: 'locale' }
        : {
            issue:
              'translations are locales/<language>.json, for example locales/en.json or locales/pt-BR.json',
          }
    default:
      return { issue: 'not in a folder a theme may have (templates, partials, assets, locales)' }
  }
}

/**
 * Every reason the listed files cannot make a theme: paths and kinds (above), sizes and counts within
 * `THEME_LIMITS`, a manifest and an `index` template present, no path listed twice (a case-insensitive
 * file system would merge them).
 */
export function checkThemeFiles(files: readonly { path: string; bytes: number }[]): ThemeFileIssue[] {
  const issues: ThemeFileIssue[] = []
  if (files.length > THEME_LIMITS.files)
    issues.push({ path: '', message: `more than ${THEME_LIMITS.files} files` })
  let total = 0
  const seen = new Set<string>()
  for (const file of files) {
    total += file.bytes
    const classified = classifyThemeFile(file.path)
    if ('issue' in classified) issues.push({ path: file.path, message: classified.issue })
    if (file.bytes > THEME_LIMITS.fileBytes)
      issues.push({ path: file.path, message: `larger than ${THEME_LIMITS.fileBytes} bytes` })
    const folded = file.path.toLowerCase()
    if (seen.has(folded)) issues.push({ path: file.path, message: 'listed twice (letter case aside)' })
    seen.add(folded)
  }
  if (total > THEME_LIMITS.totalBytes)
    issues.push({ path: '', message: `more than ${THEME_LIMITS.totalBytes} bytes in all` })
  if (!seen.has('theme.json'))
    issues.push({ path: 'theme.json', message: 'missing: every theme has a manifest' })
  if (!seen.has('templates/index.liquid'))
    issues.push({ path: 'templates/index.liquid', message: 'missing: the template every page falls back to' })
  return issues
}

/** The Content-Type an asset is served with (its extension was checked when the theme was loaded). */
export function assetContentType(path: string): string {
  return ASSET_TYPES[extensionOf(path)] ?? 'application/octet-stream'
}
