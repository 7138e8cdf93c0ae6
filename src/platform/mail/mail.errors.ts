import { defineError } from '../errors/index.ts'

export const MailErrors = {
  /** Recorded on a `mail.send` attempt (job and message); never an HTTP reply. */
  deliveryFailed: defineError(
    'COLOPHON_MAIL_DELIVERY_FAILED',
    502,
    'The mail server did not accept the message.',
  ),
}
