import { describe, expect, it } from 'vitest'
import { isAlreadyCopied } from './copy.ts'
import type { ObjectInfo } from './object-store.ts'

const SITE = '0b4e7a0e-5d3c-4a4e-9b7e-2f1c3d4e5f60'

describe('isAlreadyCopied', () => {
  const source: ObjectInfo = {
    key: `${SITE}/a.jpg`,
    size: 10,
    contentType: 'image/jpeg',
    lastModified: new Date('2030-01-01T10:00:00.700Z'),
  }
  const at = (iso: string) => new Date(iso)

  it('holds for the same size and content type, written in the same second or later', () => {
    expect(isAlreadyCopied(source, { ...source, lastModified: at('2030-01-01T10:00:00.000Z') })).toBe(true)
    expect(isAlreadyCopied(source, { ...source, lastModified: at('2030-01-02T00:00:00Z') })).toBe(true)
  })

  it.each([
    ['absent', undefined],
    ['of another size', { ...source, size: 11 }],
    ['of another content type', { ...source, contentType: 'application/octet-stream' }],
    ['older than the source', { ...source, lastModified: at('2030-01-01T09:59:59.999Z') }],
  ])('fails for a target %s', (_label, target) => {
    expect(isAlreadyCopied(source, target)).toBe(false)
  })
})
