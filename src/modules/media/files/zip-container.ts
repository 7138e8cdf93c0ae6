/**
 * Zip-bomb checks for office documents (DOCX, XLSX, PPTX and the OpenDocument formats are zip files).
 * The file is read from local disk in pieces, never whole: the end records and the central directory
 * first, and their declarations judged (entry count, names, total size, compression ratios); then every
 * entry's local header, so that no two entries share bytes; then every entry is actually inflated,
 * stopping the moment it passes the size it declared, so a lying header gets no further than its lie.
 */
import { open, type FileHandle } from 'node:fs/promises'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { crc32, createInflateRaw } from 'node:zlib'
import { isAppError } from '../../../platform/errors/index.ts'
import {
  EOCD64_BYTES,
  EOCD64_LOCATOR,
  EOCD_BYTES,
  LOCATOR_BYTES,
  MAX_DIRECTORY_BYTES,
  ZIP_LIMITS,
  archiveError,
  checkDeclaredEntries,
  checkSpans,
  findEndRecord,
  hasOfficeMarker,
  parseCentralDirectory,
  readLocator,
  readZip64End,
  refuseArchive,
  type Directory,
  type EntrySpan,
  type ZipEntry,
  type ZipLimits,
} from './zip-container.rules.ts'

export { ZIP_LIMITS, type ZipLimits, type ZipRefusalReason } from './zip-container.rules.ts'

const LOCAL_HEADER = 0x04034b50
const LOCAL_HEADER_BYTES = 30
const DATA_DESCRIPTOR = 0x08074b50
const DESCRIPTOR_FLAG = 0x0008
const MAX_COMMENT = 0xffff
const READ_CHUNK = 64 * 1024

/** Exactly `length` bytes at `position`, or a refusal when the file is shorter. */
async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length)
  const { bytesRead } = await handle.read(buffer, 0, length, position)
  if (bytesRead !== length) refuseArchive('malformed')
  return buffer
}

/** The central directory's place, from the end record and, when there is one, the ZIP64 end record. */
async function readDirectory(handle: FileHandle, fileSize: number): Promise<Directory> {
  if (fileSize < EOCD_BYTES) refuseArchive('malformed')
  const tailLength = Math.min(fileSize, EOCD_BYTES + MAX_COMMENT)
  const tailStart = fileSize - tailLength
  const classic = findEndRecord(await readAt(handle, tailStart, tailLength), tailStart)
  // The plain layout (directory right before the end record) wins when it holds: bytes that merely
  // look like a ZIP64 locator at the end of a directory entry do not make a ZIP64 file.
  if (!classic.saturated && classic.offset + classic.size === classic.at) return classic
  const locatorAt = classic.at - LOCATOR_BYTES
  const locator = locatorAt >= 0 ? await readAt(handle, locatorAt, LOCATOR_BYTES) : undefined
  // No ZIP64 records: a saturated value cannot be resolved, and a misplaced directory is refused by
  // the caller as malformed.
  if (locator?.readUInt32LE(0) !== EOCD64_LOCATOR) return classic.saturated ? refuseArchive('zip64') : classic
  const recordAt = readLocator(locator)
  if (recordAt > locatorAt - EOCD64_BYTES) refuseArchive('zip64')
  return readZip64End(await readAt(handle, recordAt, EOCD64_BYTES), recordAt, classic)
}

/** Where the entry's data starts, after checking its local header agrees with the directory. */
async function dataStartOf(handle: FileHandle, entry: ZipEntry): Promise<number> {
  const header = await readAt(handle, entry.localOffset, LOCAL_HEADER_BYTES + entry.nameBytes.length)
  const name = header.subarray(LOCAL_HEADER_BYTES)
  if (header.readUInt32LE(0) !== LOCAL_HEADER || header.readUInt16LE(8) !== entry.method) {
    refuseArchive('malformed', { name: entry.name.slice(0, 200) })
  }
  if (header.readUInt16LE(26) !== entry.nameBytes.length || !name.equals(entry.nameBytes)) {
    refuseArchive('malformed', { name: entry.name.slice(0, 200) })
  }
  return entry.localOffset + LOCAL_HEADER_BYTES + entry.nameBytes.length + header.readUInt16LE(28)
}

/** The length of the data descriptor after an entry's data (flag bit 3), signature optional. */
async function descriptorLength(handle: FileHandle, entry: ZipEntry, at: number): Promise<number> {
  if ((entry.flags & DESCRIPTOR_FLAG) === 0) return 0
  const sizes = entry.zip64 ? 16 : 8
  const signature = await readAt(handle, at, 4)
  return (signature.readUInt32LE(0) === DATA_DESCRIPTOR ? 8 : 4) + sizes
}

