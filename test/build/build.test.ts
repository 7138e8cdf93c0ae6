import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { stop } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VERSION } from '../../src/app/version.ts'
import { PROJECT_ROOT, fingerprintInputs, isBuildStale, writeStamp } from '../../scripts/build-stamp.mjs'
import { buildDist } from '../../scripts/build.ts'

/**
 * The production build (ADR 0013): the bundle runs, finds the files its sources read beside them, and a
 * changed source makes the build stale. The bundle is built into a folder of its own inside dist/ (inside
 * the checkout, so that the packages left out of the bundle resolve from node_modules as in production).
 */
describe('the production bundle', () => {
  let outdir: string

  beforeAll(async () => {
    mkdirSync(path.join(PROJECT_ROOT, 'dist'), { recursive: true })
    outdir = mkdtempSync(path.join(PROJECT_ROOT, 'dist', '.test-'))
    await buildDist({ outdir })
  })

  afterAll(async () => {
    await stop()
    rmSync(outdir, { recursive: true, force: true })
  })

  const runBundle = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(outdir, 'cli.js'), ...args], { encoding: 'utf8', timeout: 9_000 })

  it('answers version and help', () => {
    const version = runBundle('--version')
    expect(version.stderr).toBe('')
    expect(version.status).toBe(0)
    expect(version.stdout.trim()).toBe(VERSION)

    const help = runBundle('help')
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('Usage: colophon <command>')
  })

  const bundleCode = () =>
    readdirSync(outdir)
      .filter((name) => name.endsWith('.js'))
      .map((name) => readFileSync(path.join(outdir, name), 'utf8'))
      .join('\n')

  it('reads the files beside each source from the source folder', () => {
    const sources = [
      ...bundleCode().matchAll(/new URL\(("(?:[^"\\]|\\.)*"), import\.meta\.url\)\.href/g),
    ].map((m) => path.resolve(outdir, JSON.parse(m[1] as string) as string))
    const rel = sources.map((file) => path.relative(PROJECT_ROOT, file))
    expect(rel).toContain(path.join('src', 'app', 'version.ts'))
    expect(rel).toContain(path.join('src', 'platform', 'db', 'migrations', 'migration-files.ts'))
    for (const file of sources) expect(existsSync(file), file).toBe(true)
  })

  it('keeps packages other than the bundled ones in node_modules', () => {
    const code = bundleCode()
    expect(code).toMatch(/from "fastify"/)
    expect(code).toMatch(/from "@electric-sql\/pglite"/)
    expect(code).not.toMatch(/from "drizzle-orm/)
  })
})

describe('whether the build is stale', () => {
  let root: string
  const write = (rel: string, text = 'x') => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
    writeFileSync(path.join(root, rel), text)
  }
  const stamp = () => writeStamp(path.join(root, 'dist'), fingerprintInputs(root))

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'colophon-stamp-'))
    write('src/app/cli.ts')
    write('src/platform/db/engine.ts')
    write('package.json', '{}')
    write('package-lock.json', '{}')
    mkdirSync(path.join(root, 'dist'))
  })

  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('is stale without a build, and current right after one', () => {
    expect(isBuildStale({ root })).toBe(true)
    stamp()
    expect(isBuildStale({ root })).toBe(false)
  })

  it('is stale once a source file is touched, newer or older', () => {
    stamp()
    const file = path.join(root, 'src/platform/db/engine.ts')
    utimesSync(file, new Date(), new Date(Date.now() + 60_000))
    expect(isBuildStale({ root })).toBe(true)
    stamp()
    utimesSync(file, new Date(), new Date('2020-01-01'))
    expect(isBuildStale({ root })).toBe(true)
  })

  it('is stale when a source file or a manifest changes, not for a test file', () => {
    stamp()
    write('src/app/cli.test.ts')
    expect(isBuildStale({ root })).toBe(false)
    write('src/app/new-command.ts')
    expect(isBuildStale({ root })).toBe(true)
    stamp()
    write('package-lock.json', '{"lockfileVersion":3}')
    expect(isBuildStale({ root })).toBe(true)
  })
})
