/**
 * Test files built in memory: images rendered by sharp, and minimal valid headers for the formats that
 * are impractical to generate here (audio, video, office documents). Nothing binary is kept in the
 * repository. For tests only.
 */
import { crc32 } from 'node:zlib'
import { strToU8, zipSync } from 'fflate'
import sharp from 'sharp'

export const ascii = (text: string): Buffer => Buffer.from(text, 'latin1')

const u16le = (n: number): Buffer => {
  const b = Buffer.alloc(2)
  b.writeUInt16LE(n)
  return b
}
const u32le = (n: number): Buffer => {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(n)
  return b
}
const u32be = (n: number): Buffer => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}

/** A still image of one colour (or noise, which compresses badly and so makes a long file). */
export async function imageOf(
  format: 'jpeg' | 'png' | 'gif' | 'webp' | 'avif',
  options: { width?: number; height?: number; color?: string; noise?: boolean } = {},
): Promise<Buffer> {
  const { width = 64, height = 48, color = '#3366cc', noise = false } = options
  const image = noise
    ? sharp({
        create: {
          width,
          height,
          channels: 3,
          background: '#000',
          noise: { type: 'gaussian', mean: 128, sigma: 60 },
        },
      })
    : sharp({ create: { width, height, channels: 3, background: color } })
  return image[format]().toBuffer()
}

/** An animated image: one frame per colour, 60 × 40 pixels each. */
export async function animationOf(format: 'gif' | 'webp', colors: readonly string[]): Promise<Buffer> {
  const frames = await Promise.all(
    colors.map((background) =>
      sharp({ create: { width: 60, height: 40, channels: 4, background } })
        .png()
        .toBuffer(),
    ),
  )
  const joined = sharp(frames, { join: { animated: true } })
  return format === 'gif'
    ? joined.gif({ delay: 100, loop: 0 }).toBuffer()
    : joined.webp({ delay: 100 }).toBuffer()
}

const pngChunk = (type: string, data: Buffer): Buffer => {
  const body = Buffer.concat([ascii(type), data])
  return Buffer.concat([u32be(data.length), body, u32be(crc32(body))])
}

/** A PNG signature and an IHDR chunk (correct CRC) claiming `width` × `height`, and nothing else. */
export function pngHeaderClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
  ])
}

const isoBox = (type: string, body: Buffer): Buffer =>
  Buffer.concat([u32be(8 + body.length), ascii(type), body])
const ftyp = (brand: string, compatible: readonly string[]): Buffer =>
  isoBox('ftyp', Buffer.concat([ascii(brand), u32be(0), ...compatible.map(ascii)]))

/** The first Ogg page of a stream, holding one header packet. */
const oggPage = (packet: Buffer): Buffer =>
  Buffer.concat([
    ascii('OggS'),
    Buffer.from([0, 2]), // version, "first page" flag
    Buffer.alloc(8), // granule position
    Buffer.alloc(12), // serial, sequence, checksum
    Buffer.from([1, packet.length]),
    packet,
  ])

const officeZip = (mainType: string): Buffer =>
  Buffer.from(
    zipSync({
      '[Content_Types].xml': strToU8(
        `<?xml version="1.0"?><Types><Override PartName="/main.xml" ContentType="${mainType}.main+xml"/></Types>`,
      ),
    }),
  )
const odfZip = (mime: string): Buffer =>
  Buffer.from(zipSync({ mimetype: [strToU8(mime), { level: 0 }], 'content.xml': strToU8('<office/>') }))

/** Minimal files of each non-image type file-type recognises, by the allowed type's extension. */
export const HEADERS: Readonly<Record<string, Buffer>> = {
  pdf: ascii('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'),
  mp3: Buffer.concat([
    ascii('ID3'),
    Buffer.from([4, 0, 0, 0, 0, 0, 0]),
    Buffer.from([0xff, 0xfb, 0x90, 0x64]),
  ]),
  ogg: oggPage(Buffer.concat([Buffer.from([1]), ascii('vorbis'), Buffer.alloc(23)])),
  opus: oggPage(Buffer.concat([ascii('OpusHead'), Buffer.alloc(11)])),
  wav: Buffer.concat([
    ascii('RIFF'),
    u32le(36),
    ascii('WAVEfmt '),
    u32le(16),
    u16le(1), // PCM
    u16le(1), // mono
    u32le(8000),
    u32le(8000),
    u16le(1),
    u16le(8),
    ascii('data'),
    u32le(0),
  ]),
  flac: Buffer.concat([ascii('fLaC'), Buffer.from([0x80, 0, 0, 34]), Buffer.alloc(34)]),
  m4a: ftyp('M4A ', ['M4A ', 'mp42', 'isom']),
  aac: Buffer.from([
    0xff,
    0xf1,
    0x50,
    0x80,
    0x02,
    0x1f,
    0xfc,
    ...Array<number>(10).fill(0),
    0xff,
    0xf1,
    0x50,
  ]),
  mp4: ftyp('isom', ['isom', 'iso2', 'mp41']),
  webm: Buffer.concat([
    Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01]),
    Buffer.from([0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84]),
    ascii('webm'),
    Buffer.from([0x42, 0x87, 0x81, 0x02, 0x42, 0x85, 0x81, 0x02]),
  ]),
  mov: ftyp('qt  ', ['qt  ']),
  ogv: oggPage(Buffer.concat([Buffer.from([0x80]), ascii('theora'), Buffer.alloc(35)])),
  docx: officeZip('application/vnd.openxmlformats-officedocument.wordprocessingml.document'),
  xlsx: officeZip('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
  pptx: officeZip('application/vnd.openxmlformats-officedocument.presentationml.presentation'),
  odt: odfZip('application/vnd.oasis.opendocument.text'),
  ods: odfZip('application/vnd.oasis.opendocument.spreadsheet'),
  odp: odfZip('application/vnd.oasis.opendocument.presentation'),
  rtf: ascii('{\\rtf1\\ansi Hello}'),
}

/** A plain ZIP archive (allowed nowhere). */
export const plainZip = (): Buffer => Buffer.from(zipSync({ 'notes.txt': strToU8('hello') }))
