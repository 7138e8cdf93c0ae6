import { buildTheme, type LoadedTheme } from './theme.loader.ts'
import type { ThemeManifest } from './theme.manifest.ts'

/** A minimal valid manifest, with the fields a test overrides. */
export function manifestOf(overrides: Partial<ThemeManifest> = {}): ThemeManifest {
  return {
    id: 'probe',
    name: 'Probe',
    version: '1.0.0',
    supports: [],
    menuLocations: [],
    settings: [],
    ...overrides,
  }
}

/** A theme from file texts by path (theme.json and templates/index.liquid added unless given). */
export function themeOf(
  files: Record<string, string | Buffer>,
  manifest?: Partial<ThemeManifest>,
): LoadedTheme {
  const all: Record<string, string | Buffer> = {
    'theme.json': JSON.stringify(manifestOf(manifest)),
    'templates/index.liquid': 'index',
    ...files,
  }
  return buildTheme(Object.entries(all).map(([path, content]) => ({ path, bytes: Buffer.from(content) })))
}
