/**
 * The production build (ADR 0013): bundles `src/app/cli.ts` into `dist/` with esbuild, so that a start
 * loads a few JavaScript files instead of type-stripping and resolving hundreds of modules. `npm start`
 * and `npm run colophon` run it when the sources changed (scripts/start.mjs); `npm run build` forces it.
 *
 * - Split into chunks, so each command still loads only its own code (`help` loads no database driver).
 *   Chunks are named by content hash and every output sits in `dist/` itself: see `sourceUrlPlugin`.
 * - Packages stay in node_modules (native and WebAssembly ones such as PGlite and argon2 find their files
 *   there), except BUNDLED_PACKAGES.
 * - Source maps point at `src/`; the launcher turns them on, so stack traces name the TypeScript lines.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { build, type Plugin } from 'esbuild'
import { PROJECT_ROOT, STAMP_FILE, fingerprintInputs, writeStamp } from './build-stamp.mjs'

/**
 * Pure JavaScript packages shipped as hundreds of ES modules, imported at run time by our code alone: Node
 * resolves and links each of their files at every start (drizzle-orm also re-reads its 180 kB
 * package.json for each one, about a second and 100 MB), while bundled they cost a few milliseconds.
 */
export const BUNDLED_PACKAGES: readonly string[] = ['drizzle-orm', 'typebox']

const OUTPUT = /\.js(\.map)?$/

function packageOf(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string)
}

/** Leaves every package to node_modules except BUNDLED_PACKAGES. */
const externalPackagesPlugin: Plugin = {
  name: 'colophon-external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      BUNDLED_PACKAGES.includes(packageOf(args.path)) ? undefined : { external: true },
    )
  },
}

/**
 * Source files read files beside them (`new URL('./x.txt', import.meta.url)`: the package version, the
 * migrations, the common-passwords list, the account page script). In the bundle, `import.meta.url` is
 * the chunk's; this rewrites it, per source file, to that file's own URL, computed from the chunk's at run
 * time, so those files are read from where they are in the checkout. Every output is written at the top
 * of `outdir` (no sub-folders), which keeps the relative path the same for every chunk.
 */
function sourceUrlPlugin(root: string, outdir: string): Plugin {
  const srcDir = path.join(root, 'src') + path.sep
  return {
    name: 'colophon-source-url',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!args.path.startsWith(srcDir)) return undefined
        const text = readFileSync(args.path, 'utf8')
        if (/import\.meta\.(dirname|filename)/.test(text)) {
          return {
            errors: [{ text: 'use import.meta.url: import.meta.dirname and .filename are not rewritten' }],
          }
        }
        const relative = path.relative(outdir, args.path).split(path.sep).join('/')
        const sourceUrl = `new URL(${JSON.stringify(relative)}, import.meta.url).href`
        return { contents: text.replaceAll('import.meta.url', sourceUrl), loader: 'ts' }
      })
    },
  }
}

/** Writes through a temporary file and a rename, so a process starting meanwhile never reads half a file. */
function writeAtomically(file: string, contents: Uint8Array): void {
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, contents)
  renameSync(temporary, file)
}

export interface BuildResult {
  outdir: string
  files: string[]
  ms: number
}

/**
 * Builds into `outdir` (default `dist/`), removes outputs of earlier builds, then writes the stamp that
 * scripts/build-stamp.mjs compares. Throws when esbuild reports an error (it prints it first).
 */
export async function buildDist(options: { root?: string; outdir?: string } = {}): Promise<BuildResult> {
  const started = performance.now()
  const root = options.root ?? PROJECT_ROOT
  const outdir = options.outdir ?? path.join(root, 'dist')
  // Taken before bundling: a file edited during the build makes the next start build again.
  const fingerprint = fingerprintInputs(root)
  const result = await build({
    absWorkingDir: root,
    entryPoints: { cli: path.join(root, 'src/app/cli.ts') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    sourcemap: 'linked',
    // The sources are in the checkout beside dist/; copying them into the maps would only add memory.
    sourcesContent: false,
    // Logged error types come from constructor names (src/platform/log/error-serializer.ts).
    keepNames: true,
    write: false,
    logLevel: 'warning',
    plugins: [externalPackagesPlugin, sourceUrlPlugin(root, outdir)],
  })

  mkdirSync(outdir, { recursive: true })
  const written = new Set<string>()
  for (const file of result.outputFiles) {
    writeAtomically(file.path, file.contents)
    written.add(path.basename(file.path))
  }
  for (const name of readdirSync(outdir)) {
    if (OUTPUT.test(name) && !written.has(name)) rmSync(path.join(outdir, name), { force: true })
  }
  writeStamp(outdir, fingerprint)
  return { outdir, files: [...written, STAMP_FILE].sort(), ms: performance.now() - started }
}

if (import.meta.main) {
  const { outdir, files, ms } = await buildDist()
  console.log(
    `Built ${files.length - 1} files into ${path.relative(process.cwd(), outdir) || '.'} in ${ms.toFixed(0)} ms.`,
  )
}
