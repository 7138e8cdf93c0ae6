/** Mail: outgoing messages through nodemailer (SMTP, or the capture transport into `mail_outbox`). */
export { createMailer } from './mailer.ts'
export type { CapturedMail, MailMessage, Mailer, MailerOptions } from './mailer.ts'
export { insertOutboxMessage, listOutboxMessages } from './outbox.repo.ts'
export type { OutboxRow } from './outbox.repo.ts'
