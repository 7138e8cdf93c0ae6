import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appTransaction, networkTransaction, newId } from '../../src/platform/db/index.ts'
import { createTestApp, type TestApp } from '../harness/test-app.ts'
import { createUser, mainSiteId, roleId } from '../harness/identity.ts'

/**
 * Tenant isolation held by PostgreSQL itself (ARCHITECTURE D2): every table with a `site_id` column has
 * row-level security enabled and forced with at least one policy, and under the application role a
 * transaction sees and writes only the rows of the site it is bound to. Runs on both engines.
 */

let app: TestApp
let siteA: string
let siteB: string

async function siteTables(): Promise<{ table: string; rls: boolean; forced: boolean; policies: number }[]> {
  return app.db.engine.query(
    `SELECT c.relname AS table, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
            (SELECT count(*)::int FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname) AS policies
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r'
        AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'site_id' AND NOT a.attisdropped)
      ORDER BY c.relname`,
  )
}

/** The query builder wraps the database error; the refusal is in its cause. */
function isRlsRefusal(err: unknown): boolean {
  const e = err as { message?: string; cause?: { message?: string } }
  return /row-level security/.test(`${e.message ?? ''} ${e.cause?.message ?? ''}`)
}

const count = (rows: Record<string, unknown>[]) => Number(rows[0]?.n ?? -1)

beforeAll(async () => {
  app = await createTestApp()
  siteA = await mainSiteId(app)
  siteB = newId()
  await app.db.engine.query("INSERT INTO sites (id, name, slug) VALUES ($1, 'Bravo', 'bravo')", [siteB])
  const editor = await roleId(app, 'editor')
  for (const site of [siteA, siteB]) {
    const user = await createUser(app)
    await app.db.engine.query('INSERT INTO site_members (site_id, user_id, role_id) VALUES ($1, $2, $3)', [
      site,
      user.id,
      editor,
    ])
    await app.db.engine.query(
      "INSERT INTO site_domains (id, site_id, host, kind) VALUES ($1, $2, $3, 'subdomain')",
      [newId(), site, `s${site.slice(-8)}.localhost`],
    )
    await app.db.engine.query(
      "INSERT INTO audit_log (id, actor_type, action, site_id) VALUES ($1, 'system', 'test.rls', $2)",
      [newId(), site],
    )
    await seedContentRows(site, user.id)
    // A session handed to the site's host, and the network session it came from.
    const [network, handed] = [newId(), newId()]
    await app.db.engine.query(
      `INSERT INTO user_sessions (id, user_id, token_hash, csrf_hash, expires_at, site_id, parent_session_id)
       VALUES ($1, $3, $4, 'c', now() + interval '1 hour', NULL, NULL),
              ($2, $3, $5, 'c', now() + interval '1 hour', $6, $1)`,
      [network, handed, user.id, `t-${network}`, `t-${handed}`, site],
    )
  }
})

/**
 * One row in each content-core, jobs and invitations table of `site` (the built-in types and taxonomies
 * come with it).
 */
