import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { StoredMediaInclude } from '../../content/index.ts'
import { createSecretBox } from '../../../platform/security/index.ts'
import { createMediaLinker } from './media-linker.ts'
import { expiryFor, verifyPath } from './media.urls.ts'

const SITE = '01a24f2f-0000-7000-8000-000000000001'
const ID = '01a24f2f-0000-7000-8000-0000000000aa'
const box = createSecretBox({ current: randomBytes(32) })

const stored = (overrides: Partial<StoredMediaInclude> = {}): StoredMediaInclude => ({
  id: ID,
  via: ['featured'],
  filename: 'quay at dusk.jpg',
  mimeType: 'image/jpeg',
  category: 'image',
  width: 1200,
  height: 800,
  alt: 'A quay',
  caption: '',
  credit: '',
  decorative: false,
  dominantColor: '#112233',
  thumbhash: 'abc',
  public: true,
  fileKey: `${SITE}/clean/${ID}.jpg`,
  variants: [
    { width: 320, height: 213, format: 'webp', crop: 'none', key: `${SITE}/variants/${ID}/320.webp` },
  ],
  ...overrides,
})

describe('createMediaLinker', () => {
  it('links public items on the site’s host, or on the CDN by object key', () => {
    const host = createMediaLinker({ signer: box, lifetimeSeconds: 900 })(SITE, stored())
    expect(host.url).toBe(`/media/${ID}/quay%20at%20dusk.jpg`)
    expect(host.variants[0]?.url).toBe(`/media/${ID}/v/320.webp`)
    expect(host.placeholder).toEqual({ dominantColor: '#112233', thumbhash: 'abc' })
    const cdn = createMediaLinker({
      signer: box,
      lifetimeSeconds: 900,
      publicBaseUrl: 'https://cdn.example.net/',
    })
    const viaCdn = cdn(SITE, stored())
    expect(viaCdn.url).toBe(`https://cdn.example.net/${SITE}/clean/${ID}.jpg`)
    expect(viaCdn.variants[0]?.url).toBe(`https://cdn.example.net/${SITE}/variants/${ID}/320.webp`)
    // An image not cleaned yet is never linked on the CDN as uploaded.
    expect(cdn(SITE, stored({ fileKey: null })).url).toBe(`/media/${ID}/quay%20at%20dusk.jpg`)
  })

  it('signs every link of an item that is not public, on its host only, until the rounded expiry', () => {
    const now = 1_800_000_123_000
    const linker = createMediaLinker({
      signer: box,
      lifetimeSeconds: 900,
      publicBaseUrl: 'https://cdn.example.net',
      now: () => now,
    })
    const item = linker(SITE, stored({ public: false }))
    const expires = expiryFor(now, 900)
    expect(expires - now / 1000).toBeGreaterThan(450)
    expect(expires - now / 1000).toBeLessThanOrEqual(900)
    for (const url of [item.url, item.variants[0]?.url ?? '']) {
      const [path, query] = url.split('?')
      const params = new URLSearchParams(query)
      expect(path?.startsWith(`/media/${ID}/`)).toBe(true)
      expect(Number(params.get('expires'))).toBe(expires)
      expect(
        verifyPath(box, {
          siteId: SITE,
          path: path ?? '',
          expires,
          signature: params.get('signature') ?? '',
        }),
      ).toBe(true)
      expect(
        verifyPath(box, { siteId: ID, path: path ?? '', expires, signature: params.get('signature') ?? '' }),
      ).toBe(false)
    }
    // Links made moments apart are the same: replies carrying them may be cached briefly.
    expect(
      createMediaLinker({ signer: box, lifetimeSeconds: 900, now: () => now + 5000 })(
        SITE,
        stored({ public: false }),
      ).url,
    ).toBe(item.url)
  })
})
