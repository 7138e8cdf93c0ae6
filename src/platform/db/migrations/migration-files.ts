import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** A migration as shipped with this version of Colophon: `migrations/<id>.sql`. */
export interface MigrationFile {
  readonly id: string
  readonly sql: string
  readonly checksum: string
}

/** The migrations folder shipped with the code. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../../../migrations/', import.meta.url))

/** Line endings are normalised so a checkout with CRLF conversion does not look like an edited file. */
export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex')
}

/** Reads `<dir>/*.sql`, ordered by file name (names start with a zero-padded sequence number). */
export function readMigrationFiles(dir: string = DEFAULT_MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name), 'utf8')
      return { id: name.slice(0, -'.sql'.length), sql, checksum: checksumOf(sql) }
    })
}
