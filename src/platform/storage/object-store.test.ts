import { describe, expect, it } from 'vitest'
import { assertKeyPrefix, assertObjectKey, isObjectKey, resolveByteRange } from './object-store.ts'

const SITE = '0b4e7a0e-5d3c-4a4e-9b7e-2f1c3d4e5f60'

describe('object keys', () => {
  it.each([
    ['a site id alone', SITE],
    ['letters, digits, dot, dash and underscore', `${SITE}/media/2026_05/Photo-1.final.JPG`],
    ['a segment that starts with a dot', `${SITE}/.well-known`],
    ['exactly 512 characters', `${SITE}/${'a'.repeat(512 - SITE.length - 1)}`],
  ])('accepts %s', (_label, key) => {
    expect(isObjectKey(key)).toBe(true)
    expect(() => assertObjectKey(key)).not.toThrow()
  })

  it('refuses 513 characters with a coded error', () => {
    const key = `${SITE}/${'a'.repeat(512 - SITE.length)}`
    expect(isObjectKey(key)).toBe(false)
    expect(() => assertObjectKey(key)).toThrow(
      expect.objectContaining({ code: 'COLOPHON_STORAGE_KEY_INVALID' }),
    )
  })

  it.each(['', SITE.slice(0, 8), SITE, `${SITE}/`, `${SITE}/med`, `${SITE}/media/..x`])(
    'accepts the prefix %j',
    (prefix) => expect(() => assertKeyPrefix(prefix)).not.toThrow(),
  )
})

describe('byte ranges', () => {
  it('clamps the end to the last byte and fills an open end', () => {
    expect(resolveByteRange({ start: 2, end: 99 }, 10)).toEqual({ start: 2, end: 9 })
    expect(resolveByteRange({ start: 2 }, 10)).toEqual({ start: 2, end: 9 })
  })

  it('refuses a start at the size, and every range of an empty object', () => {
    const refused = expect.objectContaining({ code: 'COLOPHON_STORAGE_RANGE_NOT_SATISFIABLE' })
    expect(() => resolveByteRange({ start: 10 }, 10)).toThrow(refused)
    expect(() => resolveByteRange({ start: 0, end: 0 }, 0)).toThrow(refused)
  })
})
