import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import path from 'node:path'
import { DbErrors } from './db.errors.ts'

/**
 * PGlite is an embedded database: two processes writing the same data directory would corrupt it.
 * A lock file holding the owner's pid makes the second process stop with a clear message instead.
 * A lock left by a process that no longer runs is taken over.
 */
export interface DataDirLock {
  release(): void
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export function acquireDataDirLock(dir: string): DataDirLock {
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'colophon.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, String(process.pid))
      closeSync(fd)
      let released = false
      return {
        release() {
          if (released) return
          released = true
          try {
            unlinkSync(file)
          } catch {
            // Already gone: nothing to release.
          }
        },
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const pid = Number(readFileSync(file, 'utf8').trim())
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) {
        throw DbErrors.dataDirLocked({
          message: `The data directory ${dir} is in use by another Colophon process (pid ${pid}). Stop it first, or set DATABASE_URL to use PostgreSQL, which many processes can share.`,
          details: { dataDir: dir, pid },
        })
      }
      unlinkSync(file)
    }
  }
  throw DbErrors.dataDirLocked({
    message: `Could not lock the data directory ${dir}.`,
    details: { dataDir: dir },
  })
}
