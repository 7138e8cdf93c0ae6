/**
 * Whether `dist/` holds a build of the sources as they are now, decided without loading the bundler, since
 * every `npm start` asks. The answer is a fingerprint of each input's path, size and modification time (a
 * stat walk of a few hundred files), compared with the one the last build wrote beside its output. Any
 * difference counts, an older time included: a checkout or a copied release can carry older times than
 * the last build's.
 *
 * Plain JavaScript, like start.mjs: the first TypeScript file a process loads costs about 300 ms of
 * type-stripper start-up, which is what the build saves. Types: build-stamp.d.mts.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..')
export const DEFAULT_OUTDIR = path.join(PROJECT_ROOT, 'dist')
export const STAMP_FILE = '.build-stamp'

/** The bundle is made from these: the sources, the dependency manifests, the build's own code. */
const INPUT_DIRS = ['src']
const INPUT_FILES = ['package.json', 'package-lock.json', 'scripts/build.ts', 'scripts/build-stamp.mjs']
/** Never bundled, so editing one needs no new build. */
const NOT_INPUTS = /\.test\.ts$|\.md$/

/** @param {string} dir */
function listFiles(dir) {
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true })
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code === 'ENOENT') return []
    throw err
  }
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name))
}

/**
 * Hash of `path size mtime` for every input file under `root`, in a stable order.
 * @param {string} [root]
 */
export function fingerprintInputs(root = PROJECT_ROOT) {
  const files = [
    ...INPUT_DIRS.flatMap((dir) => listFiles(path.join(root, dir))),
    ...INPUT_FILES.map((file) => path.join(root, file)),
  ]
  const lines = []
  for (const file of files) {
    const rel = path.relative(root, file)
    if (NOT_INPUTS.test(rel)) continue
    const stat = statSync(file, { throwIfNoEntry: false })
    lines.push(stat ? `${rel}\t${stat.size}\t${stat.mtimeMs}` : `${rel}\tmissing`)
  }
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex')
}

/** @param {string} outdir */
function readStamp(outdir) {
  try {
    return JSON.parse(readFileSync(path.join(outdir, STAMP_FILE), 'utf8'))
  } catch {
    return null
  }
}

/**
 * True when `outdir` (default `<root>/dist`) has no build, or one made from inputs that changed since.
 * @param {{ root?: string, outdir?: string }} [options]
 */
export function isBuildStale(options = {}) {
  const root = options.root ?? PROJECT_ROOT
  const stamp = readStamp(options.outdir ?? path.join(root, 'dist'))
  return stamp?.fingerprint !== fingerprintInputs(root)
}

/**
 * Records which inputs a finished build was made from (written last, atomically).
 * @param {string} outdir
 * @param {string} fingerprint
 */
export function writeStamp(outdir, fingerprint) {
  const file = path.join(outdir, STAMP_FILE)
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, JSON.stringify({ fingerprint, builtAt: new Date().toISOString() }) + '\n')
  renameSync(temporary, file)
}
