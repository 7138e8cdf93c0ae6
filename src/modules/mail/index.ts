/** Mail: the network admins' view of outgoing mail (the captured outbox). See README.md. */
export { mailRoutes } from './mail.routes.ts'
export type { MailRoutesOptions } from './mail.routes.ts'
export { listOutbox } from './mail.service.ts'
export type { OutboxMessageView } from './mail.service.ts'
