/**
 * The pure half of `inspectZipContainer`: reading the records at the end of a zip file and its central
 * directory from bytes already in memory, and the verdicts on what they declare. The file reads and
 * the inflating live in zip-container.ts.
 */
import type { AppError } from '../../../platform/errors/index.ts'
import { MediaFileErrors } from './files.errors.ts'

/** Why an office document was refused (`details.reason` of `COLOPHON_MEDIA_ARCHIVE_UNSAFE`). */
export type ZipRefusalReason =
  | 'malformed'
  | 'zip64'
  | 'too_many_entries'
  | 'directory_too_large'
  | 'unsafe_name'
  | 'duplicate_name'
  | 'encrypted'
  | 'unsupported_method'
  | 'too_large'
  | 'ratio'
  | 'overlapping_entries'
  | 'size_mismatch'
  | 'crc_mismatch'
  | 'not_office_document'

/** The bounds a document's archive must stay within. */
export interface ZipLimits {
  /** Entries in the central directory. */
  maxEntries: number
  /** Bytes of all entries once inflated, declared and actual. */
  maxTotalBytes: number
  /** Inflated size ÷ compressed size an entry may reach… */
  maxRatio: number
  /** …once it inflates to more than this many bytes (small entries compress well legitimately). */
  ratioAboveBytes: number
}

/** The limits `inspectZipContainer` applies unless told otherwise. */
export const ZIP_LIMITS: Readonly<ZipLimits> = Object.freeze({
  maxEntries: 10_000,
  maxTotalBytes: 512 * 1024 * 1024,
  maxRatio: 200,
  ratioAboveBytes: 1024 * 1024,
})

/** The most central-directory bytes read into memory: far above what 10,000 office entries need. */
export const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024

type Facts = Record<string, string | number>

/** `COLOPHON_MEDIA_ARCHIVE_UNSAFE` with `reason` and `facts` in its details. */
export function archiveError(reason: ZipRefusalReason, facts: Facts = {}): AppError {
  return MediaFileErrors.archiveUnsafe({ details: { reason, ...facts } })
}

/** Throws `archiveError(reason, facts)`. */
export function refuseArchive(reason: ZipRefusalReason, facts: Facts = {}): never {
  throw archiveError(reason, facts)
}

const EOCD = 0x06054b50
const EOCD64 = 0x06064b50
export const EOCD64_LOCATOR = 0x07064b50
const CENTRAL_ENTRY = 0x02014b50
export const EOCD_BYTES = 22
export const EOCD64_BYTES = 56
export const LOCATOR_BYTES = 20
const CENTRAL_ENTRY_BYTES = 46
const MAX_U16 = 0xffff
const MAX_U32 = 0xffffffff
// Flag bits: 0 encrypted, 6 strong encryption, 13 encrypted central directory; 11 UTF-8 names.
const ENCRYPTION_FLAGS = 0x0001 | 0x0040 | 0x2000
const UTF8_FLAG = 0x0800

/** Where the central directory is, from the end records. */
export interface Directory {
  entries: number
  offset: number
  size: number
  /** Where the directory must end: the ZIP64 end record when there is one, else the end record. */
  end: number
}

/** The classic end record found in `tail` (the file's last bytes, starting at `tailStart`). */
export interface EndRecord extends Directory {
  at: number
  /** True when a count, size or offset is saturated and only a ZIP64 record holds the real value. */
  saturated: boolean
}

/**
 * Finds the end-of-central-directory record: the last signature whose comment runs exactly to the end
 * of the file (a signature inside a comment does not qualify). One disk only.
 */
export function findEndRecord(tail: Buffer, tailStart: number): EndRecord {
  for (let i = tail.length - EOCD_BYTES; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== EOCD || tail.readUInt16LE(i + 20) !== tail.length - i - EOCD_BYTES) continue
    const entries = tail.readUInt16LE(i + 10)
    if (tail.readUInt16LE(i + 4) !== 0 || tail.readUInt16LE(i + 6) !== 0) refuseArchive('malformed')
    if (tail.readUInt16LE(i + 8) !== entries) refuseArchive('malformed')
    const size = tail.readUInt32LE(i + 12)
    const offset = tail.readUInt32LE(i + 16)
    const at = tailStart + i
    const saturated = entries === MAX_U16 || size === MAX_U32 || offset === MAX_U32
    return { entries, size, offset, at, end: at, saturated }
  }
  return refuseArchive('malformed')
}

