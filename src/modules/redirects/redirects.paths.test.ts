import { describe, expect, it } from 'vitest'
import { normaliseFromPath, normaliseToPath, sitePathOf } from './redirects.paths.ts'

const value = (check: ReturnType<typeof normaliseFromPath>) => (check.ok ? check.value : `!${check.code}`)

describe('redirect paths', () => {
  it('gives every source path one spelling', () => {
    expect(value(normaliseFromPath('/caf%c3%a9'))).toBe('/caf%C3%A9')
    expect(value(normaliseFromPath('/café'))).toBe('/caf%C3%A9')
    expect(value(normaliseFromPath('/%7euser/%41'))).toBe('/~user/A')
    expect(value(normaliseFromPath('/a%2Fb'))).toBe('/a%2Fb')
    expect(value(normaliseFromPath('/a b'))).toBe('/a%20b')
  })

  it('refuses sources that are not plain site paths', () => {
    expect(value(normaliseFromPath('relative'))).toBe('!path')
    expect(value(normaliseFromPath('//host/x'))).toBe('!path')
    expect(value(normaliseFromPath('http://host/x'))).toBe('!path')
    expect(value(normaliseFromPath('/x?y'))).toBe('!query')
    expect(value(normaliseFromPath('/x#y'))).toBe('!query')
    expect(value(normaliseFromPath('/a/./b'))).toBe('!dotSegment')
    expect(value(normaliseFromPath('/a/%2E%2e'))).toBe('!dotSegment')
    expect(value(normaliseFromPath('/a%2'))).toBe('!encoding')
    expect(value(normaliseFromPath('/\ud800'))).toBe('!encoding')
    expect(value(normaliseFromPath('/a\nb'))).toBe('!control')
    expect(value(normaliseFromPath(`/${'%41'.repeat(1999)}`))).toBe(`/${'A'.repeat(1999)}`)
    expect(value(normaliseFromPath(`/${'a'.repeat(2000)}`))).toBe('!tooLong')
  })

  it('keeps targets on the site or on http(s), never anywhere a browser would run or leave by surprise', () => {
    expect(value(normaliseToPath('/menu?q=a b#Top'))).toBe('/menu?q=a%20b#Top')
    expect(value(normaliseToPath('HTTPS://Example.org/x'))).toBe('https://example.org/x')
    expect(value(normaliseToPath('/\\evil.example'))).toBe('/%5Cevil.example')
    expect(value(normaliseToPath('\\\\evil.example'))).toBe('!path')
    expect(value(normaliseToPath('javascript:alert(1)'))).toBe('!scheme')
    expect(value(normaliseToPath(' JavaScript:alert(1)'))).toBe('!scheme')
    expect(value(normaliseToPath('data:text/html,x'))).toBe('!scheme')
    expect(value(normaliseToPath('//evil.example'))).toBe('!path')
    expect(value(normaliseToPath('https://u:p@example.org'))).toBe('!url')
    expect(value(normaliseToPath('/\t/evil.example'))).toBe('!control')
  })

  it('reads the site path a target leads to', () => {
    expect(sitePathOf('/a?x#y')).toBe('/a')
    expect(sitePathOf('https://example.org/a')).toBeNull()
  })
})
