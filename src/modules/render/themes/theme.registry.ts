import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildTheme, loadThemeFromDirectory, type ThemeFile } from './theme.loader.ts'
import {
  createThemeRenderer,
  DEFAULT_RENDER_LIMITS,
  type RenderLimits,
  type ThemeRenderer,
} from './theme.renderer.ts'

/** The themes that ship with Colophon (`themes/<id>/` at the top of the repository). */
export const BUNDLED_THEMES_DIR = fileURLToPath(new URL('../../../../themes/', import.meta.url))
export const DEFAULT_THEME_ID = 'colophon'

/** Installed themes' parsed versions kept in memory at once, unless configured otherwise. */
export const DEFAULT_INSTALLED_VERSIONS = 16
/** How long a theme version that failed to load is not tried again (each page would retry it). */
const FAILED_LOAD_RETRY_MS = 30_000

/**
 * The stored files of an installed theme, read from the database (the theme-admin sub-module provides
 * it), or undefined when no theme of that id is installed.
 */
export type InstalledThemeSource = (id: string) => Promise<ThemeFile[] | undefined>

/** Which theme a site uses, as the page's one read of its site gives it. */
export interface SiteThemeRef {
  siteId: string
  /** The chosen theme, or null for the default. */
  themeId: string | null
  /** The installed theme's version (its hash), or null for a bundled theme or a missing one. */
  version: string | null
  /** The page being served, for the record of a fallback. */
  path?: string
  requestId?: string
}

/** A site's theme could not be used: the default served instead. */
export interface ThemeFallback {
  siteId: string
  themeId: string
  version: string | null
  path: string
  requestId: string
  message: string
}

export interface ThemeRegistry {
  /** The renderer of a bundled theme, loaded and checked on first use, then kept. */
  bundled(id: string): Promise<ThemeRenderer>
  /** The ids of the bundled themes (the folders of `themes/` with a manifest), read once. */
  bundledIds(): Promise<readonly string[]>
  /**
   * The renderer of a site's theme: a bundled one, or an installed one loaded from the database on first
   * use of its version and kept (the `installedVersions` most recently used versions stay in memory).
   * A theme that is missing or fails to load gives the default theme, and `onFallback` hears why.
   */
  forSite(ref: SiteThemeRef): Promise<ThemeRenderer>
}

export interface ThemeRegistryOptions {
  dir?: string
  limits?: RenderLimits
  /** Where installed themes' files come from; without it, only bundled themes are known. */
  installed?: InstalledThemeSource
  installedVersions?: number
  onFallback?: (fallback: ThemeFallback) => void
  clock?: () => number
}

export function createThemeRegistry(options: ThemeRegistryOptions = {}): ThemeRegistry {
  const dir = options.dir ?? BUNDLED_THEMES_DIR
  const limits = options.limits ?? DEFAULT_RENDER_LIMITS
  const capacity = Math.max(1, options.installedVersions ?? DEFAULT_INSTALLED_VERSIONS)
  const now = options.clock ?? Date.now
  const loaded = new Map<string, Promise<ThemeRenderer>>()
  /** Installed versions by `id@version`, least recently used first (a Map keeps insertion order). */
  const installed = new Map<string, Promise<ThemeRenderer>>()
  const failed = new Map<string, { until: number; message: string }>()
  let ids: Promise<readonly string[]> | undefined

  function bundled(id: string): Promise<ThemeRenderer> {
    let renderer = loaded.get(id)
    if (renderer === undefined) {
      renderer = loadThemeFromDirectory(path.join(dir, id)).then((theme) =>
        createThemeRenderer(theme, limits),
      )
      // A failed load is not kept: the next page tries again (and reports again).
      renderer.catch(() => loaded.delete(id))
      loaded.set(id, renderer)
    }
    return renderer
  }

  function bundledIds(): Promise<readonly string[]> {
    ids ??= readdir(dir, { withFileTypes: true }).then(async (entries) => {
      const found: string[] = []
      for (const entry of entries) {
        if (!entry.isDirectory()) continue
        const files = await readdir(path.join(dir, entry.name))
        if (files.includes('theme.json')) found.push(entry.name)
      }
      return found.sort()
    })
    return ids
  }

  /** Loads an installed version; the map is bounded by evicting the least recently used. */
  function installedVersion(id: string, version: string): Promise<ThemeRenderer> {
    const key = `${id}@${version}`
    const held = installed.get(key)
    if (held !== undefined) {
      installed.delete(key)
      installed.set(key, held)
      return held
    }
    const source = options.installed
    const renderer = (async () => {
      const files = source ? await source(id) : undefined
      if (files === undefined) throw new Error(`the theme "${id}" is not installed`)
      return createThemeRenderer(buildTheme(files), limits)
    })()
    installed.set(key, renderer)
    renderer.catch(() => installed.delete(key))
    while (installed.size > capacity) installed.delete(installed.keys().next().value as string)
    return renderer
  }

  async function forSite(ref: SiteThemeRef): Promise<ThemeRenderer> {
    const id = ref.themeId ?? DEFAULT_THEME_ID
    if (id === DEFAULT_THEME_ID) return bundled(id)
    const key = `${id}@${ref.version ?? ''}`
    const failure = failed.get(key)
    if (failure !== undefined && failure.until > now()) return bundled(DEFAULT_THEME_ID)
    try {
      if ((await bundledIds()).includes(id)) return await bundled(id)
      if (ref.version === null) throw new Error(`the theme "${id}" is not installed`)
      return await installedVersion(id, ref.version)
    } catch (err) {
      const message = messageOf(err)
      failed.set(key, { until: now() + FAILED_LOAD_RETRY_MS, message })
      if (failed.size > 1000) failed.clear()
      options.onFallback?.({
        siteId: ref.siteId,
        themeId: id,
        version: ref.version,
        path: ref.path ?? '',
        requestId: ref.requestId ?? '',
        message,
      })
      return bundled(DEFAULT_THEME_ID)
    }
  }

  return { bundled, bundledIds, forSite }
}

/** A load failure in one line: the issues of an invalid theme, or the error's message. */
function messageOf(err: unknown): string {
  const details = (err as { details?: { issues?: { path: string; message: string }[] } }).details
  const issues = details?.issues?.slice(0, 3).map((i) => `${i.path}: ${i.message}`)
  const text =
    issues && issues.length > 0
      ? `the theme is not valid: ${issues.join('; ')}`
      : String((err as Error)?.message ?? err)
  return text.split('\n')[0]?.slice(0, 500) ?? ''
}
