import { describe, expect, it } from 'vitest'
import {
  authorArchivePath,
  dateArchivePath,
  dateRangeOf,
  listingPagePath,
  parseListingPath,
  termArchivePath,
  typeArchivePath,
} from './archive-paths.ts'

const site = { typeKeys: ['post', 'recipe'], taxonomyKeys: ['category', 'tag'] }
const parse = (path: string) => parseListingPath(path.split('/').filter(Boolean), site)
const USER = '0190a8f2-3b4c-7d5e-8f60-718293a4b5c6'

describe('listing paths', () => {
  it('reads back what the writers write', () => {
    expect(parse(typeArchivePath('recipe'))?.target).toEqual({ kind: 'type', type: 'recipe' })
    expect(parse(termArchivePath('category', 'europe'))?.target).toEqual({
      kind: 'term',
      taxonomy: 'category',
      slug: 'europe',
    })
    expect(parse(authorArchivePath(USER))?.target).toEqual({ kind: 'author', userId: USER })
    expect(parse(dateArchivePath({ year: 2026, month: 3, day: 9 }))?.target).toEqual({
      kind: 'date',
      year: 2026,
      month: 3,
      day: 9,
    })
    expect(dateArchivePath({ year: 2026, month: 3 })).toBe('/2026/03')
    expect(parse('/')?.target).toEqual({ kind: 'front' })
  })

  it('splits page numbers and feeds off the listing', () => {
    expect(parse('/tag/news/page/3')).toMatchObject({ path: '/tag/news', page: 3, canonicalPage: true })
    expect(parse('/page/2')).toMatchObject({ path: '/', page: 2, target: { kind: 'front' } })
    expect(parse('/post/page/1')).toMatchObject({ path: '/post', page: 1, canonicalPage: false })
    expect(parse('/tag/news/feed')).toMatchObject({ path: '/tag/news', feed: 'rss' })
    expect(parse('/2026/feed/atom')).toMatchObject({ path: '/2026', feed: 'atom' })
    expect(parse('/author/' + USER + '/feed/json')).toMatchObject({ feed: 'json' })
    expect(listingPagePath('/', 2)).toBe('/page/2')
    expect(listingPagePath('/tag/a', 1)).toBe('/tag/a')
    expect(listingPagePath('/tag/a', 4)).toBe('/tag/a/page/4')
  })

  it('names nothing for paths that are no listing', () => {
    for (const path of [
      '/unknown',
      '/post/extra',
      '/category',
      '/author/not-an-id',
      '/2026/13',
      '/2026/02/30',
      '/2026/1',
      '/26',
      '/2026/01/01/x',
      '/category/travel/europe',
    ])
      expect(parse(path), path).toBeUndefined()
    // A page number that is not one leaves the path whole, which names no listing here.
    expect(parse('/post/page/0')).toBeUndefined()
  })
})

describe('date ranges', () => {
  it('covers the calendar unit in the site’s time zone', () => {
    expect(dateRangeOf({ year: 2026 }, 'UTC')).toEqual({
      from: '2026-01-01T00:00:00.000Z',
      to: '2027-01-01T00:00:00.000Z',
    })
    expect(dateRangeOf({ year: 2026, month: 12 }, 'Europe/Paris')).toEqual({
      from: '2026-11-30T23:00:00.000Z',
      to: '2026-12-31T23:00:00.000Z',
    })
    expect(dateRangeOf({ year: 2026, month: 3, day: 31 }, 'America/New_York')).toEqual({
      from: '2026-03-31T04:00:00.000Z',
      to: '2026-04-01T04:00:00.000Z',
    })
    // The day clocks change in New York is 23 hours long.
    expect(dateRangeOf({ year: 2026, month: 3, day: 8 }, 'America/New_York')).toEqual({
      from: '2026-03-08T05:00:00.000Z',
      to: '2026-03-09T04:00:00.000Z',
    })
    expect(dateRangeOf({ year: 2026, month: 5, day: 1 }, 'Asia/Kolkata').from).toBe(
      '2026-04-30T18:30:00.000Z',
    )
  })
})
