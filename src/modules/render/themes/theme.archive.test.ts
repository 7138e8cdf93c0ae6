import { describe, expect, it } from 'vitest'
import { zipOf } from '../../../../test/harness/theme-zips.ts'
import { readThemeArchive } from './theme.archive.ts'

/** Archive reading rules that need a hand-altered archive (the API tests cover the common refusals). */

/** Offsets of each central directory entry of `zip`. */
function centralEntries(zip: Buffer): number[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  const count = zip.readUInt16LE(eocd + 10)
  let at = zip.readUInt32LE(eocd + 16)
  const offsets: number[] = []
  for (let i = 0; i < count; i++) {
    offsets.push(at)
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32)
  }
  return offsets
}

const refusalOf = (zip: Buffer) => {
  const result = readThemeArchive(zip)
  return 'refusal' in result ? result.refusal : undefined
}

describe('readThemeArchive', () => {
  it('reads files, stripping one top folder that holds the manifest', () => {
    const result = readThemeArchive(
      zipOf({ 'a/theme.json': '{}', 'a/templates/index.liquid': 'x', 'a/': '' }),
    )
    expect('files' in result && result.files.map((f) => f.path).sort()).toEqual([
      'templates/index.liquid',
      'theme.json',
    ])
  })

  it('keeps a top folder without a manifest (the theme rules then refuse it)', () => {
    const result = readThemeArchive(zipOf({ 'templates/index.liquid': 'x' }))
    expect('files' in result && result.files.map((f) => f.path)).toEqual(['templates/index.liquid'])
  })

  it('stops an entry that inflates past its declared size', () => {
    const zip = zipOf({ 'assets/a.txt': ['a'.repeat(10_000), { level: 9 }] })
    const [entry] = centralEntries(zip)
    zip.writeUInt32LE(100, (entry as number) + 24)
    expect(refusalOf(zip)).toMatchObject({ rule: 'corrupt', path: 'assets/a.txt' })
  })

  it('refuses entries that share bytes', () => {
    const zip = zipOf({
      'assets/a.txt': ['a'.repeat(100), { level: 0 }],
      'assets/b.txt': ['b', { level: 0 }],
    })
    const [first] = centralEntries(zip)
    zip.writeUInt32LE(200, (first as number) + 20)
    zip.writeUInt32LE(200, (first as number) + 24)
    expect(refusalOf(zip)).toMatchObject({ rule: 'overlapping-entries' })
  })

  it('refuses encrypted entries and other compression methods', () => {
    const encrypted = zipOf({ 'assets/a.txt': 'a' })
    const [entry] = centralEntries(encrypted)
    encrypted.writeUInt16LE(1, (entry as number) + 8)
    expect(refusalOf(encrypted)).toMatchObject({ rule: 'encrypted' })
    const bzip = zipOf({ 'assets/a.txt': 'a' })
    const [other] = centralEntries(bzip)
    bzip.writeUInt16LE(12, (other as number) + 10)
    expect(refusalOf(bzip)).toMatchObject({ rule: 'compression-method' })
  })

  it('refuses a damaged checksum', () => {
    const zip = zipOf({ 'assets/a.txt': 'hello' })
    const [entry] = centralEntries(zip)
    zip.writeUInt32LE(0xdeadbeef, (entry as number) + 16)
    expect(refusalOf(zip)).toMatchObject({ rule: 'corrupt', message: 'the checksum does not match' })
  })

  it('refuses names with control or non-ASCII characters and "." segments', () => {
    expect(refusalOf(zipOf({ 'assets/\u0001.css': 'x' }))).toMatchObject({ rule: 'unsafe-name' })
    expect(refusalOf(zipOf({ 'assets/é.css': 'x' }))).toMatchObject({ rule: 'unsafe-name' })
    expect(refusalOf(zipOf({ 'assets/./a.css': 'x' }))).toMatchObject({ rule: 'unsafe-name' })
    expect(refusalOf(zipOf({ 'C:/a.css': 'x' }))).toMatchObject({ rule: 'unsafe-name' })
  })
})
