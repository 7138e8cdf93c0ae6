import { describe, expect, it } from 'vitest'
import { decodeUtf8, invalidStringIn, isValidText, urlTextProblem } from './text.rules.ts'

describe('request text rules', () => {
  it('refuses NUL and unpaired surrogates, accepts any well-formed text', () => {
    expect(isValidText('plain, accentué, 日本語, 🎉')).toBe(true)
    expect(isValidText('a\u0000b')).toBe(false)
    expect(isValidText('a\ud800b')).toBe(false)
    expect(isValidText('\udc00')).toBe(false)
    expect(isValidText('\ud83c\udf89')).toBe(true)
  })

  it('decodes strict UTF-8 and returns null instead of replacement characters', () => {
    expect(decodeUtf8(Buffer.from('héllo', 'utf8'))).toBe('héllo')
    expect(decodeUtf8(Uint8Array.from([0x68, 0xff]))).toBeNull()
    expect(decodeUtf8(Uint8Array.from([0xc3, 0x28]))).toBeNull()
    // A surrogate encoded as UTF-8 (CESU-8) is not UTF-8 either.
    expect(decodeUtf8(Uint8Array.from([0xed, 0xa0, 0x80]))).toBeNull()
  })

  it('finds NUL and invalid UTF-8 in the path or the query once percent-decoded', () => {
    expect(urlTextProblem('/api/v1/sites/main/entries?search=hello&limit=5')).toBeNull()
    expect(urlTextProblem('/api/v1/sites/caf%C3%A9/entries?search=%E2%9C%93')).toBeNull()
    expect(urlTextProblem('/api/v1/sites/%00/entries')).toBe('path')
    expect(urlTextProblem('/api/v1/sites/%ff/entries')).toBe('path')
    expect(urlTextProblem('/api/v1/sites/main/entries?search=%00')).toBe('query')
    expect(urlTextProblem('/api/v1/sites/main/entries?search=%c3%28')).toBe('query')
    expect(urlTextProblem('/api/v1/sites/main/entries?search=%ED%A0%80')).toBe('query')
    // A raw byte 0xFF arrives as U+00FF (Node reads the request line as Latin-1).
    expect(urlTextProblem('/api/v1/sites/\u00ff')).toBe('path')
    // Malformed escapes are not text problems (the router refuses them as bad requests).
    expect(urlTextProblem('/api/v1/%zz?x=%')).toBeNull()
  })

  it('points at the first invalid string of a JSON value, keys included', () => {
    expect(invalidStringIn({ name: 'ok', tags: ['a', 'b'], n: 1, on: true, none: null })).toBeNull()
    expect(invalidStringIn({ name: 'a\u0000b' })).toBe('/name')
    expect(invalidStringIn({ fields: { 'a/b': ['x', 'y\ud800'] } })).toBe('/fields/a~1b/1')
    expect(invalidStringIn({ ['bad\u0000key']: 1 })).toBe('/bad\uFFFDkey')
    expect(invalidStringIn('\ud800')).toBe('/')
  })

  it('walks 100,000 levels of nesting without overflowing the stack', () => {
    const depth = 100_000
    const deep = JSON.parse('['.repeat(depth) + '"\\u0000"' + ']'.repeat(depth)) as unknown
    const pointer = invalidStringIn(deep)
    expect(pointer?.length).toBe(depth * 2)
    expect(invalidStringIn(JSON.parse('['.repeat(depth) + ']'.repeat(depth)))).toBeNull()
  })
})
