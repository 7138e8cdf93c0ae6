import { randomUUID } from 'node:crypto'
import { postgresTransport, type BusTransport, type PostgresBusOptions } from '../db/index.ts'
import type { RedisLink, RedisLog } from './redis.ts'

/**
 * The broadcast: short messages by topic ("this site's replies are stale") delivered to every node. The
 * publishing node's own subscribers get a message at once, in process; other nodes get it through Redis
 * pub/sub on `<prefix>bus`, or, without Redis on PostgreSQL, through LISTEN/NOTIFY on the database every
 * node shares (platform/db notify-transport.ts). With neither (PGlite: one process) the bus is in-process only.
 *
 * Both transports deliver at most once: a message sent while a node's subscription is down is lost for
 * that node. So each node also knows whether it can trust what it has heard: it publishes a heartbeat to
 * itself every `heartbeatMs` on its own channel, and since Redis hands one subscriber its messages in the
 * order it received them, hearing a heartbeat sent at time T proves every broadcast that reached Redis
 * before T has been heard. `isCurrent()` is true while the last heartbeat heard was sent less than
 * `leaseMs` ago; a node that is not current must not serve what a lost message could have invalidated.
 * When it hears a heartbeat again after a gap, `onMissed` handlers run first (forget everything).
 */
export interface Bus {
  /**
   * Delivers `message` to this node's subscribers of `topic` at once, then to every other node. Resolves
   * once Redis took it (or failed to: a failure is logged and counted, never thrown).
   */
  publish(topic: string, message?: string): Promise<void>
  /** `handler` receives the message, or undefined for a message-less publish. */
  subscribe(topic: string, handler: (message: string | undefined) => void): void
  /** Runs when this node may have missed broadcasts (its subscription was down). */
  onMissed(handler: () => void): void
  /** This node has heard every broadcast that reached the server more than `leaseMs` ago. Always true in process. */
  isCurrent(): boolean
  /** Whether messages travel to other nodes (a Redis link, or PostgreSQL LISTEN/NOTIFY). */
  readonly shared: boolean
  /** The bound `isCurrent` holds this node to, in milliseconds. */
  readonly leaseMs: number
  /** Publishes that did not reach Redis or PostgreSQL (for /metrics). */
  readonly publishFailures: number
  /** Stops the heartbeat and unsubscribes. */
  close(): Promise<void>
}

export interface BusOptions {
  redis: RedisLink | null
  /**
   * Without Redis, on PostgreSQL: the broadcast travels by LISTEN/NOTIFY on a connection of its own,
   * opened with these settings (the pool's). Ignored when `redis` is set.
   */
  postgres?: PostgresBusOptions | null
  log: RedisLog
  /** How stale this node may be before it stops trusting its caches (default 1000 ms). */
  leaseMs?: number
  /** How often the node checks its subscription (default 200 ms). */
  heartbeatMs?: number
  now?: () => number
}

interface Envelope {
  from: string
  topic: string
  message?: string
}

/** Handlers by topic and for missed messages; a failing handler is logged, never passed on. */
function handlerRegistry(log: RedisLog) {
  const byTopic = new Map<string, ((message: string | undefined) => void)[]>()
  const missed: (() => void)[] = []
  const run = (fn: () => void, topic?: string) => {
    try {
      fn()
    } catch (err) {
      log.warn({ err, topic }, 'broadcast handler failed')
    }
  }
  return {
    subscribe(topic: string, handler: (message: string | undefined) => void): void {
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), handler])
    },
    onMissed(handler: () => void): void {
      missed.push(handler)
    },
    deliver(topic: string, message: string | undefined): void {
      for (const handler of byTopic.get(topic) ?? []) run(() => handler(message), topic)
    },
    missed(): void {
      for (const handler of missed) run(handler)
    },
  }
}