const safeNumber = (value: bigint): number =>
  value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : refuseArchive('zip64')

/** The offset of the ZIP64 end record, from the locator just before the classic end record. */
export function readLocator(locator: Buffer): number {
  if (locator.readUInt32LE(0) !== EOCD64_LOCATOR) refuseArchive('zip64')
  if (locator.readUInt32LE(4) !== 0 || locator.readUInt32LE(16) !== 1) refuseArchive('zip64')
  return safeNumber(locator.readBigUInt64LE(8))
}

/**
 * The directory as the ZIP64 end record (at `at`, ending exactly where the locator starts) gives it.
 * Each saturated classic value must be replaced; an unsaturated one must agree.
 */
export function readZip64End(record: Buffer, at: number, classic: EndRecord): Directory {
  const locatorAt = classic.at - LOCATOR_BYTES
  if (record.readUInt32LE(0) !== EOCD64) refuseArchive('zip64')
  if (at + 12 + safeNumber(record.readBigUInt64LE(4)) !== locatorAt) refuseArchive('zip64')
  if (record.readUInt32LE(16) !== 0 || record.readUInt32LE(20) !== 0) refuseArchive('zip64')
  const entries = safeNumber(record.readBigUInt64LE(32))
  if (safeNumber(record.readBigUInt64LE(24)) !== entries) refuseArchive('zip64')
  const size = safeNumber(record.readBigUInt64LE(40))
  const offset = safeNumber(record.readBigUInt64LE(48))
  const agrees = (value: number, classicValue: number, max: number) =>
    classicValue === max || classicValue === value
  if (!agrees(entries, classic.entries, MAX_U16) || !agrees(size, classic.size, MAX_U32)) {
    refuseArchive('zip64')
  }
  if (!agrees(offset, classic.offset, MAX_U32)) refuseArchive('zip64')
  return { entries, size, offset, end: at }
}

/** One entry as the central directory declares it. */
export interface ZipEntry {
  name: string
  nameBytes: Buffer
  flags: number
  method: number
  crc: number
  compressedSize: number
  size: number
  localOffset: number
  /** True when a ZIP64 extra field gave a size (its data descriptor, if any, has 8-byte sizes). */
  zip64: boolean
}

/** Replaces the saturated sizes and offset of an entry from its ZIP64 extra field (id 1), in order. */
function applyZip64Extra(entry: ZipEntry, extra: Buffer, disk: number): void {
  let at = 0
  while (at + 4 <= extra.length) {
    const id = extra.readUInt16LE(at)
    const length = extra.readUInt16LE(at + 2)
    const end = at + 4 + length
    if (end > extra.length) refuseArchive('malformed')
    if (id === 1) {
      let field = at + 4
      const next = (): number => {
        if (field + 8 > end) refuseArchive('zip64')
        const value = safeNumber(extra.readBigUInt64LE(field))
        field += 8
        return value
      }
      if (entry.size === MAX_U32) entry.size = next()
      if (entry.compressedSize === MAX_U32) entry.compressedSize = next()
      if (entry.localOffset === MAX_U32) entry.localOffset = next()
      if (disk === MAX_U16 && field + 4 <= end && extra.readUInt32LE(field) !== 0) refuseArchive('malformed')
      entry.zip64 = true
    }
    at = end
  }
  if (entry.size === MAX_U32 || entry.compressedSize === MAX_U32 || entry.localOffset === MAX_U32) {
    refuseArchive('zip64')
  }
}

