import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { thumbHashToRGBA } from 'thumbhash'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../platform/errors/index.ts'
import { HEADERS, animationOf, imageOf, pngHeaderClaiming } from './files.fixture.ts'
import { readExif } from './images.exif.ts'
import { MAX_INPUT_PIXELS, cleanOriginal, inspectImage, makeVariant, placeholderOf } from './images.ts'

let dir: string
let count = 0

/** Writes `bytes` to a fresh file in the test folder and returns its path. */
const fileOf = (bytes: Uint8Array, ext = 'bin'): string => {
  const file = path.join(dir, `in-${++count}.${ext}`)
  writeFileSync(file, bytes)
  return file
}
const outPath = (ext: string): string => path.join(dir, `out-${++count}.${ext}`)

/** The code and status a call is refused with. */
const refusal = async (work: Promise<unknown>): Promise<[string, number]> => {
  try {
    await work
  } catch (err) {
    if (isAppError(err)) return [err.code, err.status]
    throw err
  }
  throw new Error('expected a refusal')
}

/** The colour of one pixel as [r, g, b]. */
const pixel = async (file: string, x: number, y: number): Promise<number[]> => {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  const at = (y * info.width + x) * info.channels
  return [data[at], data[at + 1], data[at + 2]] as number[]
}
const isRed = ([r, g, b]: number[]): boolean =>
  (r as number) > 200 && (g as number) < 60 && (b as number) < 60

/** A white image with a red square centred on (cx, cy). */
const withRedSquare = (width: number, height: number, cx: number, cy: number, side = 20): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite([
      {
        input: { create: { width: side, height: side, channels: 3, background: '#ff0000' } },
        left: cx - side / 2,
        top: cy - side / 2,
      },
    ])
    .jpeg({ quality: 95 })
    .toBuffer()

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'colophon-media-files-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('inspectImage', () => {
  it.each(['jpeg', 'png', 'gif', 'webp', 'avif'] as const)('reads a %s image', async (format) => {
    const file = fileOf(await imageOf(format, { width: 40, height: 30 }))
    expect(await inspectImage(file)).toEqual({ format, width: 40, height: 30, pages: 1 })
  })

  it('reports the size after EXIF orientation: 6 swaps width and height', async () => {
    const rotated = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#000' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer()
    expect(await inspectImage(fileOf(rotated))).toMatchObject({ width: 20, height: 40 })
  })

  it('accepts animated GIF and WebP, keeping their frames', async () => {
    const colors = ['#f00', '#0f0', '#00f']
    expect(await inspectImage(fileOf(await animationOf('gif', colors)))).toEqual({
      format: 'gif',
      width: 60,
      height: 40,
      pages: 3,
    })
    expect(await inspectImage(fileOf(await animationOf('webp', colors)))).toMatchObject({
      pages: 3,
      height: 40,
    })
  })

  it('refuses a truncated JPEG (a valid one cut in half)', async () => {
    const jpeg = await imageOf('jpeg', { noise: true, width: 300, height: 200 })
    expect(await refusal(inspectImage(fileOf(jpeg.subarray(0, jpeg.length >> 1))))).toEqual([
      'COLOPHON_MEDIA_IMAGE_INVALID',
      422,
    ])
  })

  it('refuses a truncated PNG and bytes that only start like an image', async () => {
    const png = await imageOf('png', { noise: true, width: 300, height: 200 })
    expect(await refusal(inspectImage(fileOf(png.subarray(0, png.length >> 1))))).toEqual([
      'COLOPHON_MEDIA_IMAGE_INVALID',
      422,
    ])
    const fakeGif = Buffer.concat([
      Buffer.from('GIF89a'),
      Buffer.from([10, 0, 10, 0]),
      Buffer.alloc(20, 0xee),
    ])
    expect((await refusal(inspectImage(fileOf(fakeGif))))[0]).toBe('COLOPHON_MEDIA_IMAGE_INVALID')
  })

  it('refuses a PNG whose header claims 60,000 × 60,000 pixels, from the header alone', async () => {
    const file = fileOf(pngHeaderClaiming(60_000, 60_000))
    const started = performance.now()
    expect(await refusal(inspectImage(file))).toEqual(['COLOPHON_MEDIA_IMAGE_TOO_LARGE', 413])
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('refuses a side over 30,000 pixels even when the pixel count is small', async () => {
    expect(60_000 * 10).toBeLessThan(MAX_INPUT_PIXELS)
    expect(await refusal(inspectImage(fileOf(pngHeaderClaiming(60_000, 10))))).toEqual([
      'COLOPHON_MEDIA_IMAGE_TOO_LARGE',
      413,
    ])
  })

  it('refuses files that are not images before any decoder sees them', async () => {
    expect(await refusal(inspectImage(fileOf(HEADERS.pdf as Buffer)))).toEqual([
      'COLOPHON_MEDIA_TYPE_NOT_ALLOWED',
      415,
    ])
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    expect((await refusal(inspectImage(fileOf(svg))))[0]).toBe('COLOPHON_MEDIA_TYPE_NOT_ALLOWED')
    expect((await refusal(inspectImage(fileOf(new Uint8Array(0)))))[0]).toBe('COLOPHON_MEDIA_FILE_EMPTY')
  })
})

