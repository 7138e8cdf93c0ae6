import type { PGlite } from '@electric-sql/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyMigrations, newId, readMigrationFiles, type Engine } from '../../src/platform/db/index.ts'
import { signInAdmin } from '../harness/identity.ts'
import { ADMIN, TEST_SETUP_TOKEN, createTestApp, type TestApp } from '../harness/test-app.ts'
import { createTestDatabase, type TestDatabase } from '../harness/test-db.ts'

/**
 * Colophon installs and runs when it connects as the least-privileged owner that docs/operations.md
 * recommends: a plain login role, member of `colophon_app`, owning the database, never a superuser (which
 * would bypass row-level security and hide every tenancy bug). On PostgreSQL the whole suite connects as
 * such a role (CI creates it); this file also checks that it does. On PGlite, whose built-in user is a
 * superuser, the database is handed over to such a role first.
 */

let db: TestDatabase
let app: TestApp

/** PGlite only: gives the database and everything in it to a non-superuser, then becomes that role. */
async function becomeLeastPrivilegedOwner(engine: Engine): Promise<void> {
  const pglite = (engine.rawClient as { client: PGlite }).client
  await pglite.exec(`
    CREATE ROLE colophon_owner LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB INHERIT;
    GRANT colophon_app TO colophon_owner;`)
  // Every schema the application made: its own, the setup bookkeeping, and pg-boss's queue.
  const ours = `n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'`
  const { rows } = await pglite.query<{ statement: string }>(`
    SELECT format('ALTER DATABASE %I OWNER TO colophon_owner', current_database()) AS statement
    UNION ALL
    SELECT format('ALTER SCHEMA %I OWNER TO colophon_owner', n.nspname) FROM pg_namespace n WHERE ${ours}
    UNION ALL
    SELECT format('ALTER %s %I.%I OWNER TO colophon_owner',
                  CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END,
                  n.nspname, c.relname)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE ${ours} AND c.relkind IN ('r', 'p', 'v') OR (${ours} AND c.relkind = 'S' AND NOT EXISTS (
           SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
    UNION ALL
    SELECT format('ALTER TYPE %I.%I OWNER TO colophon_owner', n.nspname, t.typname)
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE ${ours} AND t.typtype IN ('e', 'd')
    UNION ALL
    SELECT format('ALTER ROUTINE %s OWNER TO colophon_owner', p.oid::regprocedure)
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${ours}`)
  for (const { statement } of rows) await pglite.exec(statement)
  // The session itself, not only the current role: `SET ROLE NONE` must return to this role, never to
  // the superuser PGlite starts as.
  await pglite.exec('SET SESSION AUTHORIZATION colophon_owner')
}

beforeAll(async () => {
  db = await createTestDatabase('migrated')
  if (db.engine.kind === 'pglite') await becomeLeastPrivilegedOwner(db.engine)
  app = await createTestApp({ state: 'migrated', db })
})

afterAll(async () => {
  await app?.close()
  await db?.destroy()
})

describe('connected as a least-privileged owner role', () => {
  it('is not a superuser and cannot bypass row-level security', async () => {
    const [role] = await db.engine.query<{ name: string; rolsuper: boolean; rolbypassrls: boolean }>(
      `SELECT session_user AS name, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = session_user`,
    )
    expect(role).toMatchObject({ rolsuper: false, rolbypassrls: false })
  })

  it('completes setup, creating the admin and the main site with its seeded content types', async () => {
    const res = await app.server.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: { token: TEST_SETUP_TOKEN, admin: ADMIN, site: { name: 'Main' } },
    })
    expect(res.statusCode, res.body).toBe(201)
    const types = await app.server.inject({ method: 'GET', url: `/api/v1/sites/${res.json().site.id}/types` })
    expect((types.json() as { items: { key: string }[] }).items.map((t) => t.key).sort()).toEqual([
      'page',
      'post',
    ])
  })

  it('creates further sites through the API, each seeded with the built-in types', async () => {
    const admin = await signInAdmin(app)
    const created = await admin.request({
      method: 'POST',
      url: '/api/v1/sites',
      payload: { name: 'Second', slug: 'second' },
    })
    expect(created.statusCode, created.body).toBe(201)
    const [seeded] = await db.engine.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM content_types WHERE site_id = $1',
      [created.json().id],
    )
    expect(seeded?.n).toBe(2)
  })
})

describe('updated by a least-privileged owner role', () => {
  const files = readMigrationFiles()
  const siteId = newId()
  let old: TestDatabase

  // The release before the content core, with a site in it, handed to the owner role.
  beforeAll(async () => {
    old = await createTestDatabase('empty')
    await applyMigrations(
      old.engine,
      files.filter((file) => file.id < '0004'),
    )
    await old.engine.query("INSERT INTO sites (id, name, slug) VALUES ($1, 'Earlier', 'earlier')", [siteId])
    if (old.engine.kind === 'pglite') await becomeLeastPrivilegedOwner(old.engine)
  })
  afterAll(async () => {
    await old?.destroy()
  })

  it('applies migrations that fill rows for every existing site (forced row-level security binds it)', async () => {
    const result = await applyMigrations(old.engine, files)
    expect(result.applied[0]).toBe('0004_content-core')
    const rows = await old.engine.query<{ key: string }>(
      'SELECT key FROM content_types WHERE site_id = $1 ORDER BY key',
      [siteId],
    )
    expect(rows.map((row) => row.key)).toEqual(['page', 'post'])
  })
})
