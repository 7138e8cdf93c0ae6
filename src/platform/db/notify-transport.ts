import pg from 'pg'

/**
 * How the broadcast (platform/redis bus.ts) travels between nodes: a channel every node hears, and a
 * heartbeat channel only this node hears. Whatever one listener receives arrives in the order the server
 * received it.
 */
export interface BusTransport {
  send(to: 'bus' | 'heartbeat', text: string): Promise<void>
  /** Starts delivering; `reconnected` runs when a lost subscription is back (messages may have been lost). */
  start(deliver: (from: 'bus' | 'heartbeat', text: string) => void, reconnected: () => void): void
  stop(): Promise<void>
}

interface TransportLog {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

/**
 * The broadcast over PostgreSQL LISTEN/NOTIFY, for nodes that share a database but no Redis. One
 * connection of its own per node (a pooled one would lose its LISTEN when handed back), outside the
 * pool, so its statements count against no request and never wait for a pooled connection.
 *
 * - Every node LISTENs on `colophon_bus` and on its own heartbeat channel; messages and heartbeats are
 *   sent with `pg_notify` on that same connection. PostgreSQL delivers notifications to a listener in
 *   commit order, so a heartbeat heard proves every earlier broadcast was heard (the bus's lease).
 * - A broken connection is replaced (after 100 ms, 200 ms … at most every 2 s, forever). Once it is
 *   LISTENing again the node forgets what it cached (`reconnected`): notifications sent meanwhile are lost.
 * - A message sent while this node's own connection is down goes through a one-off connection instead,
 *   so other nodes still hear of this node's writes.
 * - NOTIFY payloads are limited to 8000 bytes: longer messages are refused (the sender sends less).
 */
export interface PostgresBusOptions {
  /** Connection settings (the pool's `options`). */
  connection: pg.ClientConfig
}

export const BUS_CHANNEL = 'colophon_bus'
/** The largest payload PostgreSQL's NOTIFY takes is 8000 bytes; a little is kept for safety. */
export const MAX_NOTIFY_BYTES = 7900

export function postgresTransport(
  options: PostgresBusOptions & { nodeId: string; log: TransportLog },
): BusTransport {
  const heartbeatChannel = `colophon_bus_hb_${options.nodeId.replaceAll('-', '')}`
  const connection: pg.ClientConfig = {
    ...options.connection,
    application_name: 'colophon-bus',
    keepAlive: true,
  }
  let client: pg.Client | null = null
  let listening = false
  let stopped = false
  let attempts = 0
  let everListened = false
  let retry: NodeJS.Timeout | undefined
  let queue: Promise<void> = Promise.resolve()
  let deliver: (from: 'bus' | 'heartbeat', text: string) => void = () => undefined
  let reconnected: () => void = () => undefined

  function scheduleConnect(): void {
    if (stopped || retry) return
    attempts += 1
    retry = setTimeout(
      () => {
        retry = undefined
        void connect()
      },
      Math.min(attempts * 100, 2000),
    )
    retry.unref()
  }

  async function connect(): Promise<void> {
    if (stopped) return
    const next = new pg.Client(connection)
    const lost = () => {
      if (client !== next) return
      client = null
      listening = false
      next.removeAllListeners('notification')
      void next.end().catch(() => undefined)
      scheduleConnect()
    }
    next.on('error', lost)
    next.on('end', lost)
    next.on('notification', (n) => {
      if (n.channel === BUS_CHANNEL) deliver('bus', n.payload ?? '')
      else if (n.channel === heartbeatChannel) deliver('heartbeat', n.payload ?? '')
    })
    client = next
    try {
      await next.connect()
      await next.query(`LISTEN ${BUS_CHANNEL}`)
      await next.query(`LISTEN ${heartbeatChannel}`)
      if (stopped) return void (await next.end().catch(() => undefined))
      listening = true
      queue = Promise.resolve()
      attempts = 0
      if (everListened) {
        options.log.info({}, 'broadcast listener back: this node forgets what it cached')
        reconnected()
      }
      everListened = true
    } catch (err) {
      if (attempts === 0) options.log.warn({ err }, 'broadcast listener lost: retrying')
      lost()
    }
  }

  async function sendOnce(channel: string, text: string): Promise<void> {
    const once = new pg.Client({ ...connection, application_name: 'colophon-bus-send' })
    once.on('error', () => undefined)
    try {
      await once.connect()
      await once.query('SELECT pg_notify($1, $2)', [channel, text])
    } finally {
      await once.end().catch(() => undefined)
    }
  }

  return {
    async send(to, text) {
      if (Buffer.byteLength(text) > MAX_NOTIFY_BYTES) throw new Error('broadcast message too long for NOTIFY')
      const channel = to === 'bus' ? BUS_CHANNEL : heartbeatChannel
      if (client && listening) {
        // One statement at a time on the connection (pg no longer queues them for its caller).
        const on = client
        const sent = queue.then(() => on.query('SELECT pg_notify($1, $2)', [channel, text]))
        queue = sent.then(
          () => undefined,
          () => undefined,
        )
        await sent
        return
      }
      // A heartbeat proves the listener: it is sent only on that connection.
      if (to === 'bus') await sendOnce(channel, text)
      else throw new Error('broadcast listener down')
    },
    start(onDeliver, onReconnected) {
      deliver = onDeliver
      reconnected = onReconnected
      void connect()
    },
    async stop() {
      stopped = true
      clearTimeout(retry)
      const current = client
      client = null
      listening = false
      await current?.end().catch(() => undefined)
    },
  }
}