export function createBus(options: BusOptions): Bus {
  const leaseMs = options.leaseMs ?? 1000
  const handlers = handlerRegistry(options.log)
  const { subscribe, onMissed } = handlers
  const nodeId = randomUUID()
  const transport = options.redis
    ? redisTransport(options.redis, nodeId)
    : options.postgres
      ? postgresTransport({ ...options.postgres, nodeId, log: options.log })
      : null
  if (!transport) {
    return {
      subscribe,
      onMissed,
      shared: false,
      leaseMs,
      publishFailures: 0,
      async publish(topic, message) {
        handlers.deliver(topic, message)
      },
      isCurrent: () => true,
      async close() {},
    }
  }
  return sharedBus(options, transport, nodeId, handlers, leaseMs)
}

function redisTransport(redis: RedisLink, nodeId: string): BusTransport {
  const channel = `${redis.keyPrefix}bus`
  const heartbeatChannel = `${redis.keyPrefix}bus:heartbeat:${nodeId}`
  let onMessage: (from: string, text: string) => void = () => undefined
  // On every (re)connection: a subscription asked for while Redis was down was refused, not queued.
  const subscribe = () => void redis.subscriber.subscribe(channel, heartbeatChannel).catch(() => undefined)
  return {
    async send(to, text) {
      await redis.commands.publish(to === 'bus' ? channel : heartbeatChannel, text)
    },
    start(deliver) {
      onMessage = (from, text) => {
        if (from === heartbeatChannel) deliver('heartbeat', text)
        else if (from === channel) deliver('bus', text)
      }
      redis.subscriber.on('message', onMessage)
      redis.subscriber.on('ready', subscribe)
      if (redis.subscriber.status === 'ready') subscribe()
    },
    async stop() {
      redis.subscriber.off('ready', subscribe)
      redis.subscriber.off('message', onMessage)
      await redis.subscriber.unsubscribe(channel, heartbeatChannel).catch(() => undefined)
    },
  }
}

function sharedBus(
  options: BusOptions,
  transport: BusTransport,
  nodeId: string,
  handlers: ReturnType<typeof handlerRegistry>,
  leaseMs: number,
): Bus {
  const now = options.now ?? (() => performance.now())
  // When the newest heartbeat this node heard was sent (this process's clock).
  let heardSentAt = -Infinity
  let publishFailures = 0
  let warnedAt = -Infinity
  const isCurrent = () => now() - heardSentAt < leaseMs

  function onHeartbeat(sentAt: number): void {
    const wasCurrent = isCurrent()
    heardSentAt = Math.max(heardSentAt, sentAt)
    // Back after a gap (or the first heartbeat): what was heard before the gap may be out of date.
    if (!wasCurrent && isCurrent()) handlers.missed()
  }

  transport.start(
    (from, text) => {
      if (from === 'heartbeat') return onHeartbeat(Number(text))
      let envelope: Envelope
      try {
        envelope = JSON.parse(text) as Envelope
      } catch {
        return
      }
      // This node delivered its own messages when it sent them.
      if (envelope.from !== nodeId && typeof envelope.topic === 'string')
        handlers.deliver(envelope.topic, envelope.message)
    },
    () => handlers.missed(),
  )
  const timer = setInterval(() => {
    transport.send('heartbeat', String(now())).catch(() => undefined)
  }, options.heartbeatMs ?? 200)
  timer.unref()

  return {
    subscribe: handlers.subscribe,
    onMissed: handlers.onMissed,
    shared: true,
    leaseMs,
    get publishFailures() {
      return publishFailures
    },
    isCurrent,
    async publish(topic, message) {
      handlers.deliver(topic, message)
      const envelope: Envelope = { from: nodeId, topic, ...(message === undefined ? {} : { message }) }
      try {
        await transport.send('bus', JSON.stringify(envelope))
      } catch (err) {
        publishFailures += 1
        if (now() - warnedAt >= 60_000) {
          warnedAt = now()
          options.log.warn(
            { err, topic },
            'broadcast not sent: other nodes catch up when their caches expire',
          )
        }
      }
    },
    async close() {
      clearInterval(timer)
      await transport.stop()
    },
  }
}
