import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import type { TestProject } from 'vitest/node'
import { applyMigrations, openEngine, readMigrationFiles, type Engine } from '../src/platform/db/index.ts'
import { createJobs } from '../src/platform/jobs/index.ts'
import { adminQuery, quoteIdent, urlForDatabase } from './harness/pg-admin.ts'
import type { HarnessContext } from './harness/provided.ts'

/**
 * Runs once per test run. Creating a PGlite cluster costs seconds, so it is done here once: an empty
 * cluster and a migrated one are dumped to files that each test file loads in a fraction of a second.
 * On PostgreSQL the same two states are template databases that each test file clones.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const databaseUrl = process.env.DATABASE_URL
  if (databaseUrl) return setupPostgres(project, databaseUrl)
  return setupPglite(project)
}

/** Whether the suite runs in CI, the one place the harness reads it (tests ask `inject('harness').ci`). */
function inCi(): boolean {
  const value = process.env.CI
  return value !== undefined && value !== '' && value !== 'false' && value !== '0'
}

async function setupPglite(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'colophon-test-'))
  const empty = await PGlite.create()
  const emptyFile = path.join(dir, 'empty.tar')
  writeFileSync(emptyFile, Buffer.from(await (await empty.dumpDataDir('none')).arrayBuffer()))
  await empty.close()

  const engine = await openEngine({ dataDir: dir, pgliteLoadDataDir: new Blob([await readFile(emptyFile)]) })
  await applyMigrations(engine, readMigrationFiles())
  await prepareJobQueue(engine)
  const migratedFile = path.join(dir, 'migrated.tar')
  const dump = await engine.dumpDataDir?.()
  if (!dump) throw new Error('the PGlite engine cannot dump its data directory')
  writeFileSync(migratedFile, Buffer.from(await dump.arrayBuffer()))
  await engine.close()

  const context: HarnessContext = {
    engine: 'pglite',
    emptyTemplate: emptyFile,
    migratedTemplate: migratedFile,
    ci: inCi(),
  }
  project.provide('harness', context)
  return async () => rmSync(dir, { recursive: true, force: true })
}

async function setupPostgres(project: TestProject, adminUrl: string): Promise<() => Promise<void>> {
  const run = `${process.pid}_${Date.now().toString(36)}`
  const emptyTemplate = `colophon_tpl_empty_${run}`
  const migratedTemplate = `colophon_tpl_migrated_${run}`
  await dropLeftovers(adminUrl)
  await adminQuery(adminUrl, `CREATE DATABASE ${quoteIdent(emptyTemplate)} TEMPLATE template0`)
  await adminQuery(adminUrl, `CREATE DATABASE ${quoteIdent(migratedTemplate)} TEMPLATE template0`)
  const engine = await openEngine({
    databaseUrl: urlForDatabase(adminUrl, migratedTemplate),
    dataDir: tmpdir(),
    poolMax: 1,
  })
  await applyMigrations(engine, readMigrationFiles())
  await prepareJobQueue(engine)
  await engine.close()

  const context: HarnessContext = {
    engine: 'postgres',
    emptyTemplate,
    migratedTemplate,
    adminUrl,
    ci: inCi(),
  }
  project.provide('harness', context)
  return async () => {
    for (const name of [emptyTemplate, migratedTemplate]) {
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)
    }
  }
}

/**
 * Creates pg-boss's schema in the migrated template. Every app connects its job queue when ready (mail is
 * queued through it); creating the schema costs about half a second per database, checking it very little.
 */
async function prepareJobQueue(engine: Engine): Promise<void> {
  const silent = { info() {}, warn() {}, error() {} }
  const jobs = createJobs({ engine, log: silent })
  await jobs.start()
  await jobs.stop()
}

/** Databases left by a run that was killed before its teardown. */
async function dropLeftovers(adminUrl: string): Promise<void> {
  const { rows } = await adminQuery(
    adminUrl,
    `SELECT datname FROM pg_database WHERE datname LIKE 'colophon\\_t%' AND NOT datistemplate`,
  )
  for (const { datname } of rows as { datname: string }[]) {
    const pid = Number(/_(\d+)_/.exec(datname)?.[1])
    if (Number.isInteger(pid) && isRunning(pid)) continue
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`).catch(
      () => undefined,
    )
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
