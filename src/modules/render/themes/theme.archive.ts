import { crc32 } from 'node:zlib'
import { Inflate } from 'fflate'
import { THEME_LIMITS } from './theme.files.ts'
import type { ThemeFile } from './theme.loader.ts'

/**
 * A theme's files from a `.zip` archive, read defensively: an archive is hostile until proven otherwise.
 *
 * The central directory is read by hand (it is a simple, fixed layout) so that every rule can be applied
 * before a byte is inflated: entry names (no absolute paths, `..`, backslashes, drive letters, control
 * characters, empty or `.` segments, names listed twice), entry kinds (symbolic links and other special
 * files from Unix archives are refused), encryption, ZIP64 and split archives (a theme never needs them),
 * overlapping entries (a known zip-bomb construction), the file count and the declared sizes and
 * compression ratios. Entries are then inflated with fflate in small steps, counting what comes out, so
 * that an entry whose declared size lies is stopped as soon as it passes it; every entry's CRC-32 is
 * checked. Only then do the theme's own rules (theme.files.ts, the manifest, templates) apply.
 *
 * One optional top folder is stripped (`harbour/theme.json` → `theme.json`): archives made by zipping a
 * theme's folder have it.
 */

export const THEME_ARCHIVE_LIMITS = {
  /** The archive itself, as uploaded. */
  archiveBytes: 24 * 1024 * 1024,
  /** Entries of the central directory, folders included. */
  entries: THEME_LIMITS.files * 2,
  /** Inflated bytes per compressed byte, per entry and for the whole archive, past `ratioFloorBytes`. */
  ratio: 100,
  /** Entries (and archives) smaller than this inflate to too little to matter, whatever their ratio. */
  ratioFloorBytes: 256 * 1024,
  /** Characters of an entry name before the top folder is stripped. */
  nameLength: THEME_LIMITS.pathLength + 64,
} as const

/** The rule an archive broke: `details.rule` of the refusal. */
export type ArchiveRule =
  | 'not-a-zip'
  | 'split-or-zip64'
  | 'encrypted'
  | 'compression-method'
  | 'unsafe-name'
  | 'duplicate-name'
  | 'not-a-regular-file'
  | 'overlapping-entries'
  | 'too-many-files'
  | 'file-too-large'
  | 'too-large'
  | 'compression-ratio'
  | 'corrupt'

export interface ArchiveRefusal {
  rule: ArchiveRule
  /** The entry at fault, as named in the archive ('' for the archive as a whole). */
  path: string
  message: string
}

/** Rules that are about size (413) rather than form (400). */
export const SIZE_RULES: ReadonlySet<ArchiveRule> = new Set([
  'too-many-files',
  'file-too-large',
  'too-large',
  'compression-ratio',
])

interface Entry {
  name: string
  flags: number
  method: number
  crc: number
  compressedSize: number
  size: number
  localOffset: number
  isFolder: boolean
}

const EOCD_SIGNATURE = 0x06054b50
const CENTRAL_SIGNATURE = 0x02014b50
const LOCAL_SIGNATURE = 0x04034b50
const UNIX = 3
const S_IFMT = 0o170000
const S_IFREG = 0o100000
const S_IFDIR = 0o040000
/** Compressed bytes handed to the inflater at a time: bounds what one step can produce (about 1032×). */
const INFLATE_STEP = 4096

class Refused extends Error {
  readonly refusal: ArchiveRefusal
  constructor(refusal: ArchiveRefusal) {
    super(refusal.message)
    this.refusal = refusal
  }
}

const refuse = (rule: ArchiveRule, path: string, message: string): never => {
  throw new Refused({ rule, path, message })
}

/** The theme files in `archive`, or the first rule it breaks. */
export function readThemeArchive(archive: Uint8Array): { files: ThemeFile[] } | { refusal: ArchiveRefusal } {
  try {
    const buffer = Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength)
    if (buffer.length > THEME_ARCHIVE_LIMITS.archiveBytes)
      refuse('too-large', '', `the archive is larger than ${THEME_ARCHIVE_LIMITS.archiveBytes} bytes`)
    const entries = readCentralDirectory(buffer)
    checkEntries(buffer, entries)
    const files = entries
      .filter((e) => !e.isFolder)
      .map((entry) => ({ path: entry.name, bytes: inflateEntry(buffer, entry) }))
    return { files: withoutTopFolder(files) }
  } catch (err) {
    if (err instanceof Refused) return { refusal: err.refusal }
    throw err
  }
}

