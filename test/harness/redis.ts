import { inject } from 'vitest'
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'

/**
 * The Redis the tests share: `COLOPHON_TEST_REDIS_URL`, default the local server (`.ci/run` starts one).
 * Each test file works under a key prefix of its own (`colophon-test:<pid>:<random>:`) and removes its
 * keys when it ends, so files running side by side never see each other's counters or broadcasts.
 */
export const TEST_REDIS_URL = process.env.COLOPHON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A prefix no other test file uses. */
export function testKeyPrefix(): string {
  return `colophon-test:${process.pid}:${randomBytes(4).toString('hex')}:`
}

/**
 * Whether the test Redis answers. Without it the Redis suites are skipped, with this reason, on a
 * developer's machine; in CI (`CI` set) they run anyway and fail, since CI must have started Redis.
 */
export async function redisForTests(): Promise<{ skip: boolean; reason: string }> {
  const client = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => null,
  })
  client.on('error', () => undefined)
  try {
    await client.connect()
    await client.ping()
    return { skip: false, reason: '' }
  } catch {
    const reason = `no Redis answers at ${TEST_REDIS_URL} (start redis-server, or set COLOPHON_TEST_REDIS_URL)`
    return { skip: !inject('harness').ci, reason }
  } finally {
    client.disconnect()
  }
}

/** Deletes every key under `prefix` (a test file's leftovers). */
export async function dropKeys(prefix: string): Promise<void> {
  const client = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, retryStrategy: () => null })
  client.on('error', () => undefined)
  try {
    let cursor = '0'
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
      if (keys.length > 0) await client.del(...keys)
      cursor = next
    } while (cursor !== '0')
  } finally {
    client.disconnect()
  }
}

/** A Redis URL where nothing listens: a node configured with it must start and serve on its own. */
export const UNREACHABLE_REDIS_URL = 'redis://127.0.0.1:1'
