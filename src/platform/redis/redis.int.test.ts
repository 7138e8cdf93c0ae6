import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  TEST_REDIS_URL,
  UNREACHABLE_REDIS_URL,
  dropKeys,
  redisForTests,
  testKeyPrefix,
} from '../../../test/harness/redis.ts'
import { waitFor } from '../../../test/harness/wait.ts'
import { createBus, createCounters, openRedis, type Bus, type RedisLink } from './index.ts'

/**
 * Counters and the broadcast on the real Redis: two links stand for two nodes. A link to a port where
 * nothing listens stands for a node whose Redis is down.
 */

const redis = await redisForTests()
const prefix = testKeyPrefix()
const warnings: string[] = []
const log = { info() {}, warn: (_obj: object, msg: string) => void warnings.push(msg) }
const links: RedisLink[] = []
const buses: Bus[] = []

async function link(url = TEST_REDIS_URL): Promise<RedisLink> {
  const opened = await openRedis({
    url,
    keyPrefix: prefix,
    log,
    connectWaitMs: url === TEST_REDIS_URL ? 3000 : 200,
  })
  links.push(opened)
  return opened
}

function bus(on: RedisLink | null, options: { leaseMs?: number; heartbeatMs?: number } = {}): Bus {
  const created = createBus({ redis: on, log, ...options })
  buses.push(created)
  return created
}

let nodeA: RedisLink
let nodeB: RedisLink
beforeAll(async () => {
  if (redis.skip) return
  ;[nodeA, nodeB] = await Promise.all([link(), link()])
})
afterAll(async () => {
  for (const b of buses) await b.close()
  for (const l of links) await l.close()
  if (!redis.skip) await dropKeys(prefix)
})

describe.skipIf(redis.skip)(`shared counters ${redis.reason}`, () => {
  it('counts hits from every node in one window, under the prefix', async () => {
    const a = createCounters({ redis: nodeA, log })
    const b = createCounters({ redis: nodeB, log })
    expect((await a.hit('login:ada', 60_000)).count).toBe(1)
    expect((await b.hit('login:ada', 60_000)).count).toBe(2)
    const third = await a.hit('login:ada', 60_000)
    expect(third.count).toBe(3)
    expect(third.ttlMs).toBeGreaterThan(50_000)
    expect(third.ttlMs).toBeLessThanOrEqual(60_000)
    expect(await nodeA.commands.get(`${prefix}rl:login:ada`)).toBe('3')
    expect(a.fallbacks + b.fallbacks).toBe(0)
  })

  it('peeks without counting, and reports no window for an unknown key', async () => {
    const a = createCounters({ redis: nodeA, log })
    await a.hit('peek:x', 60_000)
    expect((await a.peek('peek:x', 60_000)).count).toBe(1)
    expect((await a.peek('peek:x', 60_000)).count).toBe(1)
    expect(await a.peek('peek:nothing', 60_000)).toEqual({ count: 0, ttlMs: 0 })
  })

  it('starts a new window once the old one has expired', async () => {
    const a = createCounters({ redis: nodeA, log })
    await a.hit('window:y', 150)
    await a.hit('window:y', 150)
    await waitFor(async () => (await a.peek('window:y', 150)).count === 0, { what: 'the window to expire' })
    expect((await a.hit('window:y', 150)).count).toBe(1)
  })

  it('counts in memory, without failing, when Redis cannot be reached', async () => {
    const down = await link(UNREACHABLE_REDIS_URL)
    expect(down.isUp()).toBe(false)
    expect(await down.check()).toBe('unreachable')
    const counters = createCounters({ redis: down, log })
    expect(counters.shared).toBe(true)
    expect((await counters.hit('login:bob', 60_000)).count).toBe(1)
    expect((await counters.hit('login:bob', 60_000)).count).toBe(2)
    expect((await counters.peek('login:bob', 60_000)).count).toBe(2)
    expect(counters.fallbacks).toBe(3)
    expect(warnings).toContain('redis unreachable: counting and caching on this node alone until it is back')
  })

  it('counts in memory when no Redis is configured, dropping the oldest window past its bound', async () => {
    const counters = createCounters({ redis: null, log, maxLocalKeys: 2 })
    expect(counters.shared).toBe(false)
    await counters.hit('a', 60_000)
    await counters.hit('a', 60_000)
    await counters.hit('b', 60_000)
    await counters.hit('c', 60_000)
    expect((await counters.peek('a', 60_000)).count).toBe(0)
    expect((await counters.peek('c', 60_000)).count).toBe(1)
    expect(counters.fallbacks).toBe(0)
  })
})