describe('cleanOriginal', () => {
  let tagged: string

  beforeAll(async () => {
    // The empty pair is what libvips trims when writing text, so the file holds "Jo (studio)".
    const jpeg = await sharp({ create: { width: 48, height: 32, channels: 3, background: '#808080' } })
      .jpeg()
      .withExif({
        IFD0: { Make: 'Acme', Model: 'Cam 1', Copyright: 'Jo (studio) ()' },
        IFD2: { ExposureTime: '1/250', DateTimeOriginal: '2024:05:06 07:08:09' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: '51/1 30/1 0/1',
          GPSLongitudeRef: 'W',
          GPSLongitude: '0/1 7/1 0/1',
        },
      })
      .withXmp(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>',
      )
      .toBuffer()
    tagged = fileOf(jpeg, 'jpg')
    const before = await sharp(tagged).metadata()
    expect(readExif(before.exif as Buffer).hasGps).toBe(true)
    expect(before.xmp).toBeDefined()
  })

  it('removes all metadata, GPS included', async () => {
    const output = outPath('jpg')
    const written = await cleanOriginal({ input: tagged, output, keepMetadata: false })
    const meta = await sharp(output).metadata()
    expect(meta).toMatchObject({ format: 'jpeg', width: 48, height: 32 })
    expect([meta.exif, meta.xmp, meta.iptc, meta.icc]).toEqual([undefined, undefined, undefined, undefined])
    expect(written).toEqual({ width: 48, height: 32, bytes: statSync(output).size })
  })

  it('keeps the descriptive EXIF fields but still drops GPS and XMP with keepMetadata', async () => {
    const output = outPath('jpg')
    await cleanOriginal({ input: tagged, output, keepMetadata: true })
    const meta = await sharp(output).metadata()
    const exif = readExif(meta.exif as Buffer)
    expect(exif.hasGps).toBe(false)
    expect(Object.fromEntries(exif.fields.map((f) => [f.name, f.value]))).toMatchObject({
      Make: 'Acme',
      Model: 'Cam 1',
      Copyright: 'Jo (studio)',
      ExposureTime: '1/250',
      DateTimeOriginal: '2024:05:06 07:08:09',
    })
    expect(meta.xmp).toBeUndefined()
  })

  it('applies EXIF orientation 6 to the pixels and drops the tag', async () => {
    // A red square in the top left corner of the stored pixels is in the top right once turned 90°.
    const stored = await sharp(await withRedSquare(40, 20, 5, 5, 10))
      .withMetadata({ orientation: 6 })
      .jpeg({ quality: 95 })
      .toBuffer()
    const output = outPath('jpg')
    expect(await cleanOriginal({ input: fileOf(stored), output, keepMetadata: false })).toMatchObject({
      width: 20,
      height: 40,
    })
    const meta = await sharp(output).metadata()
    expect([meta.width, meta.height, meta.orientation]).toEqual([20, 40, undefined])
    expect(isRed(await pixel(output, 15, 5))).toBe(true)
    expect(isRed(await pixel(output, 5, 5))).toBe(false)
  })

  it.each(['png', 'gif', 'webp', 'avif'] as const)(
    'writes a %s original in the same format',
    async (format) => {
      const output = outPath(format)
      await cleanOriginal({ input: fileOf(await imageOf(format)), output, keepMetadata: false })
      expect((await sharp(output).metadata()).format).toBe(format === 'avif' ? 'heif' : format)
    },
  )

  it.each(['gif', 'webp'] as const)('keeps every frame of an animated %s', async (format) => {
    const output = outPath(format)
    const input = fileOf(await animationOf(format, ['#f00', '#0f0', '#00f', '#ff0']))
    expect(await cleanOriginal({ input, output, keepMetadata: false })).toMatchObject({
      width: 60,
      height: 40,
    })
    expect(await sharp(output).metadata()).toMatchObject({ format, pages: 4, width: 60, height: 40 })
  })

  it('refuses a damaged input with a coded error, writing nothing', async () => {
    const jpeg = await imageOf('jpeg', { noise: true, width: 300, height: 200 })
    const output = outPath('jpg')
    const input = fileOf(jpeg.subarray(0, jpeg.length >> 1))
    expect((await refusal(cleanOriginal({ input, output, keepMetadata: false })))[0]).toBe(
      'COLOPHON_MEDIA_IMAGE_INVALID',
    )
    expect(existsSync(output)).toBe(false)
  })
})

