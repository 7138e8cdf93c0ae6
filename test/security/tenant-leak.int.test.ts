import type { LightMyRequestResponse } from 'fastify'
import { afterAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/platform/db/index.ts'
import type { DeclaredRoute } from '../../src/platform/http/index.ts'
import { createTestApp, type TestApp } from '../harness/test-app.ts'
import { createUser, mainSiteId, signIn, signInAdmin, type Session } from '../harness/identity.ts'
import { addMember, assignTerms, createEntry, createTerm } from '../harness/factories.ts'

/**
 * Tenant-leak suite (security checklist T1, T2, T5), generated from the route table so that every
 * site-scoped route added later is covered the day it lands. Site A's members of every role aim at site
 * B: B's id or slug in the path, B's ids in the query, the body and headers. Every call on B is refused;
 * no reply carries anything of B that the request did not send itself; and B's data is unchanged, in
 * every tenant table the catalogue lists.
 */

const B = {
  id: '',
  slug: 'bravo-tenant',
  name: 'Bravo Tenant Secret Site',
  memberId: '',
  memberEmail: '',
  host: '',
  draftId: '',
  draftTitle: 'Bravo unpublished draft secret',
  privateId: '',
  privateTitle: 'Bravo private entry secret',
}
const members = new Map<string, Session>()
const ROLES = ['administrator', 'editor', 'author', 'subscriber'] as const

/**
 * Every table that holds rows of a site, from the catalogue (as row-level-security.int.test.ts finds
 * them): a `site_id` column or row-level security. A table that lands later is in the snapshot the same
 * day, with nothing to add here.
 */
async function tenantTables(): Promise<{ table: string; hasSiteId: boolean }[]> {
  return app.db.engine.query(
    `SELECT c.relname AS table,
            EXISTS (SELECT 1 FROM pg_attribute a
                     WHERE a.attrelid = c.oid AND a.attname = 'site_id' AND NOT a.attisdropped) AS "hasSiteId"
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r'
        AND (c.relrowsecurity
             OR EXISTS (SELECT 1 FROM pg_attribute a
                         WHERE a.attrelid = c.oid AND a.attname = 'site_id' AND NOT a.attisdropped))
      ORDER BY c.relname`,
  )
}

/** Tables the catalogue lists today; the snapshot must cover at least these (a guard on the query above). */
const KNOWN_TENANT_TABLES = [
  'api_keys',
  'audit_log',
  'content_types',
  'entries',
  'entry_terms',
  'jobs',
  'redirects',
  'revisions',
  'site_domains',
  'site_members',
  'taxonomies',
  'terms',
]

/**
 * What B's rows hold, every column of every tenant table and B's own `sites` row, read as the owner: it
 * must be the same after the attack as before. A tenant table without a `site_id` column has no query
 * here, and fails the snapshot until one is written.
 */
async function snapshotOfB(): Promise<Record<string, unknown[]>> {
  const rowsOf = async (text: string) =>
    (await app.db.engine.query<{ row: unknown }>(text, [B.id])).map((r) => r.row)
  const snapshot: Record<string, unknown[]> = {
    sites: await rowsOf('SELECT to_jsonb(t) AS row FROM sites t WHERE id = $1'),
  }
  for (const { table, hasSiteId } of await tenantTables()) {
    if (!hasSiteId) throw new Error(`tenant table ${table} has no site_id column: write its snapshot query`)
    snapshot[table] = await rowsOf(
      `SELECT to_jsonb(t) AS row FROM "${table}" t WHERE site_id = $1 ORDER BY to_jsonb(t)::text`,
    )
  }
  return snapshot
}

function leaked(res: LightMyRequestResponse, sent: string): string[] {
  const secrets = [
    B.id,
    B.slug,
    B.name,
    B.memberId,
    B.memberEmail,
    B.host,
    B.draftId,
    B.draftTitle,
    B.privateId,
    B.privateTitle,
  ].filter((s) => s !== '')
  return secrets.filter((s) => !sent.includes(s) && res.body.includes(s))
}

function fill(route: DeclaredRoute, site: string): string {
  return route.url
    .replace(':site', site)
    .replace(':userId', B.memberId)
    .replace(':key', 'post')
    .replace(/:[A-Za-z]+/g, B.draftId || B.memberId)
}

// Built while the file is collected, so that the route table can name one test per route.
const app: TestApp = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
const siteA = await mainSiteId(app)
afterAll(() => app.close())

/** Creates B with a member and content of its own, and A's members of every role. */
async function seedSites(): Promise<void> {
  const admin = await signInAdmin(app)
  const created = await admin.request({
    method: 'POST',
    url: '/api/v1/sites',
    payload: { name: B.name, slug: B.slug, tagline: 'only for Bravo' },
  })
  expect(created.statusCode).toBe(201)
  B.id = created.json().id as string
  B.host = `${B.slug}.localhost`
  const member = await createUser(app, { email: 'bravo-only-member@example.com' })
  B.memberId = member.id
  B.memberEmail = member.email
  await addMember(app, { siteId: B.id, userId: member.id, role: 'author' })
  await seedContentOfB()
  for (const role of ROLES) members.set(role, await signIn(app, await createUser(app, { siteRole: role })))
}

/** B's content that no member of A may see: a draft and a private published entry, with a term and a redirect. */
async function seedContentOfB(): Promise<void> {
  const entry = { siteId: B.id, authorId: B.memberId, type: 'post' } as const
  B.draftId = await createEntry(app, { ...entry, status: 'draft', slug: 'bravo-draft', title: B.draftTitle })
  B.privateId = await createEntry(app, {
    ...entry,
    status: 'published',
    visibility: 'private',
    slug: 'bravo-private',
    title: B.privateTitle,
  })
  const term = await createTerm(app, { siteId: B.id, taxonomy: 'tag', slug: 'bravo-tag', name: 'Bravo tag' })
  await assignTerms(app, [{ entryId: B.draftId, termId: term }])
  await app.db.engine.query(
    "INSERT INTO redirects (id, site_id, from_path, to_path) VALUES ($1, $2, '/bravo-old', '/bravo-new')",
    [newId(), B.id],
  )
  const menuId = newId()
  await app.db.engine.query(
    "INSERT INTO menus (id, site_id, name, location) VALUES ($1, $2, 'Bravo menu', 'primary')",
    [menuId, B.id],
  )
  await app.db.engine.query(
    "INSERT INTO menu_items (id, site_id, menu_id, position, kind, entry_id) VALUES ($1, $2, $3, 0, 'entry', $4)",
    [newId(), B.id, menuId, B.draftId],
  )
}

/** A reply as compared between callers: status and body without the per-request id. */
function comparable(res: LightMyRequestResponse): string {
  return `${res.statusCode} ${res.body.replace(/"requestId":"[^"]*"/g, '')}`
}

await seedSites()
const siteRoutes = app.routes.filter((r) => r.method !== 'HEAD' && r.url.includes('/sites/:site'))
/** B as it was before any attack; the last test compares against it. */
const untouched = await snapshotOfB()

describe('tenant isolation through the API', () => {
  it('covers the site-scoped routes', () => {
    expect(siteRoutes.length).toBeGreaterThan(10)
  })

  it("snapshots every tenant table the catalogue lists, with B's seeded rows in it", async () => {
    const tables = (await tenantTables()).map((t) => t.table)
    expect(tables).toEqual(expect.arrayContaining(KNOWN_TENANT_TABLES))
    const snapshot = await snapshotOfB()
    expect(Object.keys(snapshot).sort()).toEqual(['sites', ...tables].sort())
    for (const table of [
      'sites',
      'site_members',
      'site_domains',
      'entries',
      'terms',
      'entry_terms',
      'redirects',
      'menus',
      'menu_items',
    ])
      expect(snapshot[table], table).not.toEqual([])
  })

  // One test per route, every role of A inside it; B's data is compared once all routes have run.
  describe.each(siteRoutes.map((route) => [`${route.method} ${route.url}`, route] as const))(
    '%s',
    (_, route) => {
      it("is refused to A's members when the path names B, leaking nothing", async () => {
        for (const role of ROLES) {
          const session = members.get(role) as Session
          for (const ref of [B.id, B.slug]) {
            const url = fill(route, ref)
            const payload =
              route.method === 'GET' || route.method === 'DELETE' ? undefined : { confirm: B.slug }
            const res = await session.request({ method: route.method as 'GET', url, payload })
            if (route.access.kind === 'public') {
              // Public reading routes answer everyone; membership of A must add nothing to what an anonymous reader of B gets.
              const anonymous = await app.server.inject({ method: route.method as 'GET', url, payload })
              expect(comparable(res), `${role} ${route.method} ${url}`).toBe(comparable(anonymous))
            } else {
              expect([403, 404], `${role} ${route.method} ${url}: ${res.body}`).toContain(res.statusCode)
            }
            expect(
              leaked(res, url + JSON.stringify(payload ?? '')),
              `${role} ${route.method} ${url}`,
            ).toEqual([])
          }
        }
      })

      it("never lets A's members reach B when B's ids travel in the query, the body or headers", async () => {
        for (const role of ROLES) {
          const session = members.get(role) as Session
          const url = `${fill(route, siteA)}?site=${B.id}&siteId=${B.id}`
          const payload =
            route.method === 'GET' || route.method === 'DELETE'
              ? undefined
              : { site: B.id, siteId: B.id, site_id: B.id, userId: B.memberId }
          const res = await session.request({
            method: route.method as 'GET',
            url,
            payload,
            headers: { 'x-site-id': B.id, 'x-site': B.slug },
          })
          expect(res.statusCode, `${role} ${route.method} ${url}: ${res.body}`).toBeLessThan(500)
          expect(
            leaked(res, url + JSON.stringify(payload ?? '') + B.slug),
            `${role} ${route.method} ${url}`,
          ).toEqual([])
        }
      })
    },
  )

  it("leaves B's data unchanged after every route was tried", async () => {
    expect(await snapshotOfB()).toEqual(untouched)
  })

  it('keeps every reader to its own site and rights when their reads travel together', async () => {
    // Reads arriving at once share database pipelines (ADR 0015): each must still run under its own
    // caller's binding. Editors of A see A's draft, subscribers do not, B's members see only B.
    const draftTitle = 'Alpha draft only editors read'
    await createEntry(app, { siteId: siteA, status: 'draft', slug: 'alpha-draft', title: draftTitle })
    await createEntry(app, {
      siteId: siteA,
      status: 'published',
      slug: 'alpha-public',
      title: 'Alpha public',
    })
    const bravoPublic = 'Bravo public entry'
    await createEntry(app, { siteId: B.id, status: 'published', slug: 'bravo-public', title: bravoPublic })
    const editor = members.get('editor') as Session
    const subscriber = members.get('subscriber') as Session
    const bravoAuthor = await signIn(app, await createUser(app, { siteRole: 'author', site: B.id }))
    const list = (site: string) => `/api/v1/sites/${site}/entries?limit=100`
    const calls = Array.from({ length: 8 }, () => [
      editor.request({ method: 'GET', url: list(siteA) }).then((res) => ['editor of A', res] as const),
      subscriber
        .request({ method: 'GET', url: list(siteA) })
        .then((res) => ['subscriber of A', res] as const),
      bravoAuthor.request({ method: 'GET', url: list(B.id) }).then((res) => ['author of B', res] as const),
    ]).flat()
    for (const [who, res] of await Promise.all(calls)) {
      expect(res.statusCode, who).toBe(200)
      const titles = (res.json().items as { title: string }[]).map((e) => e.title)
      if (who === 'author of B') {
        expect(titles, who).toContain(bravoPublic)
        expect(titles, who).not.toContain('Alpha public')
        continue
      }
      expect(leaked(res, ''), who).toEqual([])
      expect(titles, who).toContain('Alpha public')
      expect(titles, who).not.toContain(bravoPublic)
      if (who === 'editor of A') expect(titles, who).toContain(draftTitle)
      else expect(titles, who).not.toContain(draftTitle)
    }
  })

  it('lists sites to each member of A without B', async () => {
    for (const [role, session] of members) {
      const res = await session.request({ method: 'GET', url: '/api/v1/sites' })
      expect(res.statusCode, role).toBe(200)
      expect(leaked(res, ''), role).toEqual([])
    }
  })
})