describe.skipIf(redis.skip)(`broadcast ${redis.reason}`, () => {
  it('delivers a message to every node, once, and to the sender at once', async () => {
    const a = bus(nodeA)
    const b = bus(nodeB)
    const heard = { a: [] as (string | undefined)[], b: [] as (string | undefined)[] }
    a.subscribe('reply-cache', (m) => heard.a.push(m))
    b.subscribe('reply-cache', (m) => heard.b.push(m))
    await waitFor(() => a.isCurrent() && b.isCurrent(), { what: 'both nodes to hear their heartbeats' })
    await a.publish('reply-cache', 'site-1')
    expect(heard.a).toEqual(['site-1'])
    await a.publish('reply-cache')
    await waitFor(() => heard.b.length === 2, { what: () => `node B to hear two messages (${heard.b})` })
    expect(heard.b).toEqual(['site-1', undefined])
    expect(heard.a).toEqual(['site-1', undefined])
  })

  it('is not current while its subscription is down, and reports what it may have missed', async () => {
    const a = bus(nodeA)
    const b = bus(nodeB, { leaseMs: 300, heartbeatMs: 50 })
    const heard: (string | undefined)[] = []
    let missed = 0
    b.subscribe('reply-cache', (m) => heard.push(m))
    b.onMissed(() => (missed += 1))
    await waitFor(() => b.isCurrent(), { what: 'node B to hear its heartbeat' })
    const before = missed
    // Node B's subscription drops; a message sent meanwhile never reaches it.
    nodeB.subscriber.disconnect()
    await waitFor(() => nodeB.subscriber.status === 'end', { what: 'node B to be cut off' })
    await a.publish('reply-cache', 'lost')
    await waitFor(() => !b.isCurrent(), { what: 'node B to stop trusting what it heard' })
    expect(missed).toBe(before)
    await nodeB.subscriber.connect()
    await waitFor(() => b.isCurrent(), { what: 'node B to hear its heartbeat again' })
    expect(missed).toBe(before + 1)
    expect(heard).not.toContain('lost')
  })

  it('stays in process without Redis, and never throws when Redis is down', async () => {
    const local = bus(null)
    const heard: (string | undefined)[] = []
    local.subscribe('hosts', (m) => heard.push(m))
    await local.publish('hosts')
    expect(heard).toEqual([undefined])
    expect(local.isCurrent()).toBe(true)

    const down = bus(await link(UNREACHABLE_REDIS_URL))
    const heardDown: (string | undefined)[] = []
    down.subscribe('hosts', (m) => heardDown.push(m))
    await down.publish('hosts', 'x')
    expect(heardDown).toEqual(['x'])
    expect(down.isCurrent()).toBe(false)
    expect(down.publishFailures).toBe(1)
  })
})

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

describe.skipIf(redis.skip)(`a Redis that hangs, dies and comes back ${redis.reason}`, () => {
  let server: ChildProcess | undefined
  afterAll(() => {
    server?.kill('SIGKILL')
  })

  it('falls back while it does not answer, and shares again once it does', async () => {
    const port = await freePort()
    const startServer = () =>
      spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      )
    server = startServer()
    const own = await openRedis({
      url: `redis://127.0.0.1:${port}`,
      keyPrefix: prefix,
      log,
      commandTimeoutMs: 300,
    })
    links.push(own)
    await waitFor(() => own.isUp(), { what: 'the private Redis to accept the link' })
    const counters = createCounters({ redis: own, log })
    expect((await counters.hit('k', 60_000)).count).toBe(1)
    expect(counters.fallbacks).toBe(0)

    server.kill('SIGSTOP') // hangs: commands time out, then count in memory
    expect((await counters.hit('k', 60_000)).count).toBe(1)
    expect(counters.fallbacks).toBe(1)
    server.kill('SIGCONT')
    await waitFor(async () => (await counters.hit('k', 60_000)).count > 1, {
      what: 'counting in Redis again',
    })

    server.kill('SIGKILL') // dies: the link knows at once, nothing waits for a timeout
    await waitFor(() => !own.isUp(), { what: 'the link to notice' })
    const started = Date.now()
    expect((await counters.hit('k', 60_000)).count).toBeGreaterThan(0)
    expect(Date.now() - started).toBeLessThan(100)

    server = startServer() // comes back, empty: counting starts again from 1
    await waitFor(() => own.isUp(), { what: 'the link to reconnect', timeoutMs: 8000 })
    expect((await counters.hit('k', 60_000)).count).toBe(1)
  })
})
