import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../platform/errors/index.ts'
import { inspectZipContainer, type ZipLimits } from './zip-container.ts'
import {
  deflatedEntry,
  docxFiles,
  layZip,
  odtFiles,
  spool,
  storedEntry,
  zeroDeflate,
  zipOf,
  type RawEntry,
} from './zip-container.fixture.ts'

const MIB = 1024 * 1024
let dir: string
let count = 0

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'colophon-zip-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const fileOf = (bytes: Uint8Array): Promise<string> => spool(join(dir, `${++count}.zip`), bytes)

/** The refusal `inspectZipContainer` throws for `bytes`, as code, status and details. */
async function refusal(bytes: Uint8Array, limits?: Partial<ZipLimits>) {
  try {
    await inspectZipContainer(await fileOf(bytes), limits)
  } catch (err) {
    if (!isAppError(err)) throw err
    return { code: err.code, status: err.status, details: err.details as Record<string, unknown> }
  }
  throw new Error('the archive was accepted')
}

const contentTypes = storedEntry('[Content_Types].xml', '<Types/>')
const zeros = (name: string, mebibytes: number, declared = mebibytes * MIB): RawEntry => ({
  name,
  data: zeroDeflate(mebibytes),
  method: 8,
  size: declared,
  crc: 0,
})

describe('inspectZipContainer: ordinary documents', () => {
  it('accepts a small DOCX built by a zip library', async () => {
    await expect(inspectZipContainer(await fileOf(zipOf(docxFiles())))).resolves.toBeUndefined()
  })

  it('accepts a small ODT with its stored mimetype entry first', async () => {
    await expect(inspectZipContainer(await fileOf(zipOf(odtFiles())))).resolves.toBeUndefined()
  })

  it('accepts an archive whose directory is described by ZIP64 records that agree', async () => {
    const bytes = layZip([contentTypes, deflatedEntry('word/document.xml', '<w:document/>')], { zip64: true })
    await expect(inspectZipContainer(await fileOf(bytes))).resolves.toBeUndefined()
  })
})

describe('inspectZipContainer: bombs', () => {
  it('refuses a 20 MiB entry of zeros by its compression ratio, before inflating it', async () => {
    const result = await refusal(layZip([contentTypes, zeros('word/document.xml', 20)]))
    expect(result).toMatchObject({ code: 'COLOPHON_MEDIA_ARCHIVE_UNSAFE', status: 422 })
    expect(result.details).toMatchObject({ reason: 'ratio', name: 'word/document.xml', maxRatio: 200 })
  })

  it('refuses an entry declaring 600 MiB, past the total', async () => {
    const result = await refusal(layZip([contentTypes, zeros('word/document.xml', 600)]))
    expect(result.details).toMatchObject({ reason: 'too_large', maxTotalBytes: 512 * MIB })
  })

  it('refuses entries that add up past a lowered total, each compressing modestly', async () => {
    const parts = Array.from({ length: 3 }, (_, i) => storedEntry(`word/part${i}.xml`, 'x'.repeat(400_000)))
    const result = await refusal(layZip([contentTypes, ...parts]), { maxTotalBytes: MIB })
    expect(result.details).toMatchObject({ reason: 'too_large', maxTotalBytes: MIB })
  })

  // Inflating all 16 GiB would take far longer than a test may run: passing means it stopped early.
  it('stops inflating a 16 GiB entry that declares 1 KiB as soon as it passes 1 KiB', async () => {
    const result = await refusal(layZip([contentTypes, zeros('word/document.xml', 16 * 1024, 1024)]))
    expect(result.details).toMatchObject({
      reason: 'size_mismatch',
      name: 'word/document.xml',
      declared: 1024,
    })
  })

  it('refuses an entry that inflates to less than it declares', async () => {
    const entry = { ...deflatedEntry('word/document.xml', 'hello'), size: 10 }
    const result = await refusal(layZip([contentTypes, entry]))
    expect(result.details).toMatchObject({ reason: 'size_mismatch', declared: 10 })
  })

  it('refuses more than 10,000 entries', async () => {
    const entries = Array.from({ length: 10_001 }, (_, i) => storedEntry(`p/${i}`, ''))
    const result = await refusal(layZip([contentTypes, ...entries]))
    expect(result.details).toMatchObject({ reason: 'too_many_entries', maxEntries: 10_000 })
  })

  it('refuses entries whose bytes overlap another entry', async () => {
    const first = deflatedEntry('word/document.xml', 'x'.repeat(1000))
    const overlapping = { ...first, compressedSize: first.data.length + 40 }
    const result = await refusal(layZip([contentTypes, overlapping, storedEntry('word/styles.xml', '<s/>')]))
    expect(result.details).toMatchObject({ reason: 'overlapping_entries' })
  })
})

describe('inspectZipContainer: names and structure', () => {
  it.each([['../evil.xml'], ['word/../../evil.xml'], ['/etc/passwd'], ['C:\\evil.xml'], ['word\\..\\x']])(
    'refuses the entry name %s',
    async (name) => {
      const result = await refusal(layZip([contentTypes, storedEntry(name, 'x')]))
      expect(result.details).toMatchObject({ reason: 'unsafe_name', name })
    },
  )

  it('refuses two entries of the same name', async () => {
    const result = await refusal(layZip([contentTypes, storedEntry('a.xml', '1'), storedEntry('a.xml', '2')]))
    expect(result.details).toMatchObject({ reason: 'duplicate_name', name: 'a.xml' })
  })

  it('refuses an entry whose CRC does not match its data', async () => {
    const entry = { ...deflatedEntry('word/document.xml', 'hello'), crc: 1234 }
    expect((await refusal(layZip([contentTypes, entry]))).details).toMatchObject({ reason: 'crc_mismatch' })
  })

  it('refuses ZIP64 records that point somewhere else', async () => {
    const bytes = layZip([contentTypes], { zip64: true, locatorOffset: 0 })
    expect((await refusal(bytes)).details).toMatchObject({ reason: 'zip64' })
  })

  it('refuses a zip without an office marker, a cut-short file and bytes that are no zip', async () => {
    const plain = layZip([storedEntry('notes.txt', 'hello')])
    expect((await refusal(plain)).details).toMatchObject({ reason: 'not_office_document' })
    const docx = zipOf(docxFiles())
    expect((await refusal(docx.subarray(0, docx.length - 30))).details).toMatchObject({ reason: 'malformed' })
    expect((await refusal(Buffer.from('not a zip at all, just text'))).details).toMatchObject({
      reason: 'malformed',
    })
  })
})
