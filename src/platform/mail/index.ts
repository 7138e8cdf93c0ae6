/**
 * Mail: outgoing messages queued durably (`mail_queue`, sealed bodies) and delivered by `mail.send` jobs
 * through nodemailer (SMTP, or the capture transport into `mail_outbox`).
 */
export { createMailer, MAIL_QUEUE, resealMailBodies } from './mailer.ts'
export type { MailMessage, Mailer, MailerOptions } from './mailer.ts'
export { MailErrors } from './mail.errors.ts'
export { insertOutboxMessage, listOutboxMessages } from './outbox.repo.ts'
export type { CapturedMail, OutboxRow } from './outbox.repo.ts'
export type { MailStatus, QueuedMailRow } from './mail-queue.repo.ts'
