import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadThemeFromDirectory } from './theme.loader.ts'
import {
  createThemeRenderer,
  DEFAULT_RENDER_LIMITS,
  type RenderLimits,
  type ThemeRenderer,
} from './theme.renderer.ts'

/** The themes that ship with Colophon (`themes/<id>/` at the top of the repository). */
export const BUNDLED_THEMES_DIR = fileURLToPath(new URL('../../../../themes/', import.meta.url))
export const DEFAULT_THEME_ID = 'colophon'

export interface ThemeRegistry {
  /** The renderer of a bundled theme, loaded and checked on first use, then kept. */
  bundled(id: string): Promise<ThemeRenderer>
}

export function createThemeRegistry(options: { dir?: string; limits?: RenderLimits } = {}): ThemeRegistry {
  const dir = options.dir ?? BUNDLED_THEMES_DIR
  const loaded = new Map<string, Promise<ThemeRenderer>>()
  return {
    bundled(id) {
      let renderer = loaded.get(id)
      if (renderer === undefined) {
        renderer = loadThemeFromDirectory(path.join(dir, id)).then((theme) =>
          createThemeRenderer(theme, options.limits ?? DEFAULT_RENDER_LIMITS),
        )
        // A failed load is not kept: the next page tries again (and reports again).
        renderer.catch(() => loaded.delete(id))
        loaded.set(id, renderer)
      }
      return renderer
    },
  }
}
