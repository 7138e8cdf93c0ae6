import { zipSync, type ZipOptions } from 'fflate'

/**
 * Theme archives for tests, made with the same zip library the server reads them with. `themeZip` gives a
 * valid theme (manifest and index template added unless given); `zipOf` writes exactly the entries named,
 * for archives that break a rule.
 */

export type ZipEntry = string | Uint8Array | [string | Uint8Array, ZipOptions]

const bytesOf = (content: string | Uint8Array): Uint8Array =>
  typeof content === 'string' ? new TextEncoder().encode(content) : content

/** A zip of exactly these entries, by name (names are written as given: `../x`, `/abs`, `a\\b`). */
export function zipOf(entries: Record<string, ZipEntry>, options: ZipOptions = {}): Buffer {
  const data: Record<string, Uint8Array | [Uint8Array, ZipOptions]> = {}
  for (const [name, entry] of Object.entries(entries))
    data[name] = Array.isArray(entry) ? [bytesOf(entry[0]), entry[1]] : bytesOf(entry)
  return Buffer.from(zipSync(data, options))
}

/** A valid theme's archive: `theme.json` from `manifest` and a plain `templates/index.liquid` unless given. */
export function themeZip(
  manifest: Record<string, unknown> = {},
  files: Record<string, ZipEntry> = {},
): Buffer {
  return zipOf({
    'theme.json': JSON.stringify({
      id: 'harbour',
      name: 'Harbour',
      version: '1.0.0',
      supports: [],
      menuLocations: [],
      settings: [],
      ...manifest,
    }),
    'templates/index.liquid':
      '<!doctype html><title>{{ site.name }}</title><p>{{ theme.settings | json }}</p>',
    ...files,
  })
}
