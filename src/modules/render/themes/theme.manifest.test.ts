import { describe, expect, it } from 'vitest'
import { parseManifest, settingValues, type ThemeManifest } from './theme.manifest.ts'
import { manifestOf } from './theme.fixture.ts'

const issuesOf = (value: unknown) => {
  const parsed = parseManifest(typeof value === 'string' ? value : JSON.stringify(value))
  return 'issues' in parsed ? parsed.issues : []
}

const settings: ThemeManifest['settings'] = [
  { key: 'accent', type: 'color', label: 'Accent', default: '#0055aa' },
  { key: 'tagline', type: 'text', label: 'Tagline', default: 'Hello', maxLength: 10 },
  { key: 'dark', type: 'boolean', label: 'Dark mode', default: true },
  {
    key: 'layout',
    type: 'select',
    label: 'Layout',
    default: 'wide',
    options: [
      { value: 'wide', label: 'Wide' },
      { value: 'narrow', label: 'Narrow' },
    ],
  },
  { key: 'logo', type: 'media', label: 'Logo' },
]

describe('theme manifest', () => {
  it('reads a full manifest', () => {
    const manifest = manifestOf({ settings, menuLocations: [{ key: 'primary', label: 'Main menu' }] })
    expect(parseManifest(JSON.stringify(manifest))).toEqual({ manifest })
  })

  it('names every problem with its field', () => {
    expect(issuesOf('{not json')[0]?.message).toMatch(/^not JSON/)
    expect(issuesOf({ ...manifestOf(), id: 'Bad Id' }).map((i) => i.path)).toEqual(['theme.json/id'])
    expect(issuesOf({ ...manifestOf(), version: 'latest' }).map((i) => i.path)).toEqual([
      'theme.json/version',
    ])
    expect(issuesOf({ ...manifestOf(), script: 'index.js' })).not.toEqual([])
    expect(issuesOf(manifestOf({ settings: [settings[0]!, settings[0]!] }))).toEqual([
      { path: 'theme.json/settings', message: 'setting "accent" is declared twice' },
    ])
    const select = { ...settings[3]!, default: 'missing' } as ThemeManifest['settings'][number]
    expect(issuesOf(manifestOf({ settings: [select] }))).toEqual([
      { path: 'theme.json/settings/0/default', message: 'not one of the options' },
    ])
    expect(
      issuesOf(
        manifestOf({
          menuLocations: [
            { key: 'primary', label: 'A' },
            { key: 'primary', label: 'B' },
          ],
        }),
      )[0]?.message,
    ).toBe('menu location "primary" is declared twice')
  })

  it('gives templates every setting: the stored value when valid, else the default', () => {
    const manifest = manifestOf({ settings })
    expect(settingValues(manifest)).toEqual({
      accent: '#0055aa',
      tagline: 'Hello',
      dark: true,
      layout: 'wide',
      logo: null,
    })
    expect(
      settingValues(manifest, {
        accent: '#112233',
        tagline: 'far too long for the bound',
        dark: 'yes',
        layout: 'narrow',
        logo: '0190a3b2-1c4d-7e8f-9a0b-1c2d3e4f5a6b',
        unknown: 'ignored',
      }),
    ).toEqual({
      accent: '#112233',
      tagline: 'Hello',
      dark: true,
      layout: 'narrow',
      logo: '0190a3b2-1c4d-7e8f-9a0b-1c2d3e4f5a6b',
    })
  })
})
