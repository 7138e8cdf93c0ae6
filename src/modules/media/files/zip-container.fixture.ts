/**
 * Zip files built in memory for the archive tests: real office documents through fflate, and hand-laid
 * archives whose headers can say what the test needs (a lying size, overlapping entries, ZIP64 records).
 */
import { writeFile } from 'node:fs/promises'
import { constants, crc32, deflateRawSync } from 'node:zlib'
import { strToU8, zipSync, type Zippable } from 'fflate'

const MIB = 1024 * 1024

// One MiB of zeros as a non-final deflate block ending on a byte boundary. Every copy starts with a
// literal zero and then copies the byte before it, so copies in a row inflate to one MiB of zeros each,
// whatever came before: a bomb of any size costs about a kilobyte per MiB to build.
const ZERO_MIB = deflateRawSync(Buffer.alloc(MIB), { finishFlush: constants.Z_SYNC_FLUSH })
// An empty final block (fixed Huffman codes): ends the stream.
const FINAL_BLOCK = Buffer.from([0x03, 0x00])

/** A raw deflate stream that inflates to `mebibytes` MiB of zeros. */
export function zeroDeflate(mebibytes: number): Buffer {
  return Buffer.concat([...Array.from({ length: mebibytes }, () => ZERO_MIB), FINAL_BLOCK])
}

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="xml" ContentType="application/xml"/></Types>'

/** A small DOCX: the content-types part, the package relationships and one paragraph. */
export function docxFiles(): Zippable {
  return {
    '[Content_Types].xml': strToU8(CONTENT_TYPES),
    '_rels/.rels': strToU8('<?xml version="1.0"?><Relationships/>'),
    'word/document.xml': strToU8(
      `<w:document><w:body>${'<w:p>Hello</w:p>'.repeat(200)}</w:body></w:document>`,
    ),
  }
}

/** A small ODT: the stored `mimetype` entry first, then the content. */
export function odtFiles(): Zippable {
  return {
    mimetype: [strToU8('application/vnd.oasis.opendocument.text'), { level: 0 }],
    'content.xml': strToU8('<office:document-content>Hello</office:document-content>'),
  }
}

export const zipOf = (files: Zippable): Buffer => Buffer.from(zipSync(files, { level: 6 }))

/** One entry of a hand-laid archive. `data` is written as is; the sizes are what the headers declare. */
export interface RawEntry {
  name: string
  data: Buffer
  method: 0 | 8
  size: number
  crc: number
  /** What the central directory declares as the compressed size; the data's length when missing. */
  compressedSize?: number
}

/** A stored entry holding `text`, with true sizes and CRC. */
export function storedEntry(name: string, text: string): RawEntry {
  const data = Buffer.from(text)
  return { name, data, method: 0, size: data.length, crc: crc32(data) }
}

/** A deflated entry holding `text`, with true sizes and CRC. */
export function deflatedEntry(name: string, text: string): RawEntry {
  const raw = Buffer.from(text)
  return { name, data: deflateRawSync(raw), method: 8, size: raw.length, crc: crc32(raw) }
}

const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2)
  b.writeUInt16LE(n)
  return b
}
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(n)
  return b
}
const u64 = (n: number): Buffer => {
  const b = Buffer.alloc(8)
  b.writeBigUInt64LE(BigInt(n))
  return b
}

/**
 * Lays out a zip file from `entries`: local headers with their data, the central directory, the end
 * record. With `zip64`, the directory's sizes and offsets move to ZIP64 extra fields and a ZIP64 end
 * record (and locator) holds the directory's place; `locatorOffset` overrides where the locator says
 * that record is.
 */
export function layZip(
  entries: readonly RawEntry[],
  options: { zip64?: boolean; locatorOffset?: number } = {},
): Buffer {
  const parts: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const e of entries) {
    const name = Buffer.from(e.name)
    const declared = e.compressedSize ?? e.data.length
    const common = [u16(20), u16(0x0800), u16(e.method), u16(0), u16(0x21), u32(e.crc)]
    const local = Buffer.concat([
      u32(0x04034b50),
      ...common,
      u32(declared),
      u32(e.size),
      u16(name.length),
      u16(0),
      name,
    ])
    const sizes = options.zip64 ? [u32(0xffffffff), u32(0xffffffff)] : [u32(declared), u32(e.size)]
    const extra = options.zip64
      ? Buffer.concat([u16(1), u16(24), u64(e.size), u64(declared), u64(offset)])
      : Buffer.alloc(0)
    central.push(
      Buffer.concat([
        u32(0x02014b50),
        u16(20),
        ...common,
        ...sizes,
        u16(name.length),
        u16(extra.length),
        u16(0),
        u16(0),
        u16(0),
        u32(0),
        u32(options.zip64 ? 0xffffffff : offset),
        name,
        extra,
      ]),
    )
    parts.push(local, e.data)
    offset += local.length + e.data.length
  }
  const directory = Buffer.concat(central)
  const count = entries.length
  if (!options.zip64) {
    const end = [
      u32(0x06054b50),
      u16(0),
      u16(0),
      u16(count),
      u16(count),
      u32(directory.length),
      u32(offset),
      u16(0),
    ]
    return Buffer.concat([...parts, directory, ...end])
  }
  const recordAt = offset + directory.length
  const record = Buffer.concat([
    u32(0x06064b50),
    u64(44),
    u16(45),
    u16(45),
    u32(0),
    u32(0),
    u64(count),
    u64(count),
    u64(directory.length),
    u64(offset),
  ])
  const locator = Buffer.concat([u32(0x07064b50), u32(0), u64(options.locatorOffset ?? recordAt), u32(1)])
  const end = [
    u32(0x06054b50),
    u16(0),
    u16(0),
    u16(0xffff),
    u16(0xffff),
    u32(0xffffffff),
    u32(0xffffffff),
    u16(0),
  ]
  return Buffer.concat([...parts, directory, record, locator, ...end])
}

/** Writes `bytes` to `path` and returns the path. */
export async function spool(path: string, bytes: Uint8Array): Promise<string> {
  await writeFile(path, bytes)
  return path
}
