import { describe, expect, it } from 'vitest'
import { readSiteSettings } from './settings.rules.ts'

describe('readSiteSettings', () => {
  it('reads a stored boolean', () => {
    expect(readSiteSettings({ authorsMayPublish: true })).toEqual({ authorsMayPublish: true })
    expect(readSiteSettings({ authorsMayPublish: false })).toEqual({ authorsMayPublish: false })
  })

  it('defaults a missing, mistyped or absent value to false', () => {
    for (const raw of [
      undefined,
      null,
      {},
      'true',
      42,
      [],
      { authorsMayPublish: 'true' },
      { authorsMayPublish: 1 },
    ]) {
      expect(readSiteSettings(raw)).toEqual({ authorsMayPublish: false })
    }
  })

  it('drops unknown keys', () => {
    expect(readSiteSettings({ authorsMayPublish: true, theme: 'dark' })).toEqual({ authorsMayPublish: true })
  })
})
