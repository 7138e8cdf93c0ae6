#!/usr/bin/env node
/**
 * What `npm start` and `npm run colophon` run (ADR 0013): builds `dist/` when the sources changed since the
 * last build (a stat walk decides; the bundler is loaded only to build), then runs the bundled `colophon`
 * command in this same process, with source maps on so that stack traces name lines in `src/`.
 * Plain JavaScript: see build-stamp.mjs.
 */
import { setSourceMapsSupport } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { DEFAULT_OUTDIR, isBuildStale } from './build-stamp.mjs'

if (isBuildStale()) {
  process.stderr.write('colophon: the sources changed since the last build; building dist/\n')
  const { buildDist } = await import('./build.ts')
  try {
    const { ms } = await buildDist()
    process.stderr.write(`colophon: built in ${ms.toFixed(0)} ms\n`)
  } catch {
    // esbuild has printed the errors, with their files and lines.
    process.stderr.write('colophon: the build failed; nothing was started\n')
    process.exit(1)
  } finally {
    // The bundler's helper process would otherwise live as long as the server.
    ;(await import('esbuild')).stop()
  }
}
setSourceMapsSupport(true)
await import(pathToFileURL(path.join(DEFAULT_OUTDIR, 'cli.js')).href)