/** Parses the central directory, which must hold exactly `count` entries and nothing after them. */
export function parseCentralDirectory(directory: Buffer, count: number): ZipEntry[] {
  const entries: ZipEntry[] = []
  let at = 0
  while (entries.length < count) {
    if (at + CENTRAL_ENTRY_BYTES > directory.length) refuseArchive('malformed')
    if (directory.readUInt32LE(at) !== CENTRAL_ENTRY) refuseArchive('malformed')
    const nameLength = directory.readUInt16LE(at + 28)
    const extraLength = directory.readUInt16LE(at + 30)
    const end = at + CENTRAL_ENTRY_BYTES + nameLength + extraLength + directory.readUInt16LE(at + 32)
    if (end > directory.length) refuseArchive('malformed')
    const disk = directory.readUInt16LE(at + 34)
    if (disk !== 0 && disk !== MAX_U16) refuseArchive('malformed')
    const flags = directory.readUInt16LE(at + 8)
    const nameBytes = directory.subarray(at + CENTRAL_ENTRY_BYTES, at + CENTRAL_ENTRY_BYTES + nameLength)
    const entry: ZipEntry = {
      // Without the UTF-8 flag a name is in code page 437; its ASCII part, where "/", "\" and "." are,
      // reads the same as latin1.
      name: nameBytes.toString(flags & UTF8_FLAG ? 'utf8' : 'latin1'),
      nameBytes,
      flags,
      method: directory.readUInt16LE(at + 10),
      crc: directory.readUInt32LE(at + 16),
      compressedSize: directory.readUInt32LE(at + 20),
      size: directory.readUInt32LE(at + 24),
      localOffset: directory.readUInt32LE(at + 42),
      zip64: false,
    }
    const extraStart = at + CENTRAL_ENTRY_BYTES + nameLength
    applyZip64Extra(entry, directory.subarray(extraStart, extraStart + extraLength), disk)
    entries.push(entry)
    at = end
  }
  if (at !== directory.length) refuseArchive('malformed')
  return entries
}

/** True when a name could land outside the folder it is unpacked into, or cannot be a file name. */
export function isUnsafeName(name: string): boolean {
  if (name.length === 0 || name.includes('\0')) return true
  if (name.startsWith('/') || name.startsWith('\\') || /^[a-z]:/i.test(name)) return true
  return name.split(/[\\/]/).includes('..')
}

/**
 * The verdicts on what the directory declares, before any data is read: names, duplicates, encryption,
 * methods (stored and deflate only, all office formats use), the total inflated size and each entry's
 * compression ratio.
 */
export function checkDeclaredEntries(entries: readonly ZipEntry[], limits: ZipLimits): void {
  const names = new Set<string>()
  let total = 0
  for (const entry of entries) {
    const name = entry.name.slice(0, 200)
    if (isUnsafeName(entry.name)) refuseArchive('unsafe_name', { name })
    if (names.has(entry.name)) refuseArchive('duplicate_name', { name })
    names.add(entry.name)
    if (entry.flags & ENCRYPTION_FLAGS) refuseArchive('encrypted', { name })
    if (entry.method !== 0 && entry.method !== 8) refuseArchive('unsupported_method', { name })
    if (entry.method === 0 && entry.compressedSize !== entry.size) refuseArchive('malformed', { name })
    total += entry.size
    if (total > limits.maxTotalBytes) refuseArchive('too_large', { maxTotalBytes: limits.maxTotalBytes })
    const ratio = entry.size / Math.max(1, entry.compressedSize)
    if (entry.size > limits.ratioAboveBytes && ratio > limits.maxRatio) {
      refuseArchive('ratio', { name, maxRatio: limits.maxRatio })
    }
  }
}

/** Where an entry's local header, data and data descriptor lie in the file: [start, end). */
export interface EntrySpan {
  start: number
  end: number
}

/** Refuses when two entries' spans overlap, or one runs into the central directory at `directoryStart`. */
export function checkSpans(spans: readonly EntrySpan[], directoryStart: number): void {
  const sorted = [...spans].sort((a, b) => a.start - b.start)
  let previousEnd = 0
  for (const span of sorted) {
    if (span.start < previousEnd) refuseArchive('overlapping_entries')
    previousEnd = span.end
  }
  if (previousEnd > directoryStart) refuseArchive('overlapping_entries')
}

/**
 * True when the entries carry an office format's own marker: `[Content_Types].xml` for DOCX, XLSX and
 * PPTX, a `mimetype` entry first in the file for the OpenDocument formats.
 */
export function hasOfficeMarker(entries: readonly ZipEntry[]): boolean {
  if (entries.some((e) => e.name === '[Content_Types].xml')) return true
  const first = entries.reduce<ZipEntry | undefined>(
    (min, e) => (min === undefined || e.localOffset < min.localOffset ? e : min),
    undefined,
  )
  return first?.name === 'mimetype' && first.method === 0
}
