import { describe, expect, it } from 'vitest'
import { siteIdOfKey, siteIdOfPrefix } from './site-key.rules.ts'

const SITE = '0b4e7a0e-5d3c-4a4e-9b7e-2f1c3d4e5f60'
const invalid = { code: 'COLOPHON_STORAGE_KEY_INVALID' }

describe('siteIdOfKey', () => {
  it.each([`${SITE}/originals/a.jpg`, `${SITE}/variants/m/400.webp`, SITE])('finds the site of %s', (key) => {
    expect(siteIdOfKey(key)).toBe(SITE)
  })

  it.each(['', 'media/a.jpg', `${SITE.toUpperCase()}/a.jpg`, `${SITE}/../a.jpg`])('refuses %j', (key) => {
    expect(() => siteIdOfKey(key)).toThrow(expect.objectContaining(invalid))
  })
})

describe('siteIdOfPrefix', () => {
  it.each([SITE, `${SITE}/`, `${SITE}/orig`, `${SITE}/variants/m1/`])('finds the site of %j', (prefix) => {
    expect(siteIdOfPrefix(prefix)).toBe(SITE)
  })

  it.each(['', '0b4e7a0e', `${SITE}x`, `${SITE}x/`, 'media/', `${SITE}/../`])(
    'refuses %j, which could match objects of several sites or of none',
    (prefix) => {
      expect(() => siteIdOfPrefix(prefix)).toThrow(expect.objectContaining(invalid))
    },
  )
})