async function seedContentRows(site: string, userId: string): Promise<void> {
  const q = (text: string, params: unknown[]) => app.db.engine.query(text, params)
  const [type] = await q("SELECT id FROM content_types WHERE site_id = $1 AND key = 'post'", [site])
  const [taxonomy] = await q("SELECT id FROM taxonomies WHERE site_id = $1 AND key = 'tag'", [site])
  const [a, b, revision, term, seriesId, job] = [newId(), newId(), newId(), newId(), newId(), newId()]
  for (const [id, slug] of [
    [a, 'a'],
    [b, 'b'],
  ] as const)
    await q('INSERT INTO entries (id, site_id, type_id, slug, author_id) VALUES ($1, $2, $3, $4, $5)', [
      id,
      site,
      type?.id,
      slug,
      userId,
    ])
  await q("INSERT INTO field_groups (id, site_id, key, name) VALUES ($1, $2, 'seo', 'SEO')", [newId(), site])
  await q(
    "INSERT INTO revisions (id, site_id, entry_id, author_id, snapshot) VALUES ($1, $2, $3, $4, '{}')",
    [revision, site, a, userId],
  )
  await q(
    "INSERT INTO entry_transitions (id, site_id, entry_id, from_status, to_status) VALUES ($1, $2, $3, 'draft', 'pending')",
    [newId(), site, a],
  )
  await q(
    'INSERT INTO entry_approvals (id, site_id, entry_id, revision_id, user_id) VALUES ($1, $2, $3, $4, $5)',
    [newId(), site, a, revision, userId],
  )
  await q(
    "INSERT INTO entry_relations (id, site_id, from_entry_id, to_entry_id, kind) VALUES ($1, $2, $3, $4, 'related')",
    [newId(), site, a, b],
  )
  await q("INSERT INTO series (id, site_id, slug, name) VALUES ($1, $2, 'saga', 'Saga')", [seriesId, site])
  await q('INSERT INTO series_entries (site_id, series_id, entry_id, position) VALUES ($1, $2, $3, 1)', [
    site,
    seriesId,
    a,
  ])
  await q("INSERT INTO terms (id, site_id, taxonomy_id, slug, name) VALUES ($1, $2, $3, 'news', 'News')", [
    term,
    site,
    taxonomy?.id,
  ])
  await q('INSERT INTO entry_terms (site_id, entry_id, term_id) VALUES ($1, $2, $3)', [site, a, term])
  await q("INSERT INTO redirects (id, site_id, from_path, to_path) VALUES ($1, $2, '/old', '/new')", [
    newId(),
    site,
  ])
  const menu = newId()
  await q("INSERT INTO menus (id, site_id, name) VALUES ($1, $2, 'Main')", [menu, site])
  const mediaId = newId()
  await q(
    "INSERT INTO media (id, site_id, storage_key, filename, mime_type, category, size_bytes, sha256) VALUES ($1, $2, $3, 'a.png', 'image/png', 'image', 1, 'x')",
    [mediaId, site, `${site}/originals/${mediaId}.png`],
  )
  await q(
    "INSERT INTO media_variants (id, site_id, media_id, width, height, format, storage_key, size_bytes) VALUES ($1, $2, $3, 1, 1, 'webp', $4, 1)",
    [newId(), site, mediaId, `${site}/variants/${mediaId}/1.webp`],
  )
  await q("INSERT INTO media_folders (id, site_id, name) VALUES ($1, $2, 'Photos')", [newId(), site])
  await q(
    "INSERT INTO entry_media (site_id, entry_id, media_id, via, scope) VALUES ($1, $2, $3, 'featured', 'live')",
    [site, a, mediaId],
  )
  await q(
    "INSERT INTO menu_items (id, site_id, menu_id, position, kind, entry_id) VALUES ($1, $2, $3, 0, 'entry', $4)",
    [newId(), site, menu, a],
  )
  await q("INSERT INTO site_themes (site_id, theme_id) VALUES ($1, 'colophon')", [site])
  await q(
    "INSERT INTO entry_previews (id, site_id, entry_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, now() + interval '1 day')",
    [newId(), site, a, `preview-${site}`],
  )
  await q(
    "INSERT INTO theme_render_errors (id, site_id, path, theme_id, message, request_id) VALUES ($1, $2, '/', 'colophon', 'x', 'r')",
    [newId(), site],
  )
  await q(
    "INSERT INTO site_invitations (id, site_id, email, role_id, token_hash, expires_at) VALUES ($1, $2, $3, (SELECT id FROM roles WHERE slug = 'author'), $4, now() + interval '1 day')",
    [newId(), site, `invitee-${site}@example.com`, `hash-${site}`],
  )
  await q("INSERT INTO jobs (id, site_id, queue) VALUES ($1, $2, 'test.rls')", [job, site])
  await q("INSERT INTO job_runs (id, job_id, site_id, queue, attempt) VALUES ($1, $2, $3, 'test.rls', 1)", [
    newId(),
    job,
    site,
  ])
}
afterAll(() => app?.close())

