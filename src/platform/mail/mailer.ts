import type { Transporter } from 'nodemailer'
import type { Ctx, CtxLogger } from '../access/index.ts'
import { newId, type Tx } from '../db/index.ts'
import { isAppError } from '../errors/index.ts'
import { describeError } from '../log/index.ts'
import type { JobInfo, Jobs, QueueOptions } from '../jobs/index.ts'
import { resealAll, type ResealReport, type SecretBox } from '../security/index.ts'
import { MailErrors } from './mail.errors.ts'
import {
  findQueuedMail,
  insertQueuedMail,
  listBodiesToReseal,
  markMailSent,
  recordMailFailure,
  replaceBody,
  type QueuedMailRow,
} from './mail-queue.repo.ts'
import { insertOutboxMessage } from './outbox.repo.ts'

/**
 * Outgoing mail, durable. `send` stores the message in `mail_queue` (its body sealed by the secret box:
 * it carries live links) and queues a `mail.send` job that holds only the message id, in one transaction,
 * ideally the caller's own, so a message exists exactly when the token it carries does. The job delivers
 * it through SMTP, or, without an SMTP URL (development, tests, an install not yet configured), through
 * the capture transport into `mail_outbox`, where network admins read it. A failed delivery is retried
 * with backoff by the jobs platform, then the job is dead (visible and retriable in the jobs API) and the
 * message `dead`, with the failure recorded on both. A delivered message's body is erased.
 */

export interface MailMessage {
  to: string
  subject: string
  text: string
  html?: string
}

export interface Mailer {
  readonly transport: 'smtp' | 'capture'
  /**
   * Queues a message and returns its id once it is durably stored. With `tx` (a transaction the caller
   * opened with `ctx.tx`) it commits or rolls back with the caller's own writes; without, it opens one.
   * Nothing waits on the mail server, and nothing here depends on the recipient.
   */
  send(ctx: Ctx, message: MailMessage, options?: { tx?: Tx }): Promise<string>
  /**
   * Delivers, in this process, every message that is due (and first runs the feeder queues' jobs, which
   * queue messages). Tests read the outbox after it; production leaves delivery to the job workers.
   */
  flush(): Promise<void>
  close(): void
}

export interface MailerOptions {
  jobs: Pick<Jobs, 'define' | 'sendWithin' | 'drain' | 'start'>
  box: SecretBox
  smtpUrl?: string | undefined
  from: string
  log: CtxLogger
  /** Queues whose jobs send mail (a password-reset request): `flush` runs them before the mail queue. */
  feederQueues?: readonly string[]
  /** Retry policy of `mail.send` (default: 5 retries, 30 s doubling, 2-minute attempts). Tests shorten it. */
  retry?: QueueOptions
}

export const MAIL_QUEUE = 'mail.send'

/** SMTP waits bounded well inside the job's timeout, so a hung server fails an attempt instead of a worker. */
const SMTP_TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 }
const MAX_ERROR_LENGTH = 1000

interface SealedBody {
  text: string
  html: string | null
}

const contextOf = (id: string) => `mail_queue:${id}`

/**
 * The failure in one line, through the log's describer (a database error there shows its SQLSTATE and a
 * statement label, never the parameters), with the transport's code: the SMTP server's reply is in it.
 */
function describeFailure(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  const prefix = typeof code === 'string' && !isAppError(err) ? `${code} ` : ''
  return `${prefix}${describeError(err)}`.slice(0, MAX_ERROR_LENGTH)
}

interface Transports {
  smtp: Transporter | null
  /** Composes the message without sending it, for the capture transport. */
  composer: Transporter
}

/**
 * Nodemailer is loaded on the first delivery, not at start (about 190 ms and 20 MB of every start, and
 * most nodes send mail rarely; ADR 0013).
 */
async function openTransports(options: MailerOptions): Promise<Transports> {
  const { createTransport } = await import('nodemailer')
  return {
    smtp: options.smtpUrl
      ? createTransport({ url: options.smtpUrl, ...SMTP_TIMEOUTS }, { from: options.from })
      : null,
    composer: createTransport(
      { streamTransport: true, buffer: true, newline: 'unix' },
      { from: options.from },
    ),
  }
}