interface LaidOutEntry {
  entry: ZipEntry
  dataStart: number
  span: EntrySpan
}

async function layOut(handle: FileHandle, entries: readonly ZipEntry[]): Promise<LaidOutEntry[]> {
  const laidOut: LaidOutEntry[] = []
  for (const entry of entries) {
    const dataStart = await dataStartOf(handle, entry)
    const dataEnd = dataStart + entry.compressedSize
    const end = dataEnd + (await descriptorLength(handle, entry, dataEnd))
    laidOut.push({ entry, dataStart, span: { start: entry.localOffset, end } })
  }
  return laidOut
}

/**
 * Inflates one entry from the file, streaming, and refuses as soon as it yields more than it declared;
 * then checks it yielded exactly that many bytes, with the declared CRC-32.
 */
async function inflateEntry(handle: FileHandle, { entry, dataStart }: LaidOutEntry): Promise<void> {
  const name = entry.name.slice(0, 200)
  if (entry.compressedSize === 0) {
    // Nothing to inflate (an empty stored entry, or a folder): only an empty entry may say so.
    if (entry.size !== 0 || entry.crc !== 0) refuseArchive('size_mismatch', { name, declared: entry.size })
    return
  }
  let produced = 0
  let crc = 0
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      produced += chunk.length
      if (produced > entry.size) {
        done(archiveError('size_mismatch', { name, declared: entry.size }))
        return
      }
      crc = crc32(chunk, crc)
      done()
    },
  })
  const source = chunksOf(handle, dataStart, entry.compressedSize)
  try {
    if (entry.method === 8) await pipeline(source, createInflateRaw(), sink)
    else await pipeline(source, sink)
  } catch (err) {
    if (isAppError(err)) throw err
    refuseArchive('malformed', { name })
  }
  if (produced !== entry.size) refuseArchive('size_mismatch', { name, declared: entry.size })
  if (crc !== entry.crc) refuseArchive('crc_mismatch', { name })
}

/** The `length` bytes at `start`, in chunks of at most READ_CHUNK. */
async function* chunksOf(handle: FileHandle, start: number, length: number): AsyncGenerator<Buffer> {
  let at = start
  const end = start + length
  while (at < end) {
    const chunk = await readAt(handle, at, Math.min(READ_CHUNK, end - at))
    at += chunk.length
    yield chunk
  }
}

/**
 * Checks that the office document at `file` (a zip archive on local disk) is no zip bomb, or throws
 * `COLOPHON_MEDIA_ARCHIVE_UNSAFE` (422, `details.reason`, one of `ZipRefusalReason`). Refused: a file
 * whose end records or central directory do not read (`malformed`) or whose ZIP64 records do not agree
 * (`zip64`); more entries than `maxEntries`; names with `..` or an absolute path; duplicate names;
 * encrypted entries; methods other than stored and deflate; a declared total past `maxTotalBytes`; an
 * entry over `ratioAboveBytes` compressed more than `maxRatio` to 1; entries sharing bytes; an entry that
 * inflates to more or less than it declares or fails its CRC; no office marker (`[Content_Types].xml`,
 * or a stored `mimetype` entry first). Limits default to `ZIP_LIMITS`.
 *
 * Memory stays small whatever the file holds: the central directory (at most 16 MiB) and one chunk of
 * compressed and inflated data at a time.
 */
export async function inspectZipContainer(file: string, limits?: Partial<ZipLimits>): Promise<void> {
  const bounds: ZipLimits = { ...ZIP_LIMITS, ...limits }
  const handle = await open(file, 'r')
  try {
    const { size: fileSize } = await handle.stat()
    const directory = await readDirectory(handle, fileSize)
    if (directory.entries > bounds.maxEntries) {
      refuseArchive('too_many_entries', { maxEntries: bounds.maxEntries })
    }
    if (directory.offset + directory.size !== directory.end) refuseArchive('malformed')
    if (directory.size > MAX_DIRECTORY_BYTES) {
      refuseArchive('directory_too_large', { maxDirectoryBytes: MAX_DIRECTORY_BYTES })
    }
    const entries = parseCentralDirectory(
      await readAt(handle, directory.offset, directory.size),
      directory.entries,
    )
    checkDeclaredEntries(entries, bounds)
    if (!hasOfficeMarker(entries)) refuseArchive('not_office_document')
    const laidOut = await layOut(handle, entries)
    checkSpans(
      laidOut.map((e) => e.span),
      directory.offset,
    )
    for (const entry of laidOut) await inflateEntry(handle, entry)
  } finally {
    await handle.close()
  }
}
