import { describe, expect, it } from 'vitest'
import { THEME_LIMITS, checkThemeFiles, classifyThemeFile } from './theme.files.ts'

const kindOf = (path: string) => {
  const c = classifyThemeFile(path)
  return 'kind' in c ? c.kind : 'refused'
}

describe('theme files', () => {
  it('accepts the manifest, templates, partials, assets, translations and documents where they belong', () => {
    expect(kindOf('theme.json')).toBe('manifest')
    expect(kindOf('templates/entry-post.liquid')).toBe('template')
    expect(kindOf('partials/layouts/base.liquid')).toBe('partial')
    expect(kindOf('assets/css/site.css')).toBe('asset')
    expect(kindOf('assets/fonts/inter.woff2')).toBe('asset')
    expect(kindOf('locales/pt-BR.json')).toBe('locale')
    expect(kindOf('README.md')).toBe('document')
    expect(kindOf('screenshot.png')).toBe('document')
  })

  it.each([
    ['../outside.liquid', 'a parent reference'],
    ['templates/../../etc/passwd', 'a parent reference inside'],
    ['/etc/passwd', 'an absolute path'],
    ['templates\\index.liquid', 'a backslash'],
    ['assets/.htaccess', 'a hidden file'],
    ['.git/config', 'a hidden folder'],
    ['server.js', 'code at the top level'],
    ['assets/shell.php', 'an executable script'],
    ['assets/page.html', 'HTML as an asset'],
    ['templates/entry.html', 'a template that is not Liquid'],
    ['templates/nested/entry.liquid', 'a nested template'],
    ['templates/Entry.liquid', 'a template name in upper case'],
    ['locales/english.json', 'a translation not named by language'],
    ['plugins/x.js', 'an unknown folder'],
    ['assets/a/b/c/d/e/f.css', 'nesting past the bound'],
    [`assets/${'a'.repeat(THEME_LIMITS.pathLength)}.css`, 'an overlong path'],
  ])('refuses %s (%s)', (path) => {
    expect(kindOf(path)).toBe('refused')
  })

  it('checks counts, sizes, duplicates and the two files every theme needs', () => {
    expect(
      checkThemeFiles([
        { path: 'theme.json', bytes: 10 },
        { path: 'templates/index.liquid', bytes: 5 },
      ]),
    ).toEqual([])
    const issues = checkThemeFiles([
      { path: 'assets/big.png', bytes: THEME_LIMITS.fileBytes + 1 },
      { path: 'assets/a.css', bytes: 1 },
      { path: 'assets/A.css', bytes: 1 },
    ])
    expect(issues.map((i) => [i.path, i.message.split(' ')[0]])).toEqual([
      ['assets/big.png', 'larger'],
      ['assets/A.css', 'listed'],
      ['theme.json', 'missing:'],
      ['templates/index.liquid', 'missing:'],
    ])
    const many = Array.from({ length: THEME_LIMITS.files + 1 }, (_, i) => ({
      path: `assets/${i}.css`,
      bytes: 1,
    }))
    expect(checkThemeFiles(many)[0]).toEqual({ path: '', message: `more than ${THEME_LIMITS.files} files` })
    const heavy = Array.from({ length: 11 }, (_, i) => ({
      path: `assets/${i}.png`,
      bytes: THEME_LIMITS.fileBytes,
    }))
    expect(checkThemeFiles(heavy).some((i) => i.message.includes('in all'))).toBe(true)
  })
})
