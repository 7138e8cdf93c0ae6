import { describe, expect, it } from 'vitest'
import { fillTitleTemplate, readSeoSettings, seoSettingsIssue } from './seo-settings.rules.ts'
import { DEFAULT_SEO_SETTINGS } from './seo-settings.schema.ts'

const values = { title: 'Archive', site: 'My Site', tagline: 'Words', page: '' }

describe('seoSettingsIssue', () => {
  it('accepts the defaults and every known token', () => {
    expect(seoSettingsIssue(DEFAULT_SEO_SETTINGS)).toBeUndefined()
    expect(
      seoSettingsIssue({
        titleTemplate: '{title} | {page} | {site} · {tagline}',
        frontTitleTemplate: '{site}',
        typeTitleTemplates: { post: '{title} – Blog', 'case-study': 'Case: {title}' },
        defaultDescription: 'A site about things.',
        twitterSite: '@colophon_cms',
        image: 'https://cdn.example.org/share.png',
      }),
    ).toBeUndefined()
    expect(seoSettingsIssue({ twitterSite: '', image: '' })).toBeUndefined()
  })

  it('names an unknown token and its field', () => {
    expect(seoSettingsIssue({ titleTemplate: '{title} – {sitename}' })).toEqual({
      field: 'seo.titleTemplate',
      reason: 'unknown-token',
      token: '{sitename}',
    })
    expect(seoSettingsIssue({ frontTitleTemplate: '{Site}' })).toMatchObject({ reason: 'unknown-token' })
    expect(seoSettingsIssue({ typeTitleTemplates: { post: '{title} {x y}' } })).toEqual({
      field: 'seo.typeTitleTemplates.post',
      reason: 'unknown-token',
      token: '{x y}',
    })
  })

  it('refuses stray braces, empty templates and templates without {title}', () => {
    expect(seoSettingsIssue({ titleTemplate: '{title} }' })).toMatchObject({ reason: 'stray-brace' })
    expect(seoSettingsIssue({ titleTemplate: '{{title}}' })).toMatchObject({ reason: 'stray-brace' })
    expect(seoSettingsIssue({ titleTemplate: '{site}' })).toEqual({
      field: 'seo.titleTemplate',
      reason: 'missing-title',
    })
    expect(seoSettingsIssue({ typeTitleTemplates: { page: '{site}' } })).toMatchObject({
      reason: 'missing-title',
    })
    expect(seoSettingsIssue({ frontTitleTemplate: '   ' })).toMatchObject({ reason: 'empty' })
  })

  it('refuses long templates, control characters, bad handles, non-https images and bad type keys', () => {
    expect(seoSettingsIssue({ titleTemplate: `{title}${'x'.repeat(200)}` })).toMatchObject({
      reason: 'too-long',
    })
    expect(seoSettingsIssue({ titleTemplate: '{title}\n' })).toMatchObject({ reason: 'control-character' })
    expect(seoSettingsIssue({ defaultDescription: 'x'.repeat(301) })).toMatchObject({ reason: 'too-long' })
    expect(seoSettingsIssue({ defaultDescription: 'a\u0007b' })).toMatchObject({
      reason: 'control-character',
    })
    for (const handle of ['colophon', '@', '@has space', '@toolongtobeahandle', '@dash-ed'])
      expect(seoSettingsIssue({ twitterSite: handle })).toEqual({
        field: 'seo.twitterSite',
        reason: 'bad-handle',
      })
    for (const image of [
      'http://example.org/a.png',
      '/share.png',
      'javascript:alert(1)',
      'https://user:pw@example.org/a.png',
      'https://example.org/a b.png',
      'data:image/png;base64,AAAA',
    ])
      expect(seoSettingsIssue({ image })).toEqual({ field: 'seo.image', reason: 'not-https-url' })
    expect(seoSettingsIssue({ typeTitleTemplates: { Post: '{title}' } })).toMatchObject({
      reason: 'bad-type-key',
    })
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`t${i}`, '{title}']))
    expect(seoSettingsIssue({ typeTitleTemplates: many })).toMatchObject({ reason: 'too-many' })
  })
})

describe('readSeoSettings', () => {
  it('defaults what is missing, mistyped or no longer valid', () => {
    for (const raw of [undefined, null, 'x', [], {}, { titleTemplate: 4 }, { titleTemplate: '{nope}' }])
      expect(readSeoSettings(raw)).toEqual(DEFAULT_SEO_SETTINGS)
    expect(
      readSeoSettings({ twitterSite: 'bad', image: 'http://x', typeTitleTemplates: { Bad: '{title}' } }),
    ).toEqual(DEFAULT_SEO_SETTINGS)
  })

  it('keeps valid stored values and drops unknown keys', () => {
    expect(
      readSeoSettings({
        titleTemplate: '{title} | {site}',
        typeTitleTemplates: { post: '{title} – Blog', page: '{site}' },
        twitterSite: '@site',
        extra: true,
      }),
    ).toEqual({
      ...DEFAULT_SEO_SETTINGS,
      titleTemplate: '{title} | {site}',
      typeTitleTemplates: { post: '{title} – Blog' },
      twitterSite: '@site',
    })
  })
})

describe('fillTitleTemplate', () => {
  it('fills the tokens', () => {
    expect(fillTitleTemplate('{title} – {page} – {site}', { ...values, page: 'Page 2' })).toBe(
      'Archive – Page 2 – My Site',
    )
    expect(fillTitleTemplate('{site}: {tagline}', values)).toBe('My Site: Words')
  })

  it('drops the separators an empty token leaves', () => {
    expect(fillTitleTemplate('{title} – {page} – {site}', values)).toBe('Archive – My Site')
    expect(fillTitleTemplate('{site} – {tagline} – {page}', { ...values, tagline: '' })).toBe('My Site')
    expect(fillTitleTemplate('{page} | {title} | {site}', values)).toBe('Archive | My Site')
    expect(fillTitleTemplate('{site} {page}', values)).toBe('My Site')
    expect(fillTitleTemplate('Blog: {title}', values)).toBe('Blog: Archive')
  })

  it('never edits the values or reads them as tokens', () => {
    expect(fillTitleTemplate('{title} – {site}', { ...values, title: '– {site} $& –' })).toBe(
      '– {site} $& – – My Site',
    )
    expect(fillTitleTemplate('{title}', { ...values, title: '  two   spaces ' })).toBe('two spaces')
  })
})
