/**
 * Content benchmark: a site with BENCH_ENTRIES entries (default 10,000) carrying categories, tags, authors
 * and parents; then, in one process, `/health` as the baseline and the read and write paths of the
 * content API. The read cases run in BENCH_ROUNDS interleaved rounds, each round starting with its own
 * `/health` run, so a slow spell of a shared machine lowers one round's baseline and cases together; the
 * write cases follow in rounds of their own. Each
 * case prints the median over the rounds of its requests/s, p50/p99 latency and ratio to its round's
 * baseline, with queries per request and reply size; then the idle and peak RSS, and whether the targets
 * hold (they are set for PostgreSQL; ratios are medians of per-round ratios).
 *
 * Uncached cases send `X-Entry-Password`, which makes a reply private to its caller, so the anonymous
 * reply cache never answers them: they measure the database path an anonymous reader takes on a miss.
 * The page cases (front page, an entry, the site feed) render through the default theme every time.
 *
 *   npm run bench                   # PGlite in memory
 *   DATABASE_URL=postgres://… npm run bench   # a fresh database on that server, dropped afterwards
 *   BENCH_SECONDS=4 BENCH_ROUNDS=3 BENCH_ENTRIES=10000   # the defaults (seconds per case and round);
 *                                                        # BENCH_ENTRIES=100000 for the deep-cursor target
 *   BENCH_READ_CACHE_SECONDS=5                 # the anonymous reply cache of the cached case
 */
import type autocannon from 'autocannon'
import { encodeCursor } from '../src/modules/content/reading/reading.service.ts'
import { hashPassword } from '../src/platform/security/index.ts'
import {
  idleRss,
  load,
  mb,
  signInBenchAdmin,
  startBenchApp,
  withPeakRss,
  type BenchApp,
  type LoadOptions,
} from './bench-lib.ts'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4)
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3))
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 10_000)
const AUTHORS = 8
const CATEGORIES = 20
const TAGS = 200
const WRITE_TARGETS = 50
const READ_CACHE_SECONDS = Number(process.env.BENCH_READ_CACHE_SECONDS ?? 5)
const WRITE_CLIENTS = 4
/** Makes a reply private, so the reply cache never answers it (see the header). */
const UNCACHED = { 'x-entry-password': 'bench' }
/** A Colophon cookie: the page cache never answers or keeps the page (pages.routes.ts), it is rendered. */
const PAGE_UNCACHED = { host: 'localhost', cookie: 'colophon_bench=1' }
/** Pages answer on a site's host: the root domain (`localhost` here) serves the main site. */
const PAGE_HOST = { host: 'localhost' }

const BODY = {
  type: 'doc',
  content: Array.from({ length: 4 }, (_, i) => ({
    type: 'paragraph',
    content: [{ type: 'text', text: `Paragraph ${i + 1}: ${'lorem ipsum dolor sit amet '.repeat(8)}` }],
  })),
}
const BODY_HTML = BODY.content.map((p) => `<p>${p.content[0]?.text ?? ''}</p>`).join('')

/**
 * Multi-row inserts as the owner (no API, no per-row round trips): authors, terms, then every entry in
 * one INSERT … SELECT. One entry in ten is a page (nested under one of the first pages), one in twenty a
 * draft, one in fifty private; each post gets a category and three tags.
 */
