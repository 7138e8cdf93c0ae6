import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/platform/db/index.ts'
import type { DeclaredRoute } from '../../src/platform/http/index.ts'
import { createTestApp, type TestApp } from '../harness/test-app.ts'
import { createUser, mainSiteId, roleId, signIn, signInAdmin, type Session } from '../harness/identity.ts'

/**
 * Tenant-leak suite (security checklist T1, T2, T5), generated from the route table so that every
 * site-scoped route added later is covered the day it lands. Site A's members of every role aim at site
 * B: B's id or slug in the path, B's ids in the query, the body and headers. Every call on B is refused;
 * no reply carries anything of B that the request did not send itself; and B's data is unchanged.
 */

let app: TestApp
let siteA: string
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

function siteRoutes(): DeclaredRoute[] {
  return app.routes.filter((r) => r.method !== 'HEAD' && r.url.includes('/sites/:site'))
}

/** What B's tables hold, read as the owner: it must be the same after the attack as before. */
async function snapshotOfB(): Promise<string> {
  const q = (text: string) => app.db.engine.query(text, [B.id])
  return JSON.stringify([
    await q(
      'SELECT id, name, slug, status, tagline, locale, timezone, settings, owner_id FROM sites WHERE id = $1',
    ),
    await q('SELECT user_id, role_id FROM site_members WHERE site_id = $1 ORDER BY user_id'),
    await q(
      'SELECT id, host, is_primary, verification_state FROM site_domains WHERE site_id = $1 ORDER BY id',
    ),
    await q('SELECT id, revoked_at FROM api_keys WHERE site_id = $1 ORDER BY id'),
    await q(
      'SELECT id, status, slug, title, fields, head_revision_id, trashed_at FROM entries WHERE site_id = $1 ORDER BY id',
    ),
    await q('SELECT id, kind, snapshot FROM revisions WHERE site_id = $1 ORDER BY id'),
    await q('SELECT id, key, fields, retired_fields FROM content_types WHERE site_id = $1 ORDER BY id'),
    await q('SELECT id, key, type_keys FROM taxonomies WHERE site_id = $1 ORDER BY id'),
    await q('SELECT id, slug, name, parent_id FROM terms WHERE site_id = $1 ORDER BY id'),
    await q('SELECT entry_id, term_id FROM entry_terms WHERE site_id = $1 ORDER BY entry_id, term_id'),
    await q('SELECT id, from_path, to_path FROM redirects WHERE site_id = $1 ORDER BY id'),
    await q('SELECT id, state FROM jobs WHERE site_id = $1 ORDER BY id'),
  ])
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

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  siteA = await mainSiteId(app)
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
  await app.db.engine.query('INSERT INTO site_members (site_id, user_id, role_id) VALUES ($1, $2, $3)', [
    B.id,
    member.id,
    await roleId(app, 'author'),
  ])
  await seedContentOfB()
  for (const role of ROLES) members.set(role, await signIn(app, await createUser(app, { siteRole: role })))
})

/** B's content that no member of A may see: a draft and a private published entry, with a term and a redirect. */
async function seedContentOfB(): Promise<void> {
  const q = (text: string, params: unknown[]) => app.db.engine.query(text, params)
  const [type] = await q("SELECT id FROM content_types WHERE site_id = $1 AND key = 'post'", [B.id])
  const [tag] = await q("SELECT id FROM taxonomies WHERE site_id = $1 AND key = 'tag'", [B.id])
  B.draftId = newId()
  B.privateId = newId()
  const insert = `INSERT INTO entries (id, site_id, type_id, status, visibility, slug, title, author_id, published_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
  await q(insert, [
    B.draftId,
    B.id,
    type?.id,
    'draft',
    'public',
    'bravo-draft',
    B.draftTitle,
    B.memberId,
    null,
  ])
  await q(insert, [
    B.privateId,
    B.id,
    type?.id,
    'published',
    'private',
    'bravo-private',
    B.privateTitle,
    B.memberId,
    new Date(),
  ])
  const term = newId()
  await q(
    "INSERT INTO terms (id, site_id, taxonomy_id, slug, name) VALUES ($1, $2, $3, 'bravo-tag', 'Bravo tag')",
    [term, B.id, tag?.id],
  )
  await q('INSERT INTO entry_terms (site_id, entry_id, term_id) VALUES ($1, $2, $3)', [B.id, B.draftId, term])
  await q(
    "INSERT INTO redirects (id, site_id, from_path, to_path) VALUES ($1, $2, '/bravo-old', '/bravo-new')",
    [newId(), B.id],
  )
}

/** A reply as compared between callers: status and body without the per-request id. */
function comparable(res: LightMyRequestResponse): string {
  return `${res.statusCode} ${res.body.replace(/"requestId":"[^"]*"/g, '')}`
}
afterAll(() => app?.close())

describe('tenant isolation through the API', () => {
  it('covers the site-scoped routes', () => {
    expect(siteRoutes().length).toBeGreaterThan(10)
  })

  it("refuses every site-scoped route to A's members when the path names B, leaking nothing", async () => {
    const before = await snapshotOfB()
    let calls = 0
    for (const route of siteRoutes()) {
      for (const ref of [B.id, B.slug]) {
        for (const [role, session] of members) {
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
          expect(leaked(res, url + JSON.stringify(payload ?? '')), `${role} ${route.method} ${url}`).toEqual(
            [],
          )
          calls += 1
        }
      }
    }
    expect(calls).toBeGreaterThan(80)
    expect(await snapshotOfB()).toBe(before)
  })

  it("never reaches B when B's ids travel in the query, the body or headers of A's routes", async () => {
    const before = await snapshotOfB()
    for (const route of siteRoutes()) {
      for (const [role, session] of members) {
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
    }
    expect(await snapshotOfB()).toBe(before)
  })

  it('lists sites to each member of A without B', async () => {
    for (const [role, session] of members) {
      const res = await session.request({ method: 'GET', url: '/api/v1/sites' })
      expect(res.statusCode, role).toBe(200)
      expect(leaked(res, ''), role).toEqual([])
    }
  })
})
