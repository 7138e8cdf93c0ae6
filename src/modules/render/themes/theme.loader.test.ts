import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RenderErrors } from '../render.errors.ts'
import { THEME_LIMITS } from './theme.files.ts'
import { buildTheme, loadThemeFromDirectory } from './theme.loader.ts'
import { manifestOf, themeOf } from './theme.fixture.ts'

const made: string[] = []
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A theme folder on disk with these files (theme.json and templates/index.liquid unless given). */
function folderOf(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'colophon-theme-'))
  made.push(root)
  const all = { 'theme.json': JSON.stringify(manifestOf()), 'templates/index.liquid': 'index', ...files }
  for (const [file, content] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
    writeFileSync(path.join(root, file), content)
  }
  return root
}

async function issuesOf(
  load: () => Promise<unknown> | unknown,
): Promise<{ path: string; message: string }[]> {
  try {
    await load()
  } catch (err) {
    if (RenderErrors.themeInvalid.is(err))
      return (err.details as { issues: { path: string; message: string }[] }).issues
    throw err
  }
  throw new Error('the theme loaded')
}

describe('theme loading', () => {
  it('loads a folder: manifest, templates, partials, assets by hash, translations, and a version', async () => {
    const root = folderOf({
      'templates/entry.liquid': 'entry',
      'partials/layouts/base.liquid': 'base',
      'assets/css/site.css': 'body{}',
      'locales/en.json': '{"hello":"Hello"}',
      'README.md': '# Probe',
    })
    const theme = await loadThemeFromDirectory(root)
    expect(theme.manifest.id).toBe('probe')
    expect([...theme.templates.keys()].sort()).toEqual(['entry', 'index'])
    expect([...theme.partials.keys()]).toEqual(['layouts/base'])
    expect(theme.assets.get('css/site.css')).toMatchObject({ contentType: 'text/css; charset=utf-8' })
    expect(theme.locales.get('en')).toEqual({ hello: 'Hello' })
    expect(theme.version).toMatch(/^[0-9a-f]{16}$/)
    // One byte changed anywhere gives another version.
    writeFileSync(path.join(root, 'assets/css/site.css'), 'body{ }')
    expect((await loadThemeFromDirectory(root)).version).not.toBe(theme.version)
  })

  it('follows no link, even to a file inside the theme', async () => {
    const root = folderOf({})
    symlinkSync('/etc/passwd', path.join(root, 'templates/passwd.liquid'))
    symlinkSync(path.join(root, 'templates/index.liquid'), path.join(root, 'templates/alias.liquid'))
    expect((await issuesOf(() => loadThemeFromDirectory(root))).map((i) => i.path).sort()).toEqual([
      'templates/alias.liquid',
      'templates/passwd.liquid',
    ])
  })

  it('refuses files a theme may not hold, and reads none of a folder over its bounds', async () => {
    const root = folderOf({
      'assets/run.php': '<?php',
      'assets/huge.png': Buffer.alloc(THEME_LIMITS.fileBytes + 1),
    })
    expect(await issuesOf(() => loadThemeFromDirectory(root))).toEqual(
      [
        { path: 'assets/huge.png', message: expect.stringMatching(/^larger than/) },
        { path: 'assets/run.php', message: expect.stringMatching(/^assets may be/) },
      ].sort((a, b) => a.path.localeCompare(b.path)),
    )
  })

  it('refuses a broken manifest, text that is not UTF-8 and translations that are not flat text', async () => {
    const issues = await issuesOf(() =>
      themeOf({
        'theme.json': '{"id":"x"}',
        'partials/bad.liquid': Buffer.from([0xff, 0xfe, 0x00]),
        'locales/en.json': '{"nested":{"a":"b"}}',
      }),
    )
    expect(issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['theme.json', 'partials/bad.liquid', 'locales/en.json']),
    )
    expect(await issuesOf(() => buildTheme([]))).toEqual([
      { path: 'theme.json', message: expect.stringMatching(/^missing/) },
      { path: 'templates/index.liquid', message: expect.stringMatching(/^missing/) },
    ])
  })
})
