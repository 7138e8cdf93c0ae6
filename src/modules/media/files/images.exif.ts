/**
 * The EXIF an original keeps when a site asks to keep metadata: a fixed list of descriptive fields
 * (camera, lens, exposure, dates, author, copyright, description), never the GPS block.
 *
 * sharp can keep all of the EXIF (`keepExif`) or write fields given as strings (`withExif`), but it cannot
 * drop one block of the input's EXIF. So the input's EXIF is read here, the listed fields are turned into
 * the strings libvips parses back, and the output gets those alone through `withExif`. Anything not
 * listed is dropped with the GPS block: serial numbers, owner names, maker notes, thumbnails.
 */

/** The shape sharp's `withExif` takes: IFD name → field name → value as text. */
export type ExifFields = Record<'IFD0' | 'IFD2', Record<string, string>>

/** How a kept field's value is written: text, whole numbers, or fractions. */
export type Format = 'ascii' | 'integer' | 'rational'

interface Kept {
  readonly ifd: 'IFD0' | 'IFD2'
  /** The field name as libexif spells it (what sharp's `withExif` expects). */
  readonly name: string
  readonly format: Format
}

const keep = (ifd: Kept['ifd'], name: string, format: Format): Kept => ({ ifd, name, format })

/** The fields kept, by tag. IFD2 is the EXIF sub-directory (libvips numbers it 2, GPS is 3). */
const KEPT_TAGS: ReadonlyMap<number, Kept> = new Map([
  [0x010e, keep('IFD0', 'ImageDescription', 'ascii')],
  [0x010f, keep('IFD0', 'Make', 'ascii')],
  [0x0110, keep('IFD0', 'Model', 'ascii')],
  [0x0131, keep('IFD0', 'Software', 'ascii')],
  [0x0132, keep('IFD0', 'DateTime', 'ascii')],
  [0x013b, keep('IFD0', 'Artist', 'ascii')],
  [0x8298, keep('IFD0', 'Copyright', 'ascii')],
  [0x829a, keep('IFD2', 'ExposureTime', 'rational')],
  [0x829d, keep('IFD2', 'FNumber', 'rational')],
  [0x8822, keep('IFD2', 'ExposureProgram', 'integer')],
  [0x8827, keep('IFD2', 'ISOSpeedRatings', 'integer')],
  [0x9003, keep('IFD2', 'DateTimeOriginal', 'ascii')],
  [0x9004, keep('IFD2', 'DateTimeDigitized', 'ascii')],
  [0x9010, keep('IFD2', 'OffsetTime', 'ascii')],
  [0x9011, keep('IFD2', 'OffsetTimeOriginal', 'ascii')],
  [0x9012, keep('IFD2', 'OffsetTimeDigitized', 'ascii')],
  [0x9201, keep('IFD2', 'ShutterSpeedValue', 'rational')],
  [0x9202, keep('IFD2', 'ApertureValue', 'rational')],
  [0x9204, keep('IFD2', 'ExposureBiasValue', 'rational')],
  [0x9205, keep('IFD2', 'MaxApertureValue', 'rational')],
  [0x9207, keep('IFD2', 'MeteringMode', 'integer')],
  [0x9208, keep('IFD2', 'LightSource', 'integer')],
  [0x9209, keep('IFD2', 'Flash', 'integer')],
  [0x920a, keep('IFD2', 'FocalLength', 'rational')],
  [0xa402, keep('IFD2', 'ExposureMode', 'integer')],
  [0xa403, keep('IFD2', 'WhiteBalance', 'integer')],
  [0xa405, keep('IFD2', 'FocalLengthIn35mmFilm', 'integer')],
  [0xa406, keep('IFD2', 'SceneCaptureType', 'integer')],
  [0xa432, keep('IFD2', 'LensSpecification', 'rational')],
  [0xa433, keep('IFD2', 'LensMake', 'ascii')],
  [0xa434, keep('IFD2', 'LensModel', 'ascii')],
])

const EXIF_IFD_POINTER = 0x8769
const GPS_IFD_POINTER = 0x8825
/** libvips ignores numeric fields of ten or more values; longer ones are not worth keeping anyway. */
const MAX_VALUES = 9
const MAX_ENTRIES = 1000
const MAX_TEXT = 2000

// TIFF field types: size of one value in bytes.
const TYPE_SIZE: Readonly<Record<number, number>> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 8: 2, 9: 4, 10: 8 }
const TYPE_FORMAT: Readonly<Record<number, Format>> = {
  2: 'ascii',
  3: 'integer',
  4: 'integer',
  5: 'rational',
  10: 'rational',
}

interface Entry {
  tag: number
  type: number
  count: number
  /** Where the values start, relative to the TIFF header. */
  at: number
}

/** A bounds-checked reader over the TIFF structure inside an EXIF block. */
class TiffReader {
  readonly #view: DataView
  readonly #little: boolean

