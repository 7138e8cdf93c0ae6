import { describe, expect, it } from 'vitest'
import { manifestOf } from './theme.fixture.ts'
import type { ThemeFile } from './theme.loader.ts'
import { createThemeRegistry, type ThemeFallback } from './theme.registry.ts'

/** The registry's choice of renderer for a site: bundled, installed (kept per version, bounded), fallback. */

const filesOf = (id: string, index: string): ThemeFile[] => [
  { path: 'theme.json', bytes: Buffer.from(JSON.stringify(manifestOf({ id }))) },
  { path: 'templates/index.liquid', bytes: Buffer.from(index) },
]

function registryWith(stored: Map<string, ThemeFile[]>, installedVersions = 2) {
  const loads: string[] = []
  const fallbacks: ThemeFallback[] = []
  let clock = 0
  const registry = createThemeRegistry({
    installed: async (id) => {
      loads.push(id)
      return stored.get(id)
    },
    installedVersions,
    onFallback: (f) => fallbacks.push(f),
    clock: () => clock,
  })
  return { registry, loads, fallbacks, advance: (ms: number) => (clock += ms) }
}

const site = { siteId: '00000000-0000-7000-8000-000000000001' }

describe('ThemeRegistry.forSite', () => {
  it('gives the default theme to a site that chose none, and bundled themes by id', async () => {
    const { registry, loads } = registryWith(new Map())
    const renderer = await registry.forSite({ ...site, themeId: null, version: null })
    expect(renderer.theme.manifest.id).toBe('colophon')
    expect(await registry.forSite({ ...site, themeId: 'colophon', version: null })).toBe(renderer)
    expect(loads).toEqual([])
  })

  it('keeps installed versions, the least recently used evicted past the bound', async () => {
    const stored = new Map([
      ['aa', filesOf('aa', 'a')],
      ['bb', filesOf('bb', 'b')],
      ['cc', filesOf('cc', 'c')],
    ])
    const { registry, loads } = registryWith(stored, 2)
    const ref = (themeId: string) => ({ ...site, themeId, version: `v-${themeId}` })
    const a = await registry.forSite(ref('aa'))
    await registry.forSite(ref('bb'))
    expect(await registry.forSite(ref('aa'))).toBe(a)
    await registry.forSite(ref('cc'))
    expect(loads).toEqual(['aa', 'bb', 'cc'])
    // bb was the least recently used: evicted; aa stays.
    await registry.forSite(ref('bb'))
    await registry.forSite(ref('cc'))
    expect(loads).toEqual(['aa', 'bb', 'cc', 'bb'])
  })

  it('falls back to the default for a missing or broken theme, reports it, and retries later', async () => {
    const stored = new Map([['bad', filesOf('bad', '{% if x %}unclosed')]])
    const { registry, loads, fallbacks, advance } = registryWith(stored)
    const ref = { ...site, themeId: 'bad', version: 'v1', path: '/p', requestId: 'r' }
    expect((await registry.forSite(ref)).theme.manifest.id).toBe('colophon')
    expect(fallbacks).toEqual([
      expect.objectContaining({ themeId: 'bad', version: 'v1', path: '/p', requestId: 'r' }),
    ])
    expect(fallbacks[0]?.message).toContain('templates/index.liquid')
    await registry.forSite(ref)
    expect(loads).toEqual(['bad'])
    advance(60_000)
    await registry.forSite(ref)
    expect(loads).toEqual(['bad', 'bad'])
    const missing = await registry.forSite({ ...site, themeId: 'gone', version: null })
    expect(missing.theme.manifest.id).toBe('colophon')
    expect(fallbacks.map((f) => f.themeId)).toEqual(['bad', 'bad', 'gone'])
  })
})
