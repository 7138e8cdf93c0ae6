import { createHash } from 'node:crypto'
import { lstat, readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { RenderErrors } from '../render.errors.ts'
import {
  assetContentType,
  checkThemeFiles,
  classifyThemeFile,
  THEME_LIMITS,
  type ThemeFileIssue,
} from './theme.files.ts'
import { parseManifest, type ThemeManifest } from './theme.manifest.ts'

/** A static file of a theme, served by its content hash (so it can be cached for good). */
export interface ThemeAsset {
  bytes: Buffer
  /** The first 16 hex digits of its SHA-256. */
  hash: string
  contentType: string
}

/** A theme held in memory, checked: what the renderer and the asset route read. */
export interface LoadedTheme {
  manifest: ThemeManifest
  /** Changes whenever any file of the theme does: parsed templates are cached per theme and version. */
  version: string
  /** Template sources by name (`entry-post` for `templates/entry-post.liquid`). */
  templates: ReadonlyMap<string, string>
  /** Partial (and layout) sources by path below `partials/`, without `.liquid`. */
  partials: ReadonlyMap<string, string>
  /** Assets by path below `assets/`. */
  assets: ReadonlyMap<string, ThemeAsset>
  /** Translations by language: flat maps from key to text. */
  locales: ReadonlyMap<string, Readonly<Record<string, string>>>
}

export interface ThemeFile {
  /** Relative to the theme's root, `/`-separated. */
  path: string
  bytes: Buffer
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
const hashOf = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex').slice(0, 16)

/**
 * A theme from its files, or `COLOPHON_RENDER_THEME_INVALID` with every issue found (`details.issues`,
 * each `{ path, message }`): file rules and limits (theme.files.ts), the manifest, text that is not UTF-8,
 * translation files that are not flat maps of text.
 */
export function buildTheme(files: readonly ThemeFile[]): LoadedTheme {
  const issues: ThemeFileIssue[] = checkThemeFiles(
    files.map((f) => ({ path: f.path, bytes: f.bytes.length })),
  )
  const byPath = new Map(files.map((f) => [f.path, f.bytes]))
  let manifest: ThemeManifest | undefined
  const manifestBytes = byPath.get('theme.json')
  if (manifestBytes) {
    const parsed = parseManifest(textOf('theme.json', manifestBytes, issues) ?? '')
    if ('issues' in parsed) issues.push(...parsed.issues)
    else manifest = parsed.manifest
  }
  const templates = new Map<string, string>()
  const partials = new Map<string, string>()
  const assets = new Map<string, ThemeAsset>()
  const locales = new Map<string, Record<string, string>>()
  for (const file of files) {
    const classified = classifyThemeFile(file.path)
    if (!('kind' in classified)) continue
    const below = file.path.slice(file.path.indexOf('/') + 1)
    switch (classified.kind) {
      case 'template':
      case 'partial': {
        const text = textOf(file.path, file.bytes, issues)
        if (text !== undefined)
          (classified.kind === 'template' ? templates : partials).set(below.replace(/\.liquid$/, ''), text)
        break
      }
      case 'asset':
        assets.set(below, {
          bytes: file.bytes,
          hash: hashOf(file.bytes),
          contentType: assetContentType(below),
        })
        break
      case 'locale': {
        const strings = localeOf(file.path, textOf(file.path, file.bytes, issues), issues)
        if (strings) locales.set(below.replace(/\.json$/, ''), strings)
        break
      }
      default:
        break
    }
  }
  if (issues.length > 0 || manifest === undefined)
    throw RenderErrors.themeInvalid({ details: { issues: issues.slice(0, 50) } })
  const version = hashOf(
    [...files]
      .sort((a, b) => (a.path < b.path ? -1 : 1))
      .map((f) => `${f.path}\0${hashOf(f.bytes)}`)
      .join('\n'),
  )
  return { manifest, version, templates, partials, assets, locales }
}

function textOf(filePath: string, bytes: Buffer, issues: ThemeFileIssue[]): string | undefined {
  try {
    return utf8.decode(bytes)
  } catch {
    issues.push({ path: filePath, message: 'not UTF-8 text' })
    return undefined
  }
}

const MAX_LOCALE_KEYS = 2000

function localeOf(
  filePath: string,
  text: string | undefined,
  issues: ThemeFileIssue[],
): Record<string, string> | undefined {
  if (text === undefined) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    issues.push({ path: filePath, message: 'not JSON' })
    return undefined
  }
  const entries =
    value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : null
  if (
    entries === null ||
    entries.length > MAX_LOCALE_KEYS ||
    entries.some(([, v]) => typeof v !== 'string')
  ) {
    issues.push({ path: filePath, message: `a JSON object of at most ${MAX_LOCALE_KEYS} texts, by key` })
    return undefined
  }
  return Object.assign(Object.create(null), Object.fromEntries(entries)) as Record<string, string>
}

/**
 * Reads a theme folder (a bundled theme, or an installed one) and builds it. Only regular files and
 * folders count: a symbolic link (which could point anywhere) or any other kind of entry is an issue, and
 * the walk stops once the theme is over its file or size bounds.
 */
export async function loadThemeFromDirectory(root: string): Promise<LoadedTheme> {
  const listing: { path: string; bytes: number }[] = []
  const issues: ThemeFileIssue[] = []
  let total = 0
  async function walk(relative: string): Promise<void> {
    for (const entry of await readdir(path.join(root, relative), { withFileTypes: true })) {
      if (listing.length > THEME_LIMITS.files || total > THEME_LIMITS.totalBytes) return
      const rel = relative === '' ? entry.name : `${relative}/${entry.name}`
      if (entry.isDirectory()) await walk(rel)
      else if (entry.isFile()) {
        const { size } = await lstat(path.join(root, rel))
        total += size
        listing.push({ path: rel, bytes: size })
      } else issues.push({ path: rel, message: 'not a regular file or folder (links are not followed)' })
    }
  }
  await walk('')
  // Sizes and names are checked before anything is read.
  issues.push(...checkThemeFiles(listing))
  if (issues.length > 0) throw RenderErrors.themeInvalid({ details: { issues: issues.slice(0, 50) } })
  const files = await Promise.all(
    listing.map(async (f) => ({ path: f.path, bytes: await readFile(path.join(root, f.path)) })),
  )
  return buildTheme(files)
}
