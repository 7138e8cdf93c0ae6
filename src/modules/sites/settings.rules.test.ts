import { describe, expect, it } from 'vitest'
import { readMediaSettings, readSiteSettings, robotsTxtIssue } from './settings.rules.ts'
import { DEFAULT_SEO_SETTINGS } from './seo-settings.schema.ts'
import { MEDIA_CATEGORY_LIST } from '../media/files/index.ts'
import { MEDIA_CATEGORIES } from './sites.schema.ts'

const DEFAULTS = {
  authorsMayPublish: false,
  robotsTxt: '',
  seo: DEFAULT_SEO_SETTINGS,
  media: { allowedCategories: ['image', 'pdf', 'audio', 'video', 'document'], keepMetadata: false },
  frontPageEntryId: null,
}

describe('readSiteSettings', () => {
  it('reads stored values', () => {
    expect(readSiteSettings({ authorsMayPublish: true })).toEqual({ ...DEFAULTS, authorsMayPublish: true })
    expect(readSiteSettings({ authorsMayPublish: false })).toEqual(DEFAULTS)
    expect(readSiteSettings({ robotsTxt: 'User-agent: *' })).toEqual({
      ...DEFAULTS,
      robotsTxt: 'User-agent: *',
    })
    const entry = '0190A8F2-3B4C-7D5E-8F60-718293A4B5C6'
    expect(readSiteSettings({ frontPageEntryId: entry })).toEqual({
      ...DEFAULTS,
      frontPageEntryId: entry.toLowerCase(),
    })
  })

  it('defaults a missing, mistyped or absent value', () => {
    for (const raw of [
      undefined,
      null,
      {},
      'true',
      42,
      [],
      { authorsMayPublish: 'true' },
      { authorsMayPublish: 1 },
      { robotsTxt: 7 },
      { robotsTxt: null },
      { robotsTxt: 'x'.repeat(16_385) },
      { frontPageEntryId: 'about' },
      { frontPageEntryId: 7 },
    ]) {
      expect(readSiteSettings(raw)).toEqual(DEFAULTS)
    }
  })

  it('drops unknown keys', () => {
    expect(readSiteSettings({ authorsMayPublish: true, theme: 'dark' })).toEqual({
      ...DEFAULTS,
      authorsMayPublish: true,
    })
  })
})

describe('robotsTxtIssue', () => {
  it('accepts rules, comments, blank lines, any field name and tabs', () => {
    for (const text of [
      '',
      'User-agent: *\nDisallow: /private/\n',
      '# comment only\r\n\r\nUser-agent: BadBot\r\nDisallow: /',
      'User-agent:\t*\nCrawl-delay: 10\nX_custom-field: value # trailing comment',
      '   Allow : /',
    ])
      expect(robotsTxtIssue(text), JSON.stringify(text)).toBeUndefined()
  })

  it('names the first line that is not a rule, or holds a control character', () => {
    expect(robotsTxtIssue('User-agent: *\nDisallow /x')).toEqual({ line: 2, reason: 'not-a-rule' })
    expect(robotsTxtIssue('<html>')).toEqual({ line: 1, reason: 'not-a-rule' })
    expect(robotsTxtIssue(': no field')).toEqual({ line: 1, reason: 'not-a-rule' })
    expect(robotsTxtIssue('a: b\r\nc: d\rbell: \u0007')).toEqual({ line: 3, reason: 'control-character' })
    expect(robotsTxtIssue('x'.repeat(16_385))).toEqual({ line: 1, reason: 'too-long' })
  })
})

describe('readMediaSettings', () => {
  it('fills defaults, keeps known categories in list order, drops the rest', () => {
    expect(readMediaSettings(undefined)).toEqual({
      allowedCategories: ['image', 'pdf', 'audio', 'video', 'document'],
      keepMetadata: false,
    })
    expect(
      readMediaSettings({ allowedCategories: ['svg', 'exe', 'image', 'image'], keepMetadata: true }),
    ).toEqual({
      allowedCategories: ['image', 'svg'],
      keepMetadata: true,
    })
    expect(readMediaSettings({ allowedCategories: 'image', keepMetadata: 'yes' })).toEqual(
      readMediaSettings({}),
    )
    expect(readMediaSettings({ allowedCategories: [] }).allowedCategories).toEqual([])
  })

  it('names the same categories as the media module decides from the bytes', () => {
    expect([...MEDIA_CATEGORIES]).toEqual([...MEDIA_CATEGORY_LIST])
  })
})
