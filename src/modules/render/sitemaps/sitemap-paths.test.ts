import { describe, expect, it } from 'vitest'
import { parseSiteDocumentPath, sitemapChildPath } from './sitemap-paths.ts'

describe('site document paths', () => {
  it('reads robots.txt, the index and the front page', () => {
    expect(parseSiteDocumentPath('/robots.txt')).toEqual({ kind: 'robots' })
    expect(parseSiteDocumentPath('/sitemap.xml')).toEqual({ kind: 'index' })
    expect(parseSiteDocumentPath('/sitemap-home.xml')).toEqual({ kind: 'home' })
  })

  it('reads back every child path it writes, keys with hyphens and digits included', () => {
    for (const child of [
      { kind: 'type', key: 'post', page: 1 },
      { kind: 'type', key: 'how-to-2', page: 12 },
      { kind: 'taxonomy', key: 'tag', page: 3 },
      { kind: 'taxonomy', key: 'type-1', page: 999_999_999 },
    ] as const) {
      const path = sitemapChildPath(child)
      expect(parseSiteDocumentPath(path)).toEqual({ kind: 'child', child })
    }
    expect(sitemapChildPath({ kind: 'type', key: 'post', page: 2 })).toBe('/sitemap-type-post-2.xml')
  })

  it('names nothing else', () => {
    for (const path of [
      '/',
      '/robots.txt/',
      '/Sitemap.xml',
      '/sitemap-type-post-0.xml',
      '/sitemap-type-post-01.xml',
      '/sitemap-type-post-1234567890.xml',
      '/sitemap-type-Post-1.xml',
      '/sitemap-type--1.xml',
      '/sitemap-post-1.xml',
      '/sitemap-type-post.xml',
      '/sitemap-type-post-1.xml.gz',
      '/blog/sitemap.xml',
    ])
      expect(parseSiteDocumentPath(path), path).toBeUndefined()
  })
})
