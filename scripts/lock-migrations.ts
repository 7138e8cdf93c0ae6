/**
 * Records the checksum of each new migration in migrations/checksums.json. Existing entries are never
 * changed: a landed migration is immutable, and the test suite fails if its file no longer matches.
 * Run after generating a migration: `npm run migrations:lock`.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { DEFAULT_MIGRATIONS_DIR, readMigrationFiles } from '../src/platform/db/index.ts'

const lockFile = path.join(DEFAULT_MIGRATIONS_DIR, 'checksums.json')
let locked: Record<string, string> = {}
try {
  locked = JSON.parse(readFileSync(lockFile, 'utf8')) as Record<string, string>
} catch {
  // First run: no lock file yet.
}

let added = 0
for (const file of readMigrationFiles()) {
  const known = locked[file.id]
  if (known === undefined) {
    locked[file.id] = file.checksum
    added++
  } else if (known !== file.checksum) {
    console.error(`migration ${file.id} was edited after it landed; write a new migration instead`)
    process.exit(1)
  }
}
writeFileSync(lockFile, JSON.stringify(locked, null, 2) + '\n')
console.log(added === 0 ? 'No new migrations.' : `Locked ${added} new migration(s).`)
