import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createSite } from '../harness/factories.ts'
import { TEST_REDIS_URL, dropKeys, redisForTests, testKeyPrefix } from '../harness/redis.ts'
import { createTestDatabase, type TestDatabase } from '../harness/test-db.ts'
import { ADMIN, TEST_ENCRYPTION_KEY, TEST_SETUP_TOKEN, createTestApp } from '../harness/test-app.ts'
import { waitFor } from '../harness/wait.ts'

/**
 * Scale-out as operators run it: three `colophon serve` processes and one `colophon worker`, real
 * processes on one PostgreSQL database and one Redis. It proves what ADR 0014 promises:
 * (a) a site's API-call quota is one budget, whichever node answers;
 * (b) a publish through node 1 is visible to an anonymous reader of node 3 within 1 s, although node 3
 *     had the list cached for a minute (only the broadcast can clear it that fast);
 * (c) a scheduled publish happens once, with four processes working the job queues (the serve nodes
 *     too, `COLOPHON_JOBS_IN_PROCESS=on`: the strongest competition for the job), and its invalidation
 *     reaches the serve nodes from whichever process ran it;
 * (d) killing a serve node (SIGKILL) while clients write through all three loses no acknowledged write.
 *
 * PostgreSQL only: PGlite admits one process. Starting the nodes (in parallel) takes several seconds on a
 * loaded machine, so it happens once, in beforeAll, with an explicit bound; every process is stopped in
 * afterAll, even after a failure.
 */

const CLI = fileURLToPath(new URL('../../src/app/cli.ts', import.meta.url))
const harness = inject('harness')
const redis = await redisForTests()
const skip = harness.engine !== 'postgres' || redis.skip
const reason =
  harness.engine !== 'postgres'
    ? '(skipped: needs PostgreSQL, as several processes share one database)'
    : redis.reason
const prefix = testKeyPrefix()
const START_TIMEOUT_MS = 45_000
const QUOTA = 9

interface Node {
  role: 'serve' | 'worker'
  child: ChildProcess
  url: string
  output: () => string
  dataDir: string
}

let db: TestDatabase | undefined
const nodes: Node[] = []
let session = { cookie: '', csrf: '' }

function envFor(dataDir: string, role: Node['role']): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: db?.url ?? '',
    COLOPHON_REDIS_URL: TEST_REDIS_URL,
    COLOPHON_REDIS_KEY_PREFIX: prefix,
    COLOPHON_ENV: 'test',
    COLOPHON_HOST: '127.0.0.1',
    COLOPHON_PORT: '0',
    COLOPHON_DATA_DIR: dataDir,
    COLOPHON_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    COLOPHON_DB_POOL_MAX: '4',
    COLOPHON_READ_CACHE_SECONDS: '60',
    COLOPHON_JOBS_IN_PROCESS: 'on',
    // The worker announces itself in an info line; serve prints its address on stdout at any level.
    COLOPHON_LOG_LEVEL: role === 'worker' ? 'info' : 'warn',
  }
}

/** Starts one process and resolves once it serves (its banner) or works (its start line). */
function start(role: Node['role']): Promise<Node> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `colophon-${role}-`))
  const child = spawn(process.execPath, ['--max-semi-space-size=16', CLI, role], {
    env: envFor(dataDir, role),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const node: Node = { role, child, url: '', output: () => out, dataDir }
  nodes.push(node)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${role} did not start in time:\n${out}`)),
      START_TIMEOUT_MS,
    )
    const onData = (data: Buffer) => {
      out += data.toString()
      const address = /listening on (http:\/\/[^\s]+) /.exec(out)?.[1]
      if (address || (role === 'worker' && out.includes('colophon worker started'))) {
        clearTimeout(timer)
        node.url = address ?? ''
        resolve(node)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${role} exited with ${code}:\n${out}`))
    })
  })
}

async function stop(node: Node): Promise<void> {
  const { child } = node
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
  rmSync(node.dataDir, { recursive: true, force: true })
}

interface Reply {
  status: number
  body: string
  headers: Headers
}

/** One HTTP request to a node, as the signed-in admin unless `anonymous`. */
async function call(
  node: Node,
  method: string,
  url: string,
  options: { body?: unknown; anonymous?: boolean } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {}
  if (!options.anonymous) Object.assign(headers, { cookie: session.cookie, 'x-csrf-token': session.csrf })
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(node.url + url, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(5000),
  })
  return { status: res.status, body: await res.text(), headers: res.headers }
}

const serveNodes = () => nodes.filter((n) => n.role === 'serve')
const serveNode = (i: number) => serveNodes()[i] as Node

async function signIn(node: Node): Promise<void> {
  const res = await fetch(`${node.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
  })
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`)
  const cookies = Object.fromEntries(res.headers.getSetCookie().map((c) => c.split(';')[0]!.split('=')))
  session = {
    cookie: `colophon_session=${cookies.colophon_session}; colophon_csrf=${cookies.colophon_csrf}`,
    csrf: cookies.colophon_csrf as string,
  }
}

async function createEntry(node: Node, title: string): Promise<string> {
  const res = await call(node, 'POST', '/api/v1/sites/main/entries', { body: { type: 'post', title } })
  if (res.status !== 201) throw new Error(`creating "${title}" failed: ${res.status} ${res.body}`)
  return (JSON.parse(res.body) as { id: string }).id
}

/** Reads the public list on `node` until the node answers it from its cache. */
async function cacheListOn(node: Node): Promise<void> {
  await waitFor(
    async () =>
      (await call(node, 'GET', '/api/v1/sites/main/entries', { anonymous: true })).headers.get(
        'x-colophon-cache',
      ) === 'hit',
    { what: 'the node to cache the list' },
  )
}

