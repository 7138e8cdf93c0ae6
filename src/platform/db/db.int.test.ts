import { sql } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test/harness/test-db.ts'
import {
  appTransaction,
  applyMigrations,
  checksumOf,
  migrationStatus,
  newQueryStats,
  readMigrationFiles,
  withQueryStats,
  type Engine,
  type Plan,
  type MigrationFile,
} from './index.ts'

let dbs: TestDatabase[] = []
async function db(state: 'empty' | 'migrated' = 'migrated'): Promise<TestDatabase> {
  const created = await createTestDatabase(state)
  dbs.push(created)
  return created
}
afterEach(async () => {
  for (const d of dbs) await d.destroy()
  dbs = []
})

// The cases that only read, or write tables of their own, share one migrated database: a copy costs a
// PGlite start (seconds on a loaded machine).
let shared: TestDatabase
beforeAll(async () => {
  shared = await createTestDatabase('migrated')
})
afterAll(async () => {
  await shared?.destroy()
})

const rowsOf = (result: unknown) => (result as { rows: Record<string, unknown>[] }).rows

const migration = (id: string, text: string): MigrationFile => ({ id, sql: text, checksum: checksumOf(text) })

describe('engines', () => {
  it('return the same normalised values on both engines', async () => {
    const { engine } = shared
    const [row] = await engine.query(
      `SELECT 42::int8 AS small, 9007199254740993::int8 AS huge, '2024-02-29'::date AS day, now() AS at, 1.5::float8 AS f`,
    )
    expect(row).toMatchObject({ small: 42, huge: '9007199254740993', day: '2024-02-29', f: 1.5 })
    expect(row?.at).toBeInstanceOf(Date)
  })
})

describe('application transactions', () => {
  it('run as the non-superuser application role with the site and user bound', async () => {
    const { engine } = shared
    const result = await appTransaction(engine.orm, { siteId: 'site-a', userId: 'user-1' }, (tx) =>
      tx.execute(sql`SELECT current_user AS who, r.rolsuper, r.rolbypassrls,
        current_setting('app.site_id') AS site, current_setting('app.user_id') AS usr
        FROM pg_roles r WHERE r.rolname = current_user`),
    )
    expect(rowsOf(result)[0]).toEqual({
      who: 'colophon_app',
      rolsuper: false,
      rolbypassrls: false,
      site: 'site-a',
      usr: 'user-1',
    })
  })

  it('do not leak the binding into later work on the same connection', async () => {
    const { engine } = shared
    await appTransaction(engine.orm, { siteId: 'site-a' }, async () => undefined)
    const [row] = await engine.query<{ site: string | null; who: string }>(
      `SELECT current_setting('app.site_id', true) AS site, current_user AS who`,
    )
    expect(row?.site ?? '').toBe('')
    expect(row?.who).not.toBe('colophon_app')
  })

  it('are bound by row-level security: other sites and unbound work see nothing', async () => {
    const { engine } = shared
    await engine.ownerTransaction((q) =>
      q.exec(`
        CREATE TABLE rls_probe (id serial PRIMARY KEY, site_id text NOT NULL, title text NOT NULL);
        ALTER TABLE rls_probe ENABLE ROW LEVEL SECURITY;
        ALTER TABLE rls_probe FORCE ROW LEVEL SECURITY;
        CREATE POLICY rls_probe_site ON rls_probe
          USING (site_id = current_setting('app.site_id', true))
          WITH CHECK (site_id = current_setting('app.site_id', true));
        GRANT USAGE ON SEQUENCE rls_probe_id_seq TO colophon_app;`),
    )
    await appTransaction(engine.orm, { siteId: 'a' }, (tx) =>
      tx.execute(sql`INSERT INTO rls_probe (site_id, title) VALUES ('a', 'A only')`),
    )
    const asB = await appTransaction(engine.orm, { siteId: 'b' }, (tx) =>
      tx.execute(sql`SELECT title FROM rls_probe`),
    )
    expect(rowsOf(asB)).toEqual([])
    const unbound = await appTransaction(engine.orm, {}, (tx) => tx.execute(sql`SELECT title FROM rls_probe`))
    expect(rowsOf(unbound)).toEqual([])
    await expect(
      appTransaction(engine.orm, {}, (tx) =>
        tx.execute(sql`INSERT INTO rls_probe (site_id, title) VALUES ('a', 'sneaky')`),
      ),
    ).rejects.toThrow()
    await expect(
      appTransaction(engine.orm, { siteId: 'b' }, (tx) =>
        tx.execute(sql`INSERT INTO rls_probe (site_id, title) VALUES ('a', 'cross')`),
      ),
    ).rejects.toThrow()
    const asA = await appTransaction(engine.orm, { siteId: 'a' }, (tx) =>
      tx.execute(sql`SELECT title FROM rls_probe`),
    )
    expect(rowsOf(asA)).toEqual([{ title: 'A only' }])
  })

  it('cannot reach the bookkeeping schema', async () => {
    const { engine } = shared
    await expect(
      appTransaction(engine.orm, {}, (tx) => tx.execute(sql`SELECT * FROM colophon_meta.schema_migrations`)),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/permission denied/) } })
  })

  it('are counted: statements as queries, the binding and BEGIN/COMMIT as transaction overhead', async () => {
    const { engine } = shared
    const stats = newQueryStats()
    await withQueryStats(stats, () =>
      appTransaction(engine.orm, {}, async (tx) => {
        await tx.execute(sql`SELECT 1`)
        await tx.execute(sql`SELECT 2`)
      }),
    )
    expect(stats).toMatchObject({ queries: 2, transactions: 1 })
  })

  it('are planned when asked: each read explained first in its transaction, the plan not counted', async () => {
    const { engine } = shared
    await engine.ownerTransaction((q) =>
      q.exec(`
        CREATE TABLE plan_probe (id int PRIMARY KEY, site_id text NOT NULL);
        ALTER TABLE plan_probe ENABLE ROW LEVEL SECURITY;
        ALTER TABLE plan_probe FORCE ROW LEVEL SECURITY;
        CREATE POLICY plan_probe_site ON plan_probe
          USING (site_id = current_setting('app.site_id', true))
          WITH CHECK (true);`),
    )
    const stats = { ...newQueryStats(), plans: [] as Plan[] }
    await withQueryStats(stats, () =>
      appTransaction(engine.orm, { siteId: 'a' }, async (tx) => {
        // Run twice, the insert would break the primary key: writes are never explained.
        await tx.execute(sql`INSERT INTO plan_probe VALUES (1, 'a'), (2, 'a'), (3, 'b')`)
        await tx.execute(sql`SELECT id FROM plan_probe WHERE id > ${0}`)
      }),
    )
    expect(stats).toMatchObject({ queries: 2, transactions: 1 })
    expect(stats.plans.map((p) => p.text)).toEqual(['SELECT id FROM plan_probe WHERE id > $1'])
    // Same transaction, same binding: the uncommitted rows are seen, row-level security keeps site a's.
    expect(stats.plans[0]?.plan).toMatchObject([{ Plan: { 'Actual Rows': 2 } }])
  })
})

