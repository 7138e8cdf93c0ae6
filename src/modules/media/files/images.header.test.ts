import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { imageOf, pngHeaderClaiming } from './files.fixture.ts'
import { claimedSize } from './images.header.ts'

describe('claimedSize', () => {
  it.each(['jpeg', 'png', 'gif', 'webp'] as const)('reads the size a %s header claims', async (format) => {
    expect(claimedSize(await imageOf(format, { width: 123, height: 45 }))).toEqual({ width: 123, height: 45 })
  })

  it('reads a lossless WebP and a JPEG whose frame header comes after EXIF', async () => {
    const lossless = await sharp({ create: { width: 300, height: 7, channels: 4, background: '#000' } })
      .webp({ lossless: true })
      .toBuffer()
    expect(claimedSize(lossless)).toEqual({ width: 300, height: 7 })
    const withExif = await sharp({ create: { width: 33, height: 22, channels: 3, background: '#000' } })
      .jpeg({ progressive: true })
      .withExif({ IFD0: { ImageDescription: 'x'.repeat(3000) } })
      .toBuffer()
    expect(claimedSize(withExif)).toEqual({ width: 33, height: 22 })
  })

  it('reads a bare PNG header claiming 60,000 × 60,000', () => {
    expect(claimedSize(pngHeaderClaiming(60_000, 60_000))).toEqual({ width: 60_000, height: 60_000 })
  })

  it('claims nothing for other bytes or a head cut too short', async () => {
    expect(claimedSize(Buffer.from('%PDF-1.4'))).toBeUndefined()
    expect(claimedSize((await imageOf('png')).subarray(0, 20))).toBeUndefined()
    expect(claimedSize(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00]))).toBeUndefined()
    expect(claimedSize(new Uint8Array(0))).toBeUndefined()
  })
})