export async function seed(bench: BenchApp, siteId: string): Promise<void> {
  const q = bench.engine.query
  const hash = await hashPassword('bench author passphrase')
  await q(
    `WITH u AS (
       INSERT INTO users (id, email, name, password_hash, status)
       SELECT gen_random_uuid(), 'author' || n || '@bench.example', 'Author ' || n, $2, 'active'
       FROM generate_series(1, $3::int) n RETURNING id)
     INSERT INTO site_members (site_id, user_id, role_id)
     SELECT $1, u.id, (SELECT id FROM roles WHERE slug = 'author') FROM u`,
    [siteId, hash, AUTHORS],
  )
  await q(
    `INSERT INTO terms (id, site_id, taxonomy_id, slug, name)
     SELECT gen_random_uuid(), $1, t.id, t.key || '-' || n, initcap(t.key) || ' ' || n
     FROM taxonomies t CROSS JOIN generate_series(1, greatest($2::int, $3::int)) n
     WHERE t.site_id = $1 AND ((t.key = 'category' AND n <= $2) OR (t.key = 'tag' AND n <= $3))`,
    [siteId, CATEGORIES, TAGS],
  )
  await q(
    `WITH authors AS (SELECT array_agg(user_id ORDER BY user_id) AS ids FROM site_members WHERE site_id = $1),
     types AS (SELECT (SELECT id FROM content_types WHERE site_id = $1 AND key = 'post') AS post,
                      (SELECT id FROM content_types WHERE site_id = $1 AND key = 'page') AS page)
     INSERT INTO entries (id, site_id, type_id, status, slug, title, excerpt, body, body_html, author_id,
       visibility, published_at, created_at, updated_at)
     SELECT gen_random_uuid(), $1, CASE WHEN n % 10 = 0 THEN types.page ELSE types.post END,
       CASE WHEN n % 20 = 1 THEN 'draft' ELSE 'published' END,
       'entry-' || n, 'Entry number ' || n, 'Summary of entry ' || n, $3::jsonb, $4,
       authors.ids[1 + n % array_length(authors.ids, 1)],
       CASE WHEN n % 50 = 7 THEN 'private' ELSE 'public' END,
       CASE WHEN n % 20 = 1 THEN NULL ELSE now() - n * interval '1 minute' END,
       now() - n * interval '1 minute', now() - n * interval '1 minute'
     FROM generate_series(1, $2::int) n, authors, types`,
    [siteId, ENTRIES, JSON.stringify(BODY), BODY_HTML],
  )
  // Pages after the first ten nest under one of those ten.
  await q(
    `WITH roots AS (SELECT array_agg(id) AS ids FROM (SELECT id FROM entries e
        WHERE site_id = $1 AND type_id = (SELECT id FROM content_types WHERE site_id = $1 AND key = 'page')
        ORDER BY slug LIMIT 10) r)
     UPDATE entries e SET parent_id = roots.ids[1 + (substr(e.slug, 7)::int / 10) % 10]
     FROM roots
     WHERE e.site_id = $1 AND e.type_id = (SELECT id FROM content_types WHERE site_id = $1 AND key = 'page')
       AND NOT e.id = ANY (roots.ids)`,
    [siteId],
  )
  await q(
    `INSERT INTO entry_terms (site_id, entry_id, term_id, position)
     SELECT DISTINCT ON (e.id, tm.id) $1, e.id, tm.id, pick.position
     FROM entries e
     CROSS JOIN LATERAL (VALUES
       ('category-' || (1 + substr(e.slug, 7)::int % $2), 0),
       ('tag-' || (1 + (substr(e.slug, 7)::int * 7) % $3), 1),
       ('tag-' || (1 + (substr(e.slug, 7)::int * 13 + 1) % $3), 2),
       ('tag-' || (1 + (substr(e.slug, 7)::int * 31 + 2) % $3), 3)) AS pick(slug, position)
     JOIN terms tm ON tm.site_id = $1 AND tm.slug = pick.slug
     WHERE e.site_id = $1 AND e.type_id = (SELECT id FROM content_types WHERE site_id = $1 AND key = 'post')`,
    [siteId, CATEGORIES, TAGS],
  )
  // What autovacuum would do on a live database soon after a bulk load: planner statistics.
  await q('ANALYZE')
}

