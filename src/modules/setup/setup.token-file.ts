import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/**
 * The plain setup token lives only in `<dataDir>/setup-token` (mode 600) and on the console at start;
 * the database keeps its hash. The file is removed once setup completes.
 */
export interface TokenFile {
  readonly path: string
  read(): string | null
  write(token: string): void
  remove(): void
}

export function tokenFileIn(dataDir: string): TokenFile {
  const file = path.join(dataDir, 'setup-token')
  return {
    path: file,
    read() {
      try {
        return readFileSync(file, 'utf8').trim() || null
      } catch {
        return null
      }
    },
    write(token) {
      mkdirSync(dataDir, { recursive: true })
      // Remove first: writeFileSync keeps the mode of an existing file.
      rmSync(file, { force: true })
      writeFileSync(file, token + '\n', { mode: 0o600 })
    },
    remove() {
      rmSync(file, { force: true })
    },
  }
}