describe('migrations', () => {
  // Each case changes or inspects the schema from a known start, so each gets a database of its own, made
  // before the case (on a loaded machine the copy alone can take seconds).
  let engine: Engine
  describe('on an untouched database', () => {
    beforeEach(async () => {
      ;({ engine } = await db('empty'))
    })

    it('report everything pending on an empty database, and a dry run changes nothing', async () => {
      const files = readMigrationFiles()
      const before = await migrationStatus(engine, files)
      expect(before).toMatchObject({ current: false, applied: [], mismatched: [], unknown: [] })
      expect(before.pending.map((m) => m.id)).toEqual(files.map((f) => f.id))
      expect(await applyMigrations(engine, files, { dryRun: true })).toEqual({
        applied: files.map((f) => f.id),
        dryRun: true,
      })
      expect((await migrationStatus(engine, files)).pending).toHaveLength(files.length)
    })

    it('apply in order, record checksums, and do nothing the second time', async () => {
      const files = readMigrationFiles()
      const progress: string[] = []
      const result = await applyMigrations(engine, files, {
        onProgress: (e) => progress.push(`${e.index + 1}/${e.total} ${e.id}`),
      })
      expect(result.applied).toEqual(files.map((f) => f.id))
      expect(progress).toContain(`1/${files.length} ${files[0]?.id}`)
      const status = await migrationStatus(engine, files)
      expect(status.current).toBe(true)
      expect(status.applied.map((m) => m.checksum)).toEqual(files.map((f) => f.checksum))
      expect((await applyMigrations(engine, files)).applied).toEqual([])
    })

    it('apply each migration once when two runners race', async () => {
      const files = readMigrationFiles()
      const [a, b] = await Promise.all([applyMigrations(engine, files), applyMigrations(engine, files)])
      expect([...a.applied, ...b.applied].sort()).toEqual(files.map((f) => f.id).sort())
    })
  })

  describe('on a migrated database', () => {
    beforeEach(async () => {
      ;({ engine } = await db('migrated'))
    })

    it('roll back a failing migration entirely, recording nothing', async () => {
      const files = [
        ...readMigrationFiles(),
        migration('9000_half', 'CREATE TABLE half_done (id int); SELECT no_such_function();'),
      ]
      await expect(applyMigrations(engine, files)).rejects.toMatchObject({
        code: 'COLOPHON_DB_MIGRATION_FAILED',
      })
      const [row] = await engine.query<{ t: string | null }>(`SELECT to_regclass('half_done')::text AS t`)
      expect(row?.t).toBeNull()
      expect((await migrationStatus(engine, files)).pending.map((m) => m.id)).toEqual(['9000_half'])
    })

    it('refuse to run when a landed migration was edited', async () => {
      const files = readMigrationFiles()
      const edited = files.map((f, i) => (i === 1 ? migration(f.id, f.sql + '\n-- edited') : f))
      expect((await migrationStatus(engine, edited)).mismatched.map((m) => m.id)).toEqual([files[1]?.id])
      await expect(
        applyMigrations(engine, [...edited, migration('9001_next', 'SELECT 1;')]),
      ).rejects.toMatchObject({
        code: 'COLOPHON_DB_MIGRATION_CHECKSUM_MISMATCH',
      })
    })

    it('refuse to run when the database was migrated by a newer version', async () => {
      const files = readMigrationFiles()
      await applyMigrations(engine, [...files, migration('9002_newer', 'SELECT 1;')])
      const status = await migrationStatus(engine, files)
      expect(status).toMatchObject({ current: false, unknown: ['9002_newer'] })
      await expect(applyMigrations(engine, files)).rejects.toMatchObject({
        code: 'COLOPHON_DB_MIGRATION_UNKNOWN',
      })
    })
  })
})
