import { describe, expect, it } from 'vitest'
import {
  MAX_PAGE_NUMBER,
  MAX_PATH_LENGTH,
  parseRequestPath,
  pathOf,
  splitPageNumber,
} from './request-path.ts'

describe('request paths', () => {
  it('decodes each segment once and spells the path canonically', () => {
    expect(parseRequestPath('/')).toEqual({ ok: true, segments: [], canonical: '/', isCanonical: true })
    expect(parseRequestPath('/2026/01/hello?utm=x')).toEqual({
      ok: true,
      segments: ['2026', '01', 'hello'],
      canonical: '/2026/01/hello',
      isCanonical: true,
    })
    expect(parseRequestPath('/caf%C3%A9')).toMatchObject({
      segments: ['café'],
      canonical: '/caf%C3%A9',
      isCanonical: true,
    })
    // Double-encoding is decoded once only: %2541 is the text "%41", not "A".
    expect(parseRequestPath('/a%2541')).toMatchObject({ segments: ['a%41'], canonical: '/a%2541' })
  })

  it.each([
    ['/about/', '/about'],
    ['//about', '/about'],
    ['/a//b/', '/a/b'],
    ['/caf\u00e9', '/caf%C3%A9'],
    ['/%61bout', '/about'],
  ])('treats %s as a non-canonical spelling of %s', (raw, canonical) => {
    expect(parseRequestPath(raw)).toMatchObject({ ok: true, canonical, isCanonical: false })
  })

  it.each([
    ['/%E0%A4%A', 'undecodable'],
    ['/%ZZ', 'undecodable'],
    ['/a%00b', 'control-character'],
    ['/a%0Ab', 'control-character'],
    ['/a/../b', 'dot-segment'],
    ['/a/%2e%2e/b', 'dot-segment'],
    ['/a/./b', 'dot-segment'],
    ['/a%2Fb', 'encoded-slash'],
    ['/a%5Cb', 'encoded-slash'],
    [`/${'a'.repeat(MAX_PATH_LENGTH)}`, 'too-long'],
  ])('refuses %s (%s)', (raw, reason) => {
    expect(parseRequestPath(raw)).toEqual({ ok: false, reason })
  })

  it('spells decoded segments as permalinks do', () => {
    expect(pathOf(['a b', 'ü', '%'])).toBe('/a%20b/%C3%BC/%25')
  })

  it('splits a page number off a listing path', () => {
    expect(splitPageNumber(['category', 'news', 'page', '3'])).toEqual({
      base: ['category', 'news'],
      page: 3,
      canonicalPage: true,
    })
    expect(splitPageNumber(['page', '2'])).toEqual({ base: [], page: 2, canonicalPage: true })
    expect(splitPageNumber(['page', '1'])).toEqual({ base: [], page: 1, canonicalPage: false })
    for (const number of ['0', '01', '-2', '2.5', 'x', String(MAX_PAGE_NUMBER + 1)])
      expect(splitPageNumber(['news', 'page', number]), number).toEqual({
        base: ['news', 'page', number],
        page: 1,
        canonicalPage: true,
      })
    expect(splitPageNumber(['page'])).toEqual({ base: ['page'], page: 1, canonicalPage: true })
  })
})
