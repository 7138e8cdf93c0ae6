import { describe, expect, it } from 'vitest'
import {
  DEFAULT_ALLOWED_CATEGORIES,
  MEDIA_CATEGORIES,
  MEDIA_CATEGORY_LIST,
  MEDIA_TYPES,
  isMediaCategory,
  mediaTypeOf,
} from './media-types.ts'

describe('the media allow-list', () => {
  it('lists the MIME types of each category', () => {
    expect(MEDIA_CATEGORIES.image).toEqual([
      'image/jpeg',
      'image/png',
      'image/gif',
      'image/webp',
      'image/avif',
    ])
    expect(MEDIA_CATEGORIES.pdf).toEqual(['application/pdf'])
    expect(MEDIA_CATEGORIES.svg).toEqual(['image/svg+xml'])
    expect(MEDIA_CATEGORIES.document).toContain('text/csv')
    expect(Object.keys(MEDIA_CATEGORIES)).toEqual([...MEDIA_CATEGORY_LIST])
  })

  it('keeps SVG off for a new site', () => {
    expect(DEFAULT_ALLOWED_CATEGORIES).not.toContain('svg')
    expect(DEFAULT_ALLOWED_CATEGORIES).toEqual(MEDIA_CATEGORY_LIST.filter((c) => c !== 'svg'))
  })

  it('gives each sniffer name one type, and each type its own extension among its names', () => {
    const names = MEDIA_TYPES.flatMap((t) => t.detectedAs)
    expect(new Set(names).size).toBe(names.length)
    for (const t of MEDIA_TYPES) expect(t.extensions).toContain(t.ext)
    expect(mediaTypeOf('apng')?.mime).toBe('image/png')
    expect(mediaTypeOf('zip')).toBeUndefined()
  })

  it('tells a category name from anything else', () => {
    expect(isMediaCategory('video')).toBe(true)
    expect(isMediaCategory('html')).toBe(false)
    expect(isMediaCategory(3)).toBe(false)
  })
})
