import { describe, expect, it } from 'vitest'
import { sitemapIndexXml, urlSetXml } from './sitemap-xml.ts'

describe('sitemap documents', () => {
  it('writes a url set with escaped locations and optional lastmod', () => {
    expect(
      urlSetXml([
        { loc: 'https://example.test/a?x=1&y=<2>', lastmod: '2026-03-09T12:00:00Z' },
        { loc: 'https://example.test/caf%C3%A9', lastmod: null },
      ]),
    ).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' +
        '<url><loc>https://example.test/a?x=1&amp;y=&lt;2&gt;</loc><lastmod>2026-03-09T12:00:00Z</lastmod></url>\n' +
        '<url><loc>https://example.test/caf%C3%A9</loc></url>\n</urlset>\n',
    )
  })

  it('writes a sitemap index', () => {
    expect(sitemapIndexXml([{ loc: 'https://example.test/sitemap-home.xml', lastmod: null }])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' +
        '<sitemap><loc>https://example.test/sitemap-home.xml</loc></sitemap>\n</sitemapindex>\n',
    )
  })
})
