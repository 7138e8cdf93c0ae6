import { defineError } from '../../platform/errors/index.ts'

export const UsersErrors = {
  emailTaken: defineError(
    'COLOPHON_USERS_EMAIL_TAKEN',
    409,
    'A user with this email address already exists.',
  ),
}