function readCentralDirectory(buffer: Buffer): Entry[] {
  const eocd = findEndOfCentralDirectory(buffer)
  const disk = buffer.readUInt16LE(eocd + 4)
  const cdDisk = buffer.readUInt16LE(eocd + 6)
  const onDisk = buffer.readUInt16LE(eocd + 8)
  const count = buffer.readUInt16LE(eocd + 10)
  const cdSize = buffer.readUInt32LE(eocd + 12)
  const cdOffset = buffer.readUInt32LE(eocd + 16)
  if (disk !== 0 || cdDisk !== 0 || onDisk !== count || count === 0xffff || cdOffset === 0xffffffff)
    refuse('split-or-zip64', '', 'split archives and ZIP64 archives are not accepted')
  if (count > THEME_ARCHIVE_LIMITS.entries)
    refuse('too-many-files', '', `more than ${THEME_ARCHIVE_LIMITS.entries} entries in the archive`)
  if (cdOffset + cdSize > eocd) refuse('not-a-zip', '', 'the central directory lies outside the archive')
  const entries: Entry[] = []
  let at = cdOffset
  for (let i = 0; i < count; i++) {
    if (at + 46 > eocd || buffer.readUInt32LE(at) !== CENTRAL_SIGNATURE)
      refuse('not-a-zip', '', 'the central directory is damaged')
    const madeBy = buffer.readUInt16LE(at + 4)
    const nameLength = buffer.readUInt16LE(at + 28)
    const extraLength = buffer.readUInt16LE(at + 30)
    const commentLength = buffer.readUInt16LE(at + 32)
    const attributes = buffer.readUInt32LE(at + 38)
    const nameBytes = buffer.subarray(at + 46, at + 46 + nameLength)
    const name = checkedName(nameBytes)
    const mode = attributes >>> 16
    if (madeBy >> 8 === UNIX && mode !== 0) {
      const kind = mode & S_IFMT
      if (kind !== S_IFREG && kind !== S_IFDIR)
        refuse('not-a-regular-file', name, 'symbolic links and special files are not accepted')
    }
    entries.push({
      name: name.replace(/\/$/, ''),
      flags: buffer.readUInt16LE(at + 8),
      method: buffer.readUInt16LE(at + 10),
      crc: buffer.readUInt32LE(at + 16),
      compressedSize: buffer.readUInt32LE(at + 20),
      size: buffer.readUInt32LE(at + 24),
      localOffset: buffer.readUInt32LE(at + 42),
      isFolder: name.endsWith('/'),
    })
    at += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

function findEndOfCentralDirectory(buffer: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65,535, at the very end.
  const stop = Math.max(0, buffer.length - 22 - 0xffff)
  for (let at = buffer.length - 22; at >= stop; at--)
    if (buffer.readUInt32LE(at) === EOCD_SIGNATURE) return at
  return refuse('not-a-zip', '', 'not a ZIP archive')
}

/**
 * An entry's name, refused unless it is a plain relative path of printable ASCII: theme paths are ASCII
 * (theme.files.ts), so a name in another encoding could only be a trick.
 */
function checkedName(bytes: Buffer): string {
  const name = bytes.toString('latin1')
  const unsafe = (message: string) => refuse('unsafe-name', name, message)
  if (bytes.length === 0) unsafe('an entry without a name')
  if (bytes.length > THEME_ARCHIVE_LIMITS.nameLength)
    unsafe(`longer than ${THEME_ARCHIVE_LIMITS.nameLength} characters`)
  if (bytes.some((b) => b < 0x20 || b > 0x7e)) unsafe('control or non-ASCII characters in the name')
  if (name.includes('\\')) unsafe('a backslash in the name')
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) unsafe('an absolute path')
  const segments = name.replace(/\/$/, '').split('/')
  if (segments.some((s) => s === '..')) unsafe('a ".." segment (path traversal)')
  if (segments.some((s) => s === '' || s === '.')) unsafe('an empty or "." segment')
  return name
}

function checkEntries(buffer: Buffer, entries: Entry[]): void {
  const files = entries.filter((e) => !e.isFolder)
  if (files.length > THEME_LIMITS.files) refuse('too-many-files', '', `more than ${THEME_LIMITS.files} files`)
  const seen = new Set<string>()
  let total = 0
  let compressed = 0
  for (const entry of entries) {
    const folded = entry.name.toLowerCase()
    if (seen.has(folded)) refuse('duplicate-name', entry.name, 'listed twice (letter case aside)')
    seen.add(folded)
    if (entry.isFolder) continue
    if (entry.flags & 0x1) refuse('encrypted', entry.name, 'encrypted entries are not accepted')
    if (entry.method !== 0 && entry.method !== 8)
      refuse('compression-method', entry.name, 'only stored and deflated entries are accepted')
    if (entry.method === 0 && entry.compressedSize !== entry.size)
      refuse('corrupt', entry.name, 'a stored entry whose sizes differ')
    if (entry.size > THEME_LIMITS.fileBytes)
      refuse('file-too-large', entry.name, `larger than ${THEME_LIMITS.fileBytes} bytes`)
    checkRatio(entry.name, entry.size, entry.compressedSize)
    total += entry.size
    compressed += entry.compressedSize
  }
  if (total > THEME_LIMITS.totalBytes)
    refuse('too-large', '', `more than ${THEME_LIMITS.totalBytes} bytes in all, inflated`)
  checkRatio('', total, compressed)
  checkNoOverlap(buffer, files)
}

function checkRatio(name: string, size: number, compressedSize: number): void {
  if (size > THEME_ARCHIVE_LIMITS.ratioFloorBytes && size > compressedSize * THEME_ARCHIVE_LIMITS.ratio)
    refuse(
      'compression-ratio',
      name,
      `inflates to more than ${THEME_ARCHIVE_LIMITS.ratio} times its compressed size`,
    )
}

/** Each entry's local header and data lie inside the archive, and no two entries share bytes. */
function checkNoOverlap(buffer: Buffer, files: Entry[]): void {
  const spans = files
    .map((entry) => {
      const start = entry.localOffset
      if (start + 30 > buffer.length || buffer.readUInt32LE(start) !== LOCAL_SIGNATURE)
        refuse('corrupt', entry.name, 'no local header where the central directory points')
      const end = dataStart(buffer, entry) + entry.compressedSize
      if (end > buffer.length) refuse('corrupt', entry.name, 'the entry runs past the end of the archive')
      return { entry, start, end }
    })
    .sort((a, b) => a.start - b.start)
  for (let i = 1; i < spans.length; i++) {
    const previous = spans[i - 1] as (typeof spans)[number]
    const span = spans[i] as (typeof spans)[number]
    if (span.start < previous.end)
      refuse('overlapping-entries', span.entry.name, `shares bytes with ${previous.entry.name}`)
  }
}

function dataStart(buffer: Buffer, entry: Entry): number {
  const nameLength = buffer.readUInt16LE(entry.localOffset + 26)
  const extraLength = buffer.readUInt16LE(entry.localOffset + 28)
  const localName = buffer.subarray(entry.localOffset + 30, entry.localOffset + 30 + nameLength)
  if (localName.toString('latin1').replace(/\/$/, '') !== entry.name)
    refuse('corrupt', entry.name, 'the local header names another file')
  return entry.localOffset + 30 + nameLength + extraLength
}

/** The entry's bytes, inflated step by step and stopped as soon as they pass the declared size. */
function inflateEntry(buffer: Buffer, entry: Entry): Buffer {
  const start = dataStart(buffer, entry)
  const data = buffer.subarray(start, start + entry.compressedSize)
  let bytes: Buffer
  if (entry.method === 0) bytes = Buffer.from(data)
  else {
    const chunks: Uint8Array[] = []
    let produced = 0
    const inflater = new Inflate((chunk) => {
      produced += chunk.length
      if (produced > entry.size) refuse('corrupt', entry.name, 'inflates to more than its declared size')
      chunks.push(chunk)
    })
    try {
      for (let at = 0; at < data.length; at += INFLATE_STEP) {
        const end = Math.min(at + INFLATE_STEP, data.length)
        inflater.push(data.subarray(at, end), end === data.length)
      }
      if (data.length === 0) inflater.push(new Uint8Array(0), true)
    } catch (err) {
      if (err instanceof Refused) throw err
      refuse('corrupt', entry.name, 'the compressed data is damaged')
    }
    bytes = Buffer.concat(chunks)
  }
  if (bytes.length !== entry.size) refuse('corrupt', entry.name, 'not the size the archive declares')
  if (crc32(bytes) !== entry.crc) refuse('corrupt', entry.name, 'the checksum does not match')
  return bytes
}

/** Strips the one folder every file sits in, when there is one and it holds the manifest. */
function withoutTopFolder(files: ThemeFile[]): ThemeFile[] {
  const tops = new Set(files.map((f) => (f.path.includes('/') ? f.path.split('/')[0] : '')))
  const [top] = tops
  if (tops.size !== 1 || top === undefined || top === '') return files
  if (!files.some((f) => f.path === `${top}/theme.json`)) return files
  return files.map((f) => ({ path: f.path.slice(top.length + 1), bytes: f.bytes }))
}