async function api(
  bench: BenchApp,
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
) {
  const res = await fetch(`${bench.address}${url}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: res.status, json: (await res.json().catch(() => null)) as Record<string, unknown> | null }
}

/** An API key for the site (the write case), created through the API as a signed-in admin. */
async function createApiKey(bench: BenchApp, siteId: string): Promise<string> {
  const { cookie, csrf } = await signInBenchAdmin(bench.address)
  const res = await api(
    bench,
    'POST',
    '/api/v1/api-keys',
    { cookie, 'x-csrf-token': csrf },
    {
      name: 'bench writer',
      scopes: ['site.*'],
      site: siteId,
    },
  )
  if (res.status !== 201)
    throw new Error(`creating an API key failed: ${res.status} ${JSON.stringify(res.json)}`)
  return String(res.json?.secret)
}

/**
 * The write case's targets: entries created through the API (so they carry revisions like real ones).
 * Null, with the reason, when the entries routes are not there yet.
 */
async function prepareWrites(
  bench: BenchApp,
  siteId: string,
  key: string,
): Promise<{ paths: string[] } | { skipped: string }> {
  const has = (method: string, url: string) =>
    bench.app.routes.some((r) => r.method === method && r.url === url)
  const base = '/api/v1/sites/:site/entries'
  if (!has('POST', base) || !has('PATCH', `${base}/:id`))
    return { skipped: 'POST/PATCH /api/v1/sites/:site/entries[/:id] are not registered yet (part E)' }
  const auth = { authorization: `Bearer ${key}` }
  const paths: string[] = []
  for (let i = 0; i < WRITE_TARGETS; i++) {
    const res = await api(bench, 'POST', `/api/v1/sites/${siteId}/entries`, auth, {
      type: 'post',
      title: `Write target ${i}`,
      body: BODY,
    })
    if (res.status !== 201)
      return { skipped: `creating an entry failed: ${res.status} ${JSON.stringify(res.json)}` }
    paths.push(`/api/v1/sites/${siteId}/entries/${String(res.json?.id)}`)
  }
  const probe = await api(bench, 'PATCH', paths[0] as string, auth, { title: 'Probe' })
  if (probe.status !== 200) return { skipped: `PATCH failed: ${probe.status} ${JSON.stringify(probe.json)}` }
  return { paths }
}

interface Case {
  name: string
  route: string
  options: LoadOptions
}

interface Measured {
  name: string
  /** One autocannon result per round. */
  rounds: autocannon.Result[]
  /** The `/health` rate of each round, the baseline of that round's ratios. */
  baselines: number[]
  queriesPerRequest: number
}

async function measureOnce(
  bench: BenchApp,
  c: Case,
): Promise<{ result: autocannon.Result; queries: number }> {
  bench.queriesByRoute.clear()
  const result = await load(bench.address, SECONDS, c.options)
  const stats = bench.queriesByRoute.get(c.route)
  return { result, queries: stats ? stats.queries / stats.requests : NaN }
}

/** Every case once per round, the baseline (the first case) first in each. */
async function measureRounds(bench: BenchApp, cases: readonly Case[]): Promise<Measured[]> {
  const measured = cases.map(
    (c) => ({ name: c.name, rounds: [], baselines: [], queriesPerRequest: NaN }) as Measured,
  )
  for (let round = 0; round < ROUNDS; round++) {
    let baseline = NaN
    for (const [index, c] of cases.entries()) {
      const { result, queries } = await measureOnce(bench, c)
      if (index === 0) baseline = result.requests.average
      const m = measured[index] as Measured
      m.rounds.push(result)
      m.baselines.push(baseline)
      m.queriesPerRequest = queries
    }
  }
  return measured
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}
const rateOf = (m: Measured) => median(m.rounds.map((r) => r.requests.average))
/** Median over the rounds of the case's rate divided by `of`'s rate in the same round (default: `/health`). */
const ratioOf = (m: Measured, of?: Measured) =>
  median(
    m.rounds.map(
      (r, i) =>
        r.requests.average /
        (of ? (of.rounds[i] as autocannon.Result).requests.average : (m.baselines[i] as number)),
    ),
  )

function writeCase(paths: readonly string[], key: string): Case {
  let next = 0
  return {
    name: 'PATCH entry title (API key)',
    route: 'PATCH /api/v1/sites/:site/entries/:id',
    options: {
      path: paths[0] as string,
      method: 'PATCH',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      requests: [
        {
          // Spread over many entries: concurrent saves of one entry would only measure its row lock.
          setupRequest: (request) => {
            next += 1
            return {
              ...request,
              path: paths[next % paths.length] as string,
              body: JSON.stringify({ title: `Title ${next}` }),
            }
          },
        },
      ],
    },
  }
}

/** Entry create then publish through the API, chained per connection (4 clients): two requests per entry. */
function publishCase(entries: string, key: string): Case {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }
  let next = 0
  return {
    name: `POST entry + publish (API key, ${WRITE_CLIENTS} clients)`,
    route: 'POST /api/v1/sites/:site/entries',
    options: {
      path: entries,
      connections: WRITE_CLIENTS,
      headers,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            next += 1
            return { ...request, body: JSON.stringify({ type: 'post', title: `Bench ${next}`, body: BODY }) }
          },
          onResponse: (_status, body, context) => {
            ;(context as { id?: string }).id = (JSON.parse(body) as { id?: string }).id
          },
        },
        {
          method: 'POST',
          setupRequest: (request, context) => ({
            ...request,
            path: `${entries}/${String((context as { id?: string }).id)}/status`,
            body: JSON.stringify({ status: 'published' }),
          }),
        },
      ],
    },
  }
}

/** The cursor of the page that starts `fraction` deep into the anonymous default list. */
async function deepCursor(bench: BenchApp, siteId: string, fraction: number): Promise<string> {
  const shown = `FROM entries WHERE site_id = $1 AND status = 'published' AND visibility = 'public'`
  const [row] = await bench.engine.query<{ id: string; micros: string }>(
    `SELECT id, (extract(epoch from published_at) * 1000000)::bigint::text AS micros ${shown}
     ORDER BY published_at DESC, id DESC
     OFFSET (SELECT floor(count(*) * $2::float8)::int ${shown}) LIMIT 1`,
    [siteId, fraction],
  )
  if (!row) throw new Error('no entry that deep')
  return encodeCursor('-publishedAt', row.micros, row.id)
}

function report(
  all: Measured[],
  rss: { boot: number; seeded: number; peakUnderLoad: number; peak: number },
  engine: string,
): void {
  console.log(
    `engine: ${engine}, ${ENTRIES} entries, ${ROUNDS} rounds × ${SECONDS}s per case, 10 connections, 127.0.0.1, ` +
      `anonymous reply cache ${READ_CACHE_SECONDS > 0 ? `${READ_CACHE_SECONDS} s` : 'off'}; medians over the rounds`,
  )
  for (const m of all) {
    const bytes = m.rounds.reduce((sum, r) => sum + r.throughput.total, 0)
    const requests = m.rounds.reduce((sum, r) => sum + r.requests.total, 0)
    console.log(
      `${m.name.padEnd(48)} ${rateOf(m).toFixed(0).padStart(6)} req/s  ` +
        `p50 ${String(median(m.rounds.map((r) => r.latency.p50))).padStart(4)} ms  ` +
        `p99 ${String(median(m.rounds.map((r) => r.latency.p99))).padStart(4)} ms  ` +
        `${Number.isNaN(m.queriesPerRequest) ? '  -' : m.queriesPerRequest.toFixed(2)} queries/req  ` +
        `${ratioOf(m).toFixed(2)}× baseline  ` +
        `${(bytes / Math.max(1, requests) / 1024).toFixed(1)} KB/reply  ` +
        `non-2xx ${m.rounds.reduce((sum, r) => sum + r.non2xx, 0)}, errors ${m.rounds.reduce((sum, r) => sum + r.errors, 0)}  ` +
        `(rounds: ${m.rounds.map((r) => r.requests.average.toFixed(0)).join(' / ')} req/s)`,
    )
  }
  console.log(
    `RSS: idle after boot ${mb(rss.boot)}, idle after seeding ${mb(rss.seeded)}, peak under load ${mb(rss.peakUnderLoad)}, peak of the process (seeding included) ${mb(rss.peak)}`,
  )
  const find = (name: string) => all.find((m) => m.name.startsWith(name))
  const ratio = (name: string, of?: Measured) => {
    const m = find(name)
    return m === undefined ? undefined : ratioOf(m, of)
  }
  const at = (value: number | undefined, min: number) => (value === undefined ? undefined : value >= min)
  const first = find('GET list (10, summary) uncached')
  const publishes = find('POST entry + publish')
  const patch = find('PATCH')
  const checks: [string, boolean | undefined][] = [
    ['uncached list ≥ 0.25×', at(ratio('GET list (10, summary) uncached'), 0.25)],
    ['uncached single ≥ 0.4×', at(ratio('GET single uncached'), 0.4)],
    ['cached list ≥ 0.7×', at(ratio('GET list (10, summary) cached'), 0.7)],
    ['cached page ≥ 0.7×', at(ratio('GET page: entry cached'), 0.7)],
    ['cached page 304 ≥ 0.7×', at(ratio('GET page: entry cached, 304'), 0.7)],
    ['99 % deep cursor ≥ 0.9× first page', at(first && ratio('GET list 99 % deep', first), 0.9)],
    // Two requests make one published entry.
    ['create + publish ≥ 150/s', at(publishes && rateOf(publishes) / 2, 150)],
    ['write p99 ≤ 100 ms', patch && median(patch.rounds.map((r) => r.latency.p99)) <= 100],
  ]
  console.log(
    'targets (set for PostgreSQL): ' +
      checks
        .map(([label, ok]) => `${label}: ${ok === undefined ? 'not measured' : ok ? 'met' : 'MISSED'}`)
        .join('; '),
  )
}

async function main(): Promise<void> {
  const bench = await startBenchApp({ readCacheSeconds: READ_CACHE_SECONDS })
  const boot = await idleRss()
  const [site] = await bench.engine.query<{ id: string }>('SELECT id FROM sites WHERE is_main')
  if (!site) throw new Error('setup created no main site')
  const started = Date.now()
  await seed(bench, site.id)
  console.log(`seeded ${ENTRIES} entries in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  const key = await createApiKey(bench, site.id)
  const writes = await prepareWrites(bench, site.id, key)
  const [entry] = await bench.engine.query<{ id: string }>(
    "SELECT id FROM entries WHERE site_id = $1 AND slug = 'entry-2'",
    [site.id],
  )
  const [permalink] = await bench.engine.query<{ path: string }>(
    `SELECT to_char(published_at at time zone 'UTC', '/YYYY/MM/') || slug AS path FROM entries
     WHERE site_id = $1 AND slug = 'entry-2'`,
    [site.id],
  )
  const seeded = await idleRss()

  const entries = `/api/v1/sites/${site.id}/entries`
  const single = `${entries}/${entry?.id}`
  const list = 'GET /api/v1/sites/:site/entries'
  const one = 'GET /api/v1/sites/:site/entries/:id'
  const page = 'GET /*'
  const deep = await deepCursor(bench, site.id, 0.99)
  // The entity tag of the cached entry page, for the 304 case.
  const pageTag = String(
    (await bench.app.server.inject({ method: 'GET', url: permalink?.path ?? '/', headers: PAGE_HOST }))
      .headers.etag,
  )
  const cases: Case[] = [
    { name: 'GET /health (baseline)', route: 'GET /health', options: { path: '/health' } },
    {
      name: 'GET list (10, summary) uncached',
      route: list,
      options: { path: `${entries}?limit=10`, headers: UNCACHED },
    },
    {
      name: 'GET list 99 % deep (10, summary) uncached',
      route: list,
      options: { path: `${entries}?limit=10&cursor=${deep}`, headers: UNCACHED },
    },
    {
      name: 'GET list (10, all fields, includes) uncached',
      route: list,
      options: { path: `${entries}?limit=10&fields=all&include=author,terms,parent`, headers: UNCACHED },
    },
    { name: 'GET list (10, summary) cached', route: list, options: { path: `${entries}?limit=10` } },
    { name: 'GET single uncached', route: one, options: { path: single, headers: UNCACHED } },
    {
      name: 'GET single (includes) uncached',
      route: one,
      options: { path: `${single}?include=author,terms,parent`, headers: UNCACHED },
    },

    // Public pages through the default theme, rendered each time (the cookie bypasses the page cache).
    { name: 'GET page: front page (HTML)', route: page, options: { path: '/', headers: PAGE_UNCACHED } },
    {
      name: 'GET page: entry (HTML)',
      route: page,
      options: { path: permalink?.path ?? '/', headers: PAGE_UNCACHED },
    },
    { name: 'GET page: site feed (RSS)', route: page, options: { path: '/feed', headers: PAGE_UNCACHED } },
    {
      // category-3: one post in twenty (category-1 holds only pages, category-2 only drafts).
      name: 'GET page: term archive (HTML)',
      route: page,
      options: { path: '/category/category-3', headers: PAGE_UNCACHED },
    },
    // The page cache: an anonymous reader's page held in memory, and its revalidation by ETag.
    {
      name: 'GET page: entry cached',
      route: page,
      options: { path: permalink?.path ?? '/', headers: PAGE_HOST },
    },
    {
      name: 'GET page: entry cached, 304',
      route: page,
      options: { path: permalink?.path ?? '/', headers: { ...PAGE_HOST, 'if-none-match': pageTag } },
    },
  ]
  // Writes go after every read round, in rounds of their own: what a write leaves behind (published
  // entries' jobs, cache invalidations) would otherwise run during the next round's reads.
  const writeCases = 'paths' in writes ? [writeCase(writes.paths, key), publishCase(entries, key)] : []
  const { result: measured, peakRss } = await withPeakRss(async () => {
    const reads = await measureRounds(bench, cases)
    if (writeCases.length === 0) return reads
    const [, ...written] = await measureRounds(bench, [cases[0] as Case, ...writeCases])
    return [...reads, ...written]
  })
  const peak = Math.max(peakRss, process.resourceUsage().maxRSS * 1024)
  report(measured, { boot, seeded, peakUnderLoad: peakRss, peak }, bench.engine.kind)
  if ('skipped' in writes) console.log(`write case skipped: ${writes.skipped}`)
  await bench.close()
}

// Runs when started as a script; importing it (to reuse `seed`) runs nothing.
if (import.meta.main) await main()