describe('makeVariant', () => {
  it('resizes to the width in AVIF and WebP, metadata stripped', async () => {
    const input = fileOf(
      await sharp(await imageOf('jpeg', { width: 400, height: 300 }))
        .withExif({ IFD0: { Make: 'Acme' } })
        .toBuffer(),
    )
    for (const format of ['avif', 'webp'] as const) {
      const output = outPath(format)
      const written = await makeVariant({ input, output, width: 200, format })
      expect(written).toMatchObject({ width: 200, height: 150, format })
      const meta = await sharp(output).metadata()
      expect([meta.format, meta.width, meta.height, meta.exif]).toEqual([
        format === 'avif' ? 'heif' : 'webp',
        200,
        150,
        undefined,
      ])
      expect(written?.bytes).toBeGreaterThan(0)
    }
  })

  it('keeps the source format with "original"', async () => {
    const output = outPath('png')
    const input = fileOf(await imageOf('png', { width: 100, height: 50 }))
    expect(await makeVariant({ input, output, width: 50, format: 'original' })).toMatchObject({
      width: 50,
      height: 25,
      format: 'png',
    })
  })

  it('never upscales: a narrower source (or crop) writes nothing', async () => {
    const input = fileOf(await imageOf('jpeg', { width: 400, height: 200 }))
    const output = outPath('webp')
    expect(await makeVariant({ input, output, width: 800, format: 'webp' })).toBeUndefined()
    expect(existsSync(output)).toBe(false)
    // A square crop of a 400 × 200 image is 200 wide.
    expect(await makeVariant({ input, output, width: 300, format: 'webp', aspect: 1 })).toBeUndefined()
    expect(await makeVariant({ input, output, width: 400, format: 'webp' })).toMatchObject({ width: 400 })
  })

  it('crops around the focal point: a red square there is still in the output', async () => {
    // 400 × 200 with the square at x = 340 (0.85): a centred square crop would cut it off.
    const input = fileOf(await withRedSquare(400, 200, 340, 100))
    const focused = outPath('webp')
    expect(
      await makeVariant({
        input,
        output: focused,
        width: 100,
        format: 'webp',
        aspect: 1,
        focal: { x: 0.85, y: 0.5 },
      }),
    ).toMatchObject({ width: 100, height: 100 })
    // The crop is x 200..400; the square's centre lands at (340 - 200) / 2 = 70.
    expect(isRed(await pixel(focused, 70, 50))).toBe(true)
    const centred = outPath('webp')
    await makeVariant({ input, output: centred, width: 100, format: 'webp', aspect: 1 })
    expect(isRed(await pixel(centred, 95, 50))).toBe(false)
  })

  it('crops in the orientation a reader sees', async () => {
    // Stored 200 × 400 with orientation 6 shows as 400 × 200; the square stored near the bottom of the
    // stored pixels shows near the left edge once turned.
    const stored = await sharp(await withRedSquare(200, 400, 100, 340))
      .withMetadata({ orientation: 6 })
      .jpeg({ quality: 95 })
      .toBuffer()
    const output = outPath('webp')
    await makeVariant({
      input: fileOf(stored),
      output,
      width: 100,
      format: 'webp',
      aspect: 1,
      focal: { x: 0.15, y: 0.5 },
    })
    expect(isRed(await pixel(output, 30, 50))).toBe(true)
  })

  it('keeps an animation animated in WebP and takes its first frame for AVIF', async () => {
    const input = fileOf(await animationOf('gif', ['#f00', '#0f0', '#00f']))
    const webp = outPath('webp')
    expect(await makeVariant({ input, output: webp, width: 30, format: 'webp' })).toMatchObject({
      width: 30,
      height: 20,
    })
    expect(await sharp(webp).metadata()).toMatchObject({ pages: 3, height: 20 })
    const avif = outPath('avif')
    expect(await makeVariant({ input, output: avif, width: 30, format: 'avif' })).toMatchObject({
      width: 30,
      height: 20,
    })
    expect(await sharp(avif).metadata()).toMatchObject({ width: 30, height: 20 })
  })

  it('refuses a width that is not a positive integer', async () => {
    const input = fileOf(await imageOf('png'))
    await expect(makeVariant({ input, output: outPath('png'), width: 0, format: 'webp' })).rejects.toThrow(
      RangeError,
    )
  })
})

describe('placeholderOf', () => {
  it('gives the dominant colour and a thumbhash', async () => {
    const input = fileOf(await imageOf('jpeg', { width: 300, height: 200, color: '#3366cc' }))
    const { dominantColor, thumbhash } = await placeholderOf(input)
    expect(dominantColor).toMatch(/^#[0-9a-f]{6}$/)
    const channels = [1, 3, 5].map((i) => Number.parseInt(dominantColor.slice(i, i + 2), 16))
    ;[0x33, 0x66, 0xcc].forEach((expected, i) =>
      expect(Math.abs((channels[i] as number) - expected)).toBeLessThan(20),
    )
    const decoded = thumbHashToRGBA(Buffer.from(thumbhash, 'base64'))
    expect(decoded.w / decoded.h).toBeGreaterThan(1)
  })

  it('works from the first frame of an animation and from a tiny image', async () => {
    expect((await placeholderOf(fileOf(await animationOf('gif', ['#f00', '#00f'])))).thumbhash).not.toBe('')
    expect((await placeholderOf(fileOf(await imageOf('png', { width: 3, height: 2 })))).thumbhash).not.toBe(
      '',
    )
  })
})
