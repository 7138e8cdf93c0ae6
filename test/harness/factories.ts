import { newId } from '../../src/platform/db/index.ts'
import { hashPassword } from '../../src/platform/security/index.ts'
import type { EntryStatus, Visibility } from '../../src/modules/content/index.ts'
import type { TestApp } from './test-app.ts'

/**
 * Factories for sites, their domains and members, entries and terms: the one place in the tests that
 * knows their columns. Rows are written straight into the database at network scope (see test-db.ts),
 * one statement per call, so a test can plant states the API would take many requests to reach (a
 * published entry dated in the past, an entry in the trash) and hundreds of rows for a query budget.
 * The APIs that create these rows have tests of their own. Users are made by `createUser` (identity.ts).
 */

let counter = 0
const next = () => (counter += 1)

type Instant = Date | string

export interface SiteSeed {
  slug?: string
  /** Defaults to the slug. */
  name?: string
  status?: 'active' | 'disabled' | 'archived' | 'deleted'
  apiCallsPerMinute?: number | null
  entriesQuota?: number | null
}

/**
 * A bare site row; the database gives it the built-in types (post, page) and taxonomies (category, tag),
 * as it does every new site. No domain, no members (`addDomain`, `addMember`). Returns its id.
 */
export async function createSite(app: TestApp, seed: SiteSeed = {}): Promise<string> {
  const id = newId()
  const slug = seed.slug ?? `site-${next()}-${id.slice(-6)}`
  await app.db.engine.query(
    `INSERT INTO sites (id, name, slug, status, api_calls_per_minute, entries_quota)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      id,
      seed.name ?? slug,
      slug,
      seed.status ?? 'active',
      seed.apiCallsPerMinute ?? null,
      seed.entriesQuota ?? null,
    ],
  )
  return id
}

/**
 * A host a site answers on. `verified` (the default) is dated now; `pending` and `failed` carry a
 * verification token, as a custom domain awaiting its DNS record does.
 */
export async function addDomain(
  app: TestApp,
  domain: {
    siteId: string
    host: string
    kind?: 'subdomain' | 'custom'
    primary?: boolean
    state?: 'pending' | 'verified' | 'failed'
  },
): Promise<string> {
  const id = newId()
  const state = domain.state ?? 'verified'
  await app.db.engine.query(
    `INSERT INTO site_domains (id, site_id, host, kind, is_primary, verification_state, verification_token, verified_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $6 = 'verified' THEN now() END)`,
    [
      id,
      domain.siteId,
      domain.host,
      domain.kind ?? 'subdomain',
      domain.primary ?? false,
      state,
      state === 'verified' ? null : 'token-for-tests',
    ],
  )
  return id
}

/** Makes a user a member of a site with a site role (by slug: `administrator`, `editor`, `author` …). */
export async function addMember(
  app: TestApp,
  member: { siteId: string; userId: string; role: string },
): Promise<void> {
  const rows = await app.db.engine.query(
    `INSERT INTO site_members (site_id, user_id, role_id)
     SELECT $1, $2, id FROM roles WHERE slug = $3
     RETURNING user_id`,
    [member.siteId, member.userId, member.role],
  )
  if (rows.length !== 1) throw new Error(`addMember: no role "${member.role}"`)
}

export interface EntrySeed {
  siteId: string
  /** The content type's key (default `post`). */
  type?: string
  /** Default `draft`, as a new entry starts. */
  status?: EntryStatus
  /** Default `entry-<n>-<id suffix>`, unique. */
  slug?: string
  /** Default the slug. */
  title?: string
  authorId?: string | null
  parentId?: string | null
  visibility?: Visibility
  /** The entry password in clear; stored hashed, as the API stores it. */
  password?: string
  /** A stored hash as it is, for callers that hash once for many entries. */
  passwordHash?: string
  fields?: Record<string, unknown>
  /** Default: the time of the insert when `status` is `published`, otherwise none. `null`: none. */
  publishedAt?: Instant | null
  /** Default: the time of the insert when `status` is `trash`, otherwise none. `null`: none. */
  trashedAt?: Instant | null
  /** Default the time of the insert. */
  createdAt?: Instant
  updatedAt?: Instant
}

/** One entry of `seed.siteId`; returns its id. */
export async function createEntry(app: TestApp, seed: EntrySeed): Promise<string> {
  const [id] = await createEntries(app, [seed])
  return id as string
}

/**
 * Entries in one statement (a query budget plants hundreds), in the order given; returns their ids in
 * that order. A parent must exist before its children: plant it in an earlier call.
 */
export async function createEntries(app: TestApp, seeds: readonly EntrySeed[]): Promise<string[]> {
  const rows = await Promise.all(
    seeds.map(async (seed) => {
      const id = newId()
      const slug = seed.slug ?? `entry-${next()}-${id.slice(-6)}`
      const status = seed.status ?? 'draft'
      return {
        id,
        site_id: seed.siteId,
        type: seed.type ?? 'post',
        status,
        slug,
        title: seed.title ?? slug,
        author_id: seed.authorId ?? null,
        parent_id: seed.parentId ?? null,
        visibility: seed.visibility ?? 'public',
        password_hash:
          seed.password === undefined ? (seed.passwordHash ?? null) : await hashPassword(seed.password),
        fields: seed.fields ?? {},
        published_at: instant(seed.publishedAt),
        published_now: seed.publishedAt === undefined && status === 'published',
        trashed_at: instant(seed.trashedAt),
        trashed_now: seed.trashedAt === undefined && status === 'trash',
        created_at: instant(seed.createdAt),
        updated_at: instant(seed.updatedAt),
      }
    }),
  )
  if (rows.length === 0) return []
  const inserted = await app.db.engine.query<{ id: string }>(
    `INSERT INTO entries (id, site_id, type_id, status, slug, title, author_id, parent_id, visibility,
       password_hash, fields, published_at, trashed_at, created_at, updated_at)
     SELECT s.id, s.site_id, t.id, s.status, s.slug, s.title, s.author_id, s.parent_id, s.visibility,
       s.password_hash, s.fields,
       CASE WHEN s.published_now THEN now() ELSE s.published_at END,
       CASE WHEN s.trashed_now THEN now() ELSE s.trashed_at END,
       coalesce(s.created_at, now()), coalesce(s.updated_at, now())
     FROM jsonb_to_recordset($1::jsonb) AS s(id uuid, site_id uuid, type text, status text, slug text,
       title text, author_id uuid, parent_id uuid, visibility text, password_hash text, fields jsonb,
       published_at timestamptz, published_now boolean, trashed_at timestamptz, trashed_now boolean,
       created_at timestamptz, updated_at timestamptz)
     JOIN content_types t ON t.site_id = s.site_id AND t.key = s.type
     RETURNING id`,
    [JSON.stringify(rows)],
  )
  if (inserted.length !== rows.length) throw new Error('createEntries: a site or content type does not exist')
  return rows.map((row) => row.id)
}

export interface TermSeed {
  siteId: string
  /** The taxonomy's key (default `tag`). */
  taxonomy?: string
  /** Default `term-<n>-<id suffix>`, unique. */
  slug?: string
  /** Default the slug. */
  name?: string
  parentId?: string | null
}

/** One term of a taxonomy of `seed.siteId`; returns its id. */
export async function createTerm(app: TestApp, seed: TermSeed): Promise<string> {
  const id = newId()
  const slug = seed.slug ?? `term-${next()}-${id.slice(-6)}`
  const taxonomy = seed.taxonomy ?? 'tag'
  const rows = await app.db.engine.query(
    `INSERT INTO terms (id, site_id, taxonomy_id, slug, name, parent_id)
     SELECT $1, $2, id, $4, $5, $6 FROM taxonomies WHERE site_id = $2 AND key = $3
     RETURNING id`,
    [id, seed.siteId, taxonomy, slug, seed.name ?? slug, seed.parentId ?? null],
  )
  if (rows.length !== 1) throw new Error(`createTerm: site ${seed.siteId} has no taxonomy "${taxonomy}"`)
  return id
}

/** Attaches terms to entries (the entry's site is the link's), in one statement. */
export async function assignTerms(
  app: TestApp,
  links: readonly { entryId: string; termId: string }[],
): Promise<void> {
  if (links.length === 0) return
  const inserted = await app.db.engine.query(
    `INSERT INTO entry_terms (site_id, entry_id, term_id)
     SELECT e.site_id, e.id, l.term_id
     FROM jsonb_to_recordset($1::jsonb) AS l(entry_id uuid, term_id uuid)
     JOIN entries e ON e.id = l.entry_id
     RETURNING entry_id`,
    [JSON.stringify(links.map((l) => ({ entry_id: l.entryId, term_id: l.termId })))],
  )
  if (inserted.length !== links.length) throw new Error('assignTerms: an entry does not exist')
}

function instant(value: Instant | null | undefined): string | null {
  if (value === undefined || value === null) return null
  return typeof value === 'string' ? value : value.toISOString()
}