export function createMailer(options: MailerOptions): Mailer {
  const { jobs, box, log } = options
  let transports: Promise<Transports> | undefined

  async function queue(tx: Tx, ctx: Ctx, message: MailMessage): Promise<string> {
    const id = newId()
    const body: SealedBody = { text: message.text, html: message.html ?? null }
    const jobId = await jobs.sendWithin(tx, ctx, MAIL_QUEUE, { messageId: id })
    await insertQueuedMail(tx, {
      id,
      toAddress: message.to,
      subject: message.subject,
      body: box.seal(JSON.stringify(body), contextOf(id)),
      jobId,
    })
    return id
  }

  /** Hands a message to the transport; the capture transport stores it in the same transaction as the outcome. */
  async function deliver(ctx: Ctx, row: QueuedMailRow, body: SealedBody): Promise<void> {
    const message = { to: row.toAddress, subject: row.subject, text: body.text, html: body.html ?? undefined }
    const { smtp, composer } = await (transports ??= openTransports(options))
    if (smtp) {
      await smtp.sendMail(message)
      await ctx.tx((tx) => markMailSent(tx, row.id))
      return
    }
    const info = await composer.sendMail(message)
    const raw = Buffer.isBuffer(info.message) ? info.message.toString('utf8') : String(info.message)
    await ctx.tx(async (tx) => {
      await insertOutboxMessage(tx, { to: row.toAddress, subject: row.subject, ...body, raw })
      await markMailSent(tx, row.id)
    })
  }

  async function handle(ctx: Ctx, data: { messageId: string }, job: JobInfo): Promise<void> {
    const row = await ctx.tx((tx) => findQueuedMail(tx, data.messageId))
    // Gone, or delivered by an earlier attempt whose job outcome was lost: nothing to send twice.
    if (!row || row.body === null) return
    try {
      const body = JSON.parse(box.open(row.body, contextOf(row.id))) as SealedBody
      await deliver(ctx, row, body)
    } catch (err) {
      const error = describeFailure(err)
      await ctx.tx((tx) => recordMailFailure(tx, row.id, { error, dead: job.isLastAttempt }))
      // The recipient and subject help an operator; the body may hold a token and is never logged.
      log.warn(
        { mailId: row.id, subject: row.subject, attempt: job.attempt, final: job.isLastAttempt, error },
        'mail not sent',
      )
      throw MailErrors.deliveryFailed({ message: error, cause: err })
    }
  }

  jobs.define<{ messageId: string }>(MAIL_QUEUE, handle, {
    retryLimit: 5,
    retryDelaySeconds: 30,
    retryBackoff: true,
    timeoutSeconds: 120,
    ...options.retry,
  })

  return {
    transport: options.smtpUrl ? 'smtp' : 'capture',
    async send(ctx, message, sendOptions = {}) {
      if (sendOptions.tx) return queue(sendOptions.tx, ctx, message)
      // Connected before the transaction opens (a no-op once started).
      await jobs.start()
      return ctx.tx((tx) => queue(tx, ctx, message))
    },
    async flush() {
      await jobs.drain([...(options.feederQueues ?? []), MAIL_QUEUE])
    },
    close() {
      void transports?.then(
        (opened) => opened.smtp?.close(),
        () => undefined,
      )
    },
  }
}

/**
 * Seals every queued body not under the current key again (a key rotation). Bodies were sealed from the
 * start, so there are no legacy clear ones; one no key opens is reported and left alone.
 */
export function resealMailBodies(ctx: Ctx, box: SecretBox): Promise<ResealReport> {
  return resealAll(box, {
    column: 'mail_queue.body',
    acceptsClear: false,
    contextOf,
    page: (after, limit, currentKeyId) =>
      ctx.tx(async (tx) =>
        (await listBodiesToReseal(tx, { currentKeyId, after, limit })).map((r) => ({
          id: r.id,
          value: r.body,
        })),
      ),
    replace: (id, from, to) => ctx.tx((tx) => replaceBody(tx, id, from, to)),
  })
}