describe('row-level security', () => {
  it('is enabled, forced and has a policy on every table with a site_id column', async () => {
    const tables = await siteTables()
    expect(tables.map((t) => t.table)).toEqual(
      expect.arrayContaining(['audit_log', 'site_domains', 'site_members']),
    )
    const weak = tables.filter((t) => !t.rls || !t.forced || t.policies < 1)
    expect(weak).toEqual([])
  })

  it('shows nothing of any site, and accepts no site row, to an unbound application transaction', async () => {
    const orm = app.db.engine.orm
    for (const { table } of await siteTables()) {
      const owner = await app.db.engine.query(
        `SELECT count(*)::int AS n FROM ${table} WHERE site_id IS NOT NULL`,
      )
      const seen = await appTransaction(orm, {}, (tx) =>
        tx.execute(sql.raw(`SELECT count(*)::int AS n FROM ${table} WHERE site_id IS NOT NULL`)),
      )
      expect(count(owner), `${table} has site rows to hide`).toBeGreaterThanOrEqual(
        table === 'api_keys' ? 0 : 2,
      )
      expect(
        count((seen as unknown as { rows: Record<string, unknown>[] }).rows ?? (seen as never)),
        table,
      ).toBe(0)
    }
    const user = await createUser(app)
    const editor = await roleId(app, 'editor')
    await expect(
      appTransaction(orm, {}, (tx) =>
        tx.execute(
          sql`INSERT INTO site_members (site_id, user_id, role_id) VALUES (${siteA}, ${user.id}, ${editor})`,
        ),
      ),
    ).rejects.toSatisfy(isRlsRefusal)
    await expect(
      appTransaction(orm, {}, (tx) =>
        tx.execute(
          sql`INSERT INTO site_domains (id, site_id, host, kind) VALUES (${newId()}, ${siteA}, 'x.localhost', 'subdomain')`,
        ),
      ),
    ).rejects.toSatisfy(isRlsRefusal)
    await expect(
      appTransaction(orm, {}, (tx) =>
        tx.execute(
          sql`INSERT INTO audit_log (id, actor_type, action, site_id) VALUES (${newId()}, 'system', 'x', ${siteB})`,
        ),
      ),
    ).rejects.toSatisfy(isRlsRefusal)
  })

  it('shows a transaction bound to site A only the rows of A, and refuses writes for B', async () => {
    const orm = app.db.engine.orm
    const rows = await appTransaction(orm, { siteId: siteA }, (tx) =>
      tx.execute(
        sql`SELECT DISTINCT site_id FROM site_members UNION SELECT DISTINCT site_id FROM site_domains`,
      ),
    )
    const sites = (
      (rows as unknown as { rows?: { site_id: string }[] }).rows ?? (rows as unknown as { site_id: string }[])
    ).map((r) => r.site_id)
    expect(sites).toEqual([siteA])
    const user = await createUser(app)
    // Read before the transaction: PGlite has one connection, which the transaction holds.
    const author = await roleId(app, 'author')
    await expect(
      appTransaction(orm, { siteId: siteA }, (tx) =>
        tx.execute(
          sql`INSERT INTO site_members (site_id, user_id, role_id) VALUES (${siteB}, ${user.id}, ${author})`,
        ),
      ),
    ).rejects.toSatisfy(isRlsRefusal)
  })

  it('lets network-scope work (after a network capability check) see every site', async () => {
    const rows = await networkTransaction(app.db.engine.orm, 'test: network scope sees every site', (tx) =>
      tx.execute(sql`SELECT count(DISTINCT site_id)::int AS n FROM site_members`),
    )
    const n = count(
      (rows as unknown as { rows?: Record<string, unknown>[] }).rows ??
        (rows as unknown as Record<string, unknown>[]),
    )
    expect(n).toBeGreaterThanOrEqual(2)
  })
})
