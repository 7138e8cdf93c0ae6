import type { Redis, RedisOptions } from 'ioredis'

/** The part of a logger this folder writes to (the app's pino logger, or a silent one in tests). */
export interface RedisLog {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

/**
 * The node's link to the shared Redis: one connection for commands (counters, publishing) and one for
 * subscriptions (a subscribed connection can send nothing else). Both reconnect on their own, forever.
 *
 * Nothing here may stall or crash a request when Redis goes away: commands are never queued while the
 * link is down (they fail at once, and the callers fall back to this node's memory), and one that gets
 * no answer fails after `commandTimeoutMs`.
 */
export interface RedisLink {
  /** Commands. Fails fast while disconnected: no offline queue, no retry of a command in flight. */
  readonly commands: Redis
  /** Subscriptions only (the broadcast). Resubscribes by itself after a reconnect. */
  readonly subscriber: Redis
  /** Starts every key and channel name (`colophon:` by default). */
  readonly keyPrefix: string
  /** Both connections are up right now. */
  isUp(): boolean
  /** For readiness: `ok` when Redis answers a PING in time, else `unreachable`. */
  check(): Promise<'ok' | 'unreachable'>
  /** Closes both connections (pending commands fail). */
  close(): Promise<void>
}

export interface OpenRedisOptions {
  url: string
  keyPrefix: string
  log: RedisLog
  /** How long `openRedis` waits for the first connection before going on without it (default 3 s). */
  connectWaitMs?: number
  /** A command without an answer after this long fails and its caller falls back (default 1 s). */
  commandTimeoutMs?: number
}

/** Reconnect after 100 ms, 200 ms … at most every 2 s, and never give up. */
const retryStrategy = (times: number): number => Math.min(times * 100, 2000)

function connectionOptions(commandTimeoutMs: number, name: string): RedisOptions {
  return {
    connectionName: name,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: 2000,
    commandTimeout: commandTimeoutMs,
    retryStrategy,
  }
}

function waitUntilReady(client: Redis, ms: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true)
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer)
      client.off('ready', onReady)
      resolve(ready)
    }
    const onReady = () => done(true)
    const timer = setTimeout(() => done(false), ms)
    client.once('ready', onReady)
  })
}

/**
 * Opens the link and waits up to `connectWaitMs` for it, so a node that starts next to a healthy Redis
 * counts and broadcasts through it from its first request. An unreachable Redis is logged, not fatal: the
 * node starts on its own memory and joins in when Redis answers.
 */
export async function openRedis(options: OpenRedisOptions): Promise<RedisLink> {
  const { log } = options
  const timeout = options.commandTimeoutMs ?? 1000
  // Loaded only by nodes that have a Redis to talk to.
  const { Redis } = await import('ioredis')
  const commands = new Redis(options.url, connectionOptions(timeout, 'colophon'))
  // The subscriber never sends commands with a reply callers wait on; it must not time its idle socket out.
  const subscriber = new Redis(options.url, {
    ...connectionOptions(timeout, 'colophon-subscriber'),
    commandTimeout: undefined,
  })
  let closing = false
  let wasUp = false
  const report = () => {
    if (closing) return
    const up = commands.status === 'ready' && subscriber.status === 'ready'
    if (up === wasUp) return
    wasUp = up
    if (up) log.info({}, 'redis connected: counters and cache invalidation are shared with other nodes')
    else log.warn({}, 'redis unreachable: counting and caching on this node alone until it is back')
  }
  for (const client of [commands, subscriber]) {
    client.on('ready', report)
    client.on('close', report)
    // Without a listener ioredis prints every failed reconnect; the state change is logged once above.
    client.on('error', () => undefined)
    client.connect().catch(() => undefined)
  }
  const wait = options.connectWaitMs ?? 3000
  const ready = await Promise.all([waitUntilReady(commands, wait), waitUntilReady(subscriber, wait)])
  if (!ready.every(Boolean)) {
    wasUp = true
    report()
  }

  return {
    commands,
    subscriber,
    keyPrefix: options.keyPrefix,
    isUp: () => commands.status === 'ready' && subscriber.status === 'ready',
    async check() {
      if (commands.status !== 'ready' || subscriber.status !== 'ready') return 'unreachable'
      try {
        return (await commands.ping()) === 'PONG' ? 'ok' : 'unreachable'
      } catch {
        return 'unreachable'
      }
    },
    async close() {
      closing = true
      commands.disconnect()
      subscriber.disconnect()
    },
  }
}
