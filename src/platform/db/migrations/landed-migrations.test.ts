import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_MIGRATIONS_DIR, readMigrationFiles } from './migration-files.ts'

const locked = JSON.parse(readFileSync(path.join(DEFAULT_MIGRATIONS_DIR, 'checksums.json'), 'utf8')) as Record<string, string>

describe('landed migrations', () => {
  const files = readMigrationFiles()

  it('are never edited: each file still has the checksum recorded when it landed', () => {
    const edited = files.filter((f) => locked[f.id] !== undefined && locked[f.id] !== f.checksum).map((f) => f.id)
    expect(edited).toEqual([])
  })

  it('are all recorded (run `npm run migrations:lock` after adding one)', () => {
    expect(files.filter((f) => locked[f.id] === undefined).map((f) => f.id)).toEqual([])
  })

  it('are never deleted or renamed', () => {
    const ids = new Set(files.map((f) => f.id))
    expect(Object.keys(locked).filter((id) => !ids.has(id))).toEqual([])
  })

  it('are numbered in one unbroken sequence', () => {
    expect(files.map((f) => Number(f.id.slice(0, 4)))).toEqual(files.map((_, i) => i))
  })
})
