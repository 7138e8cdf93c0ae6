import { parseFeed } from '@rowanmanning/feed-parser'
import { describe, expect, it } from 'vitest'
import { atomOf, jsonFeedOf, rssOf, xmlText, type FeedModel } from './feed-formats.ts'

const model: FeedModel = {
  id: 'urn:uuid:0190a3b2-1c4d-7e8f-9a0b-1c2d3e4f5a6b',
  title: 'Tom & <Jerry>',
  description: 'Cats "and" mice',
  language: 'en-GB',
  homeUrl: 'https://example.org/',
  urls: {
    rss: 'https://example.org/feed',
    atom: 'https://example.org/feed/atom',
    json: 'https://example.org/feed/json',
  },
  items: [
    {
      id: 'urn:uuid:0190a3b2-1c4d-7e8f-9a0b-000000000001',
      url: 'https://example.org/2026/03/a?x=1&y=2',
      title: 'A <b>bold</b> claim\u0001',
      summary: 'Short & sweet',
      contentHtml: '<p>Body &amp; soul</p>',
      published: '2026-03-09T12:00:00.000Z',
      updated: '2026-03-10T08:30:00.000Z',
      author: 'Ann',
      categories: [{ term: 'news', label: 'News & views' }],
    },
  ],
}

describe('feed formats', () => {
  it('escape text for XML and drop the characters XML cannot carry', () => {
    expect(xmlText('a & b < c > d " e \' f\u0000\u0008\ufffe')).toBe(
      'a &amp; b &lt; c &gt; d &quot; e &apos; f',
    )
    expect(xmlText('tab\tand\nnewline')).toBe('tab\tand\nnewline')
  })

  it.each([
    ['RSS 2.0', rssOf],
    ['Atom 1.0', atomOf],
  ])('%s reads back through a feed parser, text and markup intact', (_name, write) => {
    const xml = write(model)
    // The body's markup is escaped once, as XML text (its own escapes stay escapes).
    expect(xml).toContain('&lt;p&gt;Body &amp;amp; soul&lt;/p&gt;')
    const feed = parseFeed(xml)
    expect(feed.title).toBe('Tom & <Jerry>')
    const [item] = feed.items
    expect(item).toBeDefined()
    expect(item?.title).toBe('A <b>bold</b> claim')
    expect(item?.url).toBe('https://example.org/2026/03/a?x=1&y=2')
    expect(item?.id).toBe('urn:uuid:0190a3b2-1c4d-7e8f-9a0b-000000000001')
    expect(item?.published?.toISOString()).toBe('2026-03-09T12:00:00.000Z')
    expect(item?.content).toMatch(/^<p>Body (&amp;|&) soul<\/p>$/)
    expect(item?.categories.map((c) => c.label ?? c.term)).toContain('News & views')
    expect(item?.authors.map((a) => a.name)).toEqual(['Ann'])
  })

  it('writes an empty feed with a fixed date, so it does not change by itself', () => {
    const empty = { ...model, items: [] }
    expect(rssOf(empty)).toContain('<lastBuildDate>Thu, 01 Jan 1970 00:00:00 GMT</lastBuildDate>')
    expect(atomOf(empty)).toContain('<updated>1970-01-01T00:00:00.000Z</updated>')
    expect(parseFeed(atomOf(empty)).items).toEqual([])
  })

  it('writes JSON Feed 1.1 with the fields the specification requires', () => {
    const feed = JSON.parse(jsonFeedOf(model)) as Record<string, unknown> & {
      items: Record<string, unknown>[]
    }
    expect(feed).toMatchObject({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'Tom & <Jerry>',
      feed_url: 'https://example.org/feed/json',
      home_page_url: 'https://example.org/',
      language: 'en-GB',
    })
    expect(feed.items[0]).toEqual({
      id: 'urn:uuid:0190a3b2-1c4d-7e8f-9a0b-000000000001',
      url: 'https://example.org/2026/03/a?x=1&y=2',
      title: 'A <b>bold</b> claim\u0001',
      content_html: '<p>Body &amp; soul</p>',
      summary: 'Short & sweet',
      date_published: '2026-03-09T12:00:00.000Z',
      date_modified: '2026-03-10T08:30:00.000Z',
      authors: [{ name: 'Ann' }],
      tags: ['News & views'],
    })
  })
})
