import { createTransport } from 'nodemailer'
import type { CtxLogger } from '../access/index.ts'

/**
 * Outgoing mail through nodemailer. With an SMTP URL, messages go to that server. Without one
 * (development, tests, or an install not yet configured), the capture transport builds the same RFC 822
 * message and hands it to a store (the `mail_outbox` table), where network admins can read it.
 *
 * `send` queues and returns at once: a reply must not wait on a mail server, and must not take longer
 * when an account exists (password reset replies are uniform). `flush` waits for the queue (tests, shutdown).
 */

export interface MailMessage {
  to: string
  subject: string
  text: string
  html?: string
}

export interface CapturedMail {
  to: string
  subject: string
  text: string
  html: string | null
  raw: string
}

export interface Mailer {
  readonly transport: 'smtp' | 'capture'
  /** Queues a message. Failures are logged (without the message body), never thrown to the caller. */
  send(message: MailMessage): void
  /** Sends now and reports failure: for callers that must know (none in request paths). */
  sendNow(message: MailMessage): Promise<void>
  /** Resolves when every queued message has been handed to the transport. */
  flush(): Promise<void>
  close(): void
}

export interface MailerOptions {
  smtpUrl?: string | undefined
  from: string
  /** Where the capture transport keeps messages. */
  capture: (mail: CapturedMail) => Promise<void>
  log: CtxLogger
}

export function createMailer(options: MailerOptions): Mailer {
  const pending = new Set<Promise<void>>()
  const smtp = options.smtpUrl ? createTransport(options.smtpUrl, { from: options.from }) : null
  const composer = createTransport(
    { streamTransport: true, buffer: true, newline: 'unix' },
    { from: options.from },
  )

  async function sendNow(message: MailMessage): Promise<void> {
    if (smtp) {
      await smtp.sendMail(message)
      return
    }
    const info = await composer.sendMail(message)
    await options.capture({
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html ?? null,
      raw: Buffer.isBuffer(info.message) ? info.message.toString('utf8') : String(info.message),
    })
  }

  return {
    transport: smtp ? 'smtp' : 'capture',
    send(message) {
      const job = sendNow(message)
        .catch((err: unknown) => {
          // The recipient and subject help an operator; the body may hold a token and is never logged.
          options.log.error(
            { err: { message: (err as Error).message }, subject: message.subject },
            'mail not sent',
          )
        })
        .finally(() => pending.delete(job))
      pending.add(job)
    },
    sendNow,
    async flush() {
      while (pending.size > 0) await Promise.all([...pending])
    },
    close() {
      smtp?.close()
    },
  }
}