beforeAll(async () => {
  if (skip) return
  db = await createTestDatabase('migrated')
  // Installed in this process (setup is tested elsewhere), with a site whose quota the nodes share.
  const installer = await createTestApp({ db, state: 'migrated' })
  try {
    await installer.setup.completeSetup({ token: TEST_SETUP_TOKEN, admin: ADMIN, site: { name: 'Main' } })
    await createSite(installer, { slug: 'quota-shared', apiCallsPerMinute: QUOTA })
  } finally {
    await installer.close()
  }
  await Promise.all([start('serve'), start('serve'), start('serve'), start('worker')])
  await signIn(serveNode(0))
}, 60_000)

afterAll(async () => {
  await Promise.all(nodes.map(stop))
  await db?.destroy()
  if (!redis.skip) await dropKeys(prefix)
}, 30_000)

describe.skipIf(skip)(`three serve nodes and a worker on one PostgreSQL and one Redis ${reason}`, () => {
  it('(a) spends a site’s API-call quota once for all nodes', async () => {
    const statuses: number[] = []
    for (let i = 0; i < QUOTA + 6; i += 1) {
      statuses.push((await call(serveNode(i % 3), 'GET', '/api/v1/sites/quota-shared/settings')).status)
    }
    expect(statuses).toEqual([...Array<number>(QUOTA).fill(200), ...Array<number>(6).fill(429)])
  })

  it('(b) shows a publish through node 1 to anonymous readers of node 3 within 1 s', async () => {
    const id = await createEntry(serveNode(0), 'Published on node 1')
    await cacheListOn(serveNode(2))
    const published = await call(serveNode(0), 'POST', `/api/v1/sites/main/entries/${id}/status`, {
      body: { status: 'published' },
    })
    expect(published.status).toBe(200)
    // Bounded by the promise, not by how fast anything else is: node 3 cached the list for 60 s.
    await waitFor(
      async () =>
        (await call(serveNode(2), 'GET', '/api/v1/sites/main/entries', { anonymous: true })).body.includes(
          id,
        ),
      { what: 'node 3 to list the entry published on node 1', timeoutMs: 1000, intervalMs: 20 },
    )
  })

  it(
    '(c) publishes a scheduled entry exactly once, with four processes working jobs',
    { timeout: 20_000 },
    async () => {
      const id = await createEntry(serveNode(1), 'Scheduled')
      const scheduled = await call(serveNode(1), 'POST', `/api/v1/sites/main/entries/${id}/status`, {
        body: { status: 'scheduled', publishAt: new Date(Date.now() + 2000).toISOString() },
      })
      expect(scheduled.status, scheduled.body).toBe(200)
      await cacheListOn(serveNode(2))
      const engine = db!.engine
      await waitFor(
        async () => {
          const [row] = await engine.query<{ status: string }>('SELECT status FROM entries WHERE id = $1', [
            id,
          ])
          return row?.status === 'published'
        },
        { what: 'the scheduled entry to be published', timeoutMs: 15_000 },
      )
      // The process that published told the others: node 3 drops its cached list within the lease.
      await waitFor(
        async () =>
          (await call(serveNode(2), 'GET', '/api/v1/sites/main/entries', { anonymous: true })).body.includes(
            id,
          ),
        { what: 'node 3 to list the entry published by a job', timeoutMs: 1000, intervalMs: 20 },
      )
      const transitions = await engine.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM entry_transitions WHERE entry_id = $1 AND to_status = 'published'",
        [id],
      )
      const audits = await engine.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_log
        WHERE action = 'content.entry.transition' AND target_id = $1 AND summary->>'to' = 'published'`,
        [id],
      )
      const runs = await engine.query<{ status: string }>(
        `SELECT r.status FROM job_runs r JOIN jobs j ON j.id = r.job_id
        WHERE j.queue = 'content.publish' AND j.data->>'entryId' = $1`,
        [id],
      )
      expect({ transitions: transitions[0]?.n, audits: audits[0]?.n, runs }).toEqual({
        transitions: 1,
        audits: 1,
        runs: [{ status: 'completed' }],
      })
    },
  )

  it('(d) loses no acknowledged write when a node is killed while clients write through all nodes', async () => {
    const victim = serveNode(1)
    const acked = new Map<string, string>()
    let failed = 0
    let afterKill = 0
    let killed = false
    const writer = async (w: number) => {
      for (let j = 0; j < 15; j += 1) {
        const title = `write ${w}-${j}`
        try {
          const res = await call(serveNode((w + j) % 3), 'POST', '/api/v1/sites/main/entries', {
            body: { type: 'post', title },
          })
          if (res.status !== 201) throw new Error(String(res.status))
          acked.set(title, (JSON.parse(res.body) as { id: string }).id)
          if (killed) afterKill += 1
        } catch {
          failed += 1
        }
        if (!killed && acked.size >= 8) {
          killed = true
          victim.child.kill('SIGKILL')
        }
      }
    }
    await Promise.all([0, 1, 2].map(writer))
    expect(killed).toBe(true)
    expect(failed).toBeGreaterThan(0) // some writes went to the dead node
    expect(afterKill).toBeGreaterThan(0) // the others kept acknowledging
    const rows = await db!.engine.query<{ id: string; title: string }>(
      'SELECT id, title FROM entries WHERE id = ANY($1::uuid[])',
      [[...acked.values()]],
    )
    expect(new Map(rows.map((r) => [r.title, r.id]))).toEqual(acked)
  })
})
