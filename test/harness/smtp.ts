import { createServer, type Server, type Socket } from 'node:net'
import { SMTPServer } from 'smtp-server'

/**
 * A real SMTP server on loopback (the `smtp-server` package) whose behaviour a test switches: accept
 * messages, refuse them with a temporary (451) or permanent (550) reply after DATA, or drop the
 * connection before greeting. Received messages are kept raw.
 */
export type SmtpMode = 'accept' | 'reject-temporary' | 'reject-permanent' | 'drop'

export interface TestSmtpServer {
  url: string
  /** How every connection is answered, after those queued with `failNext`. */
  mode: SmtpMode
  /** The next `count` connections are answered with `how`, then `mode` applies again. */
  failNext(count: number, how: Exclude<SmtpMode, 'accept'>): void
  /** Raw RFC 822 text of every accepted message, in order. */
  received: { to: string[]; raw: string }[]
  /** Delivery attempts that reached the server (accepted, refused or dropped). */
  attempts: number
  close(): Promise<void>
}

/** An SMTP reply with its code, as smtp-server expects a refusal. */
function smtpReply(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode })
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const sockets = new Set<Socket>()
  const upcoming: SmtpMode[] = []
  // The mode each open connection was given, by client port (the session knows its port, not its socket).
  const modeOfPort = new Map<number, SmtpMode>()
  const state: TestSmtpServer = {
    url: '',
    mode: 'accept',
    failNext(count, how) {
      for (let i = 0; i < count; i++) upcoming.push(how)
    },
    received: [],
    attempts: 0,
    close: async () => undefined,
  }
  const smtp = new SMTPServer({
    authOptional: true,
    // Plain SMTP on loopback: no certificate to trust.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 100,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        state.attempts += 1
        const mode = modeOfPort.get(session.remotePort) ?? state.mode
        if (mode === 'reject-temporary') {
          callback(smtpReply(451, 'Requested action aborted: try again later'))
        } else if (mode === 'reject-permanent') {
          callback(smtpReply(550, 'Mailbox unavailable'))
        } else {
          const to = session.envelope.rcptTo.map((r) => r.address)
          state.received.push({ to, raw: Buffer.concat(chunks).toString('utf8') })
          callback()
        }
      })
    },
  })
  // In `drop` mode the connection is closed before the server says anything.
  const front: Server = createServer((socket) => {
    sockets.add(socket)
    const mode = upcoming.shift() ?? state.mode
    const port = socket.remotePort ?? 0
    modeOfPort.set(port, mode)
    socket.on('close', () => {
      sockets.delete(socket)
      modeOfPort.delete(port)
    })
    if (mode === 'drop') {
      state.attempts += 1
      socket.destroy()
      return
    }
    smtp.server.emit('connection', socket)
  })
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve))
  const address = front.address()
  if (!address || typeof address === 'string') throw new Error('no SMTP test address')
  state.url = `smtp://127.0.0.1:${address.port}`
  state.close = async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => front.close(() => resolve()))
    await new Promise<void>((resolve) => smtp.close(() => resolve()))
  }
  return state
}
