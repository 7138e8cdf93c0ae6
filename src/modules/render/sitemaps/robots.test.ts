import { describe, expect, it } from 'vitest'
import { robotsTxtOf } from './robots.ts'

const sitemapUrl = 'https://example.test/sitemap.xml'

describe('robotsTxtOf', () => {
  it('allows everything when the site has no rules, and names the sitemap', () => {
    for (const rules of ['', '\n\n', '  \r\n'])
      expect(robotsTxtOf({ rules, discourageIndexing: false, sitemapUrl })).toBe(
        `User-agent: *\nAllow: /\n\nSitemap: ${sitemapUrl}\n`,
      )
  })

  it('serves the site’s rules with unix line ends, the sitemap last and once', () => {
    const rules = `\r\nUser-agent: *\r\nDisallow: /drafts/   \r\nsitemap:  ${sitemapUrl}\r\nSitemap: https://example.test/other.xml\r\n\r\n`
    expect(robotsTxtOf({ rules, discourageIndexing: false, sitemapUrl })).toBe(
      `User-agent: *\nDisallow: /drafts/\nSitemap: https://example.test/other.xml\n\nSitemap: ${sitemapUrl}\n`,
    )
  })

  it('disallows everything and names no sitemap when indexing is discouraged', () => {
    expect(robotsTxtOf({ rules: 'User-agent: *\nAllow: /', discourageIndexing: true, sitemapUrl })).toBe(
      'User-agent: *\nDisallow: /\n',
    )
  })
})