  constructor(tiff: Uint8Array) {
    this.#view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength)
    const order = this.u16(0)
    if (order !== 0x4949 && order !== 0x4d4d) throw new RangeError('not a TIFF header')
    this.#little = order === 0x4949
  }

  get length(): number {
    return this.#view.byteLength
  }

  u16(at: number): number {
    return this.#view.getUint16(at, this.#little)
  }

  u32(at: number): number {
    return this.#view.getUint32(at, this.#little)
  }

  i32(at: number): number {
    return this.#view.getInt32(at, this.#little)
  }

  byte(at: number): number {
    return this.#view.getUint8(at)
  }

  entries(ifdAt: number): Entry[] {
    const count = Math.min(this.u16(ifdAt), MAX_ENTRIES)
    const entries: Entry[] = []
    for (let i = 0; i < count; i++) {
      const at = ifdAt + 2 + i * 12
      const type = this.u16(at + 2)
      const valueCount = this.u32(at + 4)
      const size = (TYPE_SIZE[type] ?? 0) * valueCount
      const valuesAt = size <= 4 ? at + 8 : this.u32(at + 8)
      if (size === 0 || valuesAt + size > this.length) continue
      entries.push({ tag: this.u16(at), type, count: valueCount, at: valuesAt })
    }
    return entries
  }
}

/** The TIFF structure inside an EXIF block, with or without the `Exif\0\0` prefix JPEG and WebP carry. */
function tiffOf(exif: Uint8Array): Uint8Array {
  const prefixed = exif.length >= 6 && String.fromCharCode(...exif.subarray(0, 4)) === 'Exif'
  return prefixed ? exif.subarray(6) : exif
}

/** An entry's value as the text libvips parses back, or undefined when it is not of the expected form. */
function valueText(tiff: TiffReader, entry: Entry, format: Format): string | undefined {
  if (TYPE_FORMAT[entry.type] !== format) return undefined
  if (format === 'ascii') {
    const bytes: number[] = []
    for (let i = 0; i < Math.min(entry.count, MAX_TEXT); i++) {
      const b = tiff.byte(entry.at + i)
      if (b === 0) break
      bytes.push(b)
    }
    const text = new TextDecoder().decode(new Uint8Array(bytes)).trim()
    return text === '' ? undefined : text
  }
  if (entry.count > MAX_VALUES) return undefined
  const values: string[] = []
  for (let i = 0; i < entry.count; i++) {
    if (entry.type === 3) values.push(String(tiff.u16(entry.at + i * 2)))
    else if (entry.type === 4) values.push(String(tiff.u32(entry.at + i * 4)))
    else if (entry.type === 5) values.push(`${tiff.u32(entry.at + i * 8)}/${tiff.u32(entry.at + i * 8 + 4)}`)
    else values.push(`${tiff.i32(entry.at + i * 8)}/${tiff.i32(entry.at + i * 8 + 4)}`)
  }
  return values.join(' ')
}

/** One listed field found in an EXIF block, its value as text. */
export interface ExifField {
  readonly ifd: 'IFD0' | 'IFD2'
  readonly name: string
  readonly format: Format
  readonly value: string
}

/** What an EXIF block holds that matters here: the listed fields, and whether it has a GPS block. */
export function readExif(exif: Uint8Array): { fields: ExifField[]; hasGps: boolean } {
  const fields: ExifField[] = []
  let hasGps = false
  try {
    const tiff = new TiffReader(tiffOf(exif))
    const ifd0 = tiff.entries(tiff.u32(4))
    const exifPointer = ifd0.find((e) => e.tag === EXIF_IFD_POINTER && e.type === 4)
    hasGps = ifd0.some((e) => e.tag === GPS_IFD_POINTER)
    const subIfd = exifPointer ? tiff.entries(tiff.u32(exifPointer.at)) : []
    for (const [entries, ifd] of [
      [ifd0, 'IFD0'],
      [subIfd, 'IFD2'],
    ] as const) {
      for (const entry of entries) {
        const kept = KEPT_TAGS.get(entry.tag)
        if (!kept || kept.ifd !== ifd) continue
        const value = valueText(tiff, entry, kept.format)
        if (value !== undefined) fields.push({ ifd, name: kept.name, format: kept.format, value })
      }
    }
  } catch (err) {
    // A damaged EXIF block is dropped (RangeError from an offset past the end), never an error.
    if (!(err instanceof RangeError)) throw err
  }
  return { fields, hasGps }
}

/** The fields to write with sharp's `withExif`, or undefined when the input keeps nothing. */
export function keptExifFields(exif: Uint8Array | undefined): ExifFields | undefined {
  const fields = exif ? readExif(exif).fields : []
  if (fields.length === 0) return undefined
  const out: ExifFields = { IFD0: {}, IFD2: {} }
  for (const field of fields) {
    // libvips cuts a trailing " (…)" from text, taking it for a description it added itself when it
    // read the file; an empty pair at the end is what it cuts instead, so "Jo (studio)" survives.
    out[field.ifd][field.name] = field.format === 'ascii' ? `${field.value} ()` : field.value
  }
  return out
}
