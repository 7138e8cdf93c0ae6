import { describe, expect, it } from 'vitest'
import { permalinkOf, uuidv7Time } from './permalink.ts'

const id = '0190a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b'
const base = {
  slug: 'hello',
  ancestors: [] as string[],
  publishedAt: new Date('2030-03-04T23:30:00Z'),
  id,
  typeKey: 'post',
}

describe('permalinkOf', () => {
  it('fills slug and date tokens in UTC by default', () => {
    expect(permalinkOf({ ...base, template: '/{year}/{month}/{slug}' })).toBe('/2030/03/hello')
    expect(permalinkOf({ ...base, template: '/{year}/{month}/{day}/{slug}' })).toBe('/2030/03/04/hello')
  })

  it('uses the site’s time zone for dates', () => {
    expect(permalinkOf({ ...base, template: '/{year}/{month}/{day}/{slug}', timeZone: 'Europe/Paris' })).toBe(
      '/2030/03/05/hello',
    )
  })

  it('joins ancestors root first for {path}', () => {
    expect(permalinkOf({ ...base, template: '/{path}', ancestors: ['about', 'team'] })).toBe(
      '/about/team/hello',
    )
    expect(permalinkOf({ ...base, template: '/{path}' })).toBe('/hello')
  })

  it('fills id and type, and never leaves empty segments', () => {
    expect(permalinkOf({ ...base, template: '/{type}/{id}/' })).toBe(`/post/${id}`)
  })

  it('dates an unpublished entry by the creation time its UUIDv7 id carries', () => {
    const at = uuidv7Time(id)
    expect(at).toBeGreaterThan(0)
    expect(permalinkOf({ ...base, publishedAt: null, template: '/{year}/{slug}' })).toBe(
      `/${new Date(at).getUTCFullYear()}/hello`,
    )
    expect(uuidv7Time('not-a-uuid')).toBe(0)
  })

  it('encodes characters a hand-made slug might carry', () => {
    expect(permalinkOf({ ...base, slug: 'a b/c', template: '/{slug}' })).toBe('/a%20b%2Fc')
  })
})
