import { defineError } from '../../platform/errors/index.ts'
import { SecurityErrors } from '../../platform/security/index.ts'
import { RbacErrors } from '../rbac/index.ts'

export const UsersErrors = {
  emailTaken: defineError(
    'COLOPHON_USERS_EMAIL_TAKEN',
    409,
    'A user with this email address already exists.',
  ),
  invitationInvalid: defineError(
    'COLOPHON_USERS_INVITATION_INVALID',
    400,
    'This invitation link is unknown, already used or expired. Ask for a new invitation.',
  ),
  emailTokenInvalid: defineError(
    'COLOPHON_USERS_EMAIL_TOKEN_INVALID',
    400,
    'This confirmation link is unknown, already used or expired. Ask for the change again.',
  ),
  roleInvalid: defineError(
    'COLOPHON_USERS_ROLE_INVALID',
    400,
    'No such role for this use: a network role is granted on the network, a site role on a site.',
  ),
  // Declared with password checks in platform/security: users may not import auth.
  wrongPassword: SecurityErrors.invalidCredentials,
  notFound: defineError('COLOPHON_USERS_NOT_FOUND', 404, 'No such user.'),
  // --- Administration of users (users.admin.service.ts) ---
  self: defineError(
    'COLOPHON_USERS_SELF',
    409,
    'You cannot suspend or delete your own account; ask another administrator.',
  ),
  lastAdmin: defineError(
    'COLOPHON_USERS_LAST_ADMIN',
    409,
    'This would leave the network without an active network admin.',
  ),
  statusConflict: defineError(
    'COLOPHON_USERS_STATUS_CONFLICT',
    409,
    'The user’s status does not allow this action.',
  ),
  // The outranking rule lives in rbac (assertOutranks), with its refusal.
  targetOutranks: RbacErrors.targetOutranks,
  reassignInvalid: defineError(
    'COLOPHON_USERS_REASSIGN_INVALID',
    400,
    'Content can only be reassigned to another active user.',
  ),
}
