import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { keptExifFields, readExif } from './images.exif.ts'

// The empty pair is what libvips trims when writing text, so the file holds "Jo (studio)".
const EXIF = {
  IFD0: { Make: 'Acme', Model: 'Cam 1', Copyright: 'Jo (studio) ()', Artist: 'Jo' },
  IFD2: { ExposureTime: '1/250', FNumber: '28/10', ISOSpeedRatings: '200', ExposureBiasValue: '-1/3' },
  IFD3: {
    GPSLatitudeRef: 'N',
    GPSLatitude: '51/1 30/1 0/1',
    GPSLongitudeRef: 'W',
    GPSLongitude: '0/1 7/1 0/1',
  },
}

const exifOf = async (format: 'jpeg' | 'png' | 'webp'): Promise<Buffer> => {
  const blank = sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
  const image = await blank[format]().withExif(EXIF).toBuffer()
  return (await sharp(image).metadata()).exif as Buffer
}

describe('readExif', () => {
  it.each(['jpeg', 'png', 'webp'] as const)(
    'reads the listed fields and sees the GPS block (%s)',
    async (format) => {
      const { fields, hasGps } = readExif(await exifOf(format))
      expect(hasGps).toBe(true)
      const values = Object.fromEntries(fields.map((f) => [`${f.ifd}.${f.name}`, f.value]))
      expect(values).toMatchObject({
        'IFD0.Make': 'Acme',
        'IFD0.Model': 'Cam 1',
        'IFD0.Artist': 'Jo',
        'IFD0.Copyright': 'Jo (studio)',
        'IFD2.ExposureTime': '1/250',
        'IFD2.FNumber': '28/10',
        'IFD2.ISOSpeedRatings': '200',
        'IFD2.ExposureBiasValue': '-1/3',
      })
      expect(fields.some((f) => f.name.startsWith('GPS'))).toBe(false)
    },
  )

  it('drops a damaged block instead of failing', () => {
    expect(readExif(Buffer.from('Exif\0\0II*\0\xff\xff\xff\x7f', 'latin1'))).toEqual({
      fields: [],
      hasGps: false,
    })
    expect(readExif(Buffer.from('not exif at all'))).toEqual({ fields: [], hasGps: false })
    expect(readExif(new Uint8Array(0))).toEqual({ fields: [], hasGps: false })
  })
})

describe('keptExifFields', () => {
  it('gives sharp the listed fields only, text protected from libvips trimming " (…)"', async () => {
    const kept = keptExifFields(await exifOf('jpeg'))
    expect(kept?.IFD0).toMatchObject({ Make: 'Acme ()', Copyright: 'Jo (studio) ()' })
    expect(kept?.IFD2).toMatchObject({ ExposureTime: '1/250' })
    expect(Object.keys(kept ?? {})).toEqual(['IFD0', 'IFD2'])
  })

  it('keeps nothing when there is no EXIF', () => {
    expect(keptExifFields(undefined)).toBeUndefined()
  })
})
