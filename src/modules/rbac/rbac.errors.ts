import { defineError } from '../../platform/errors/index.ts'

export const RbacErrors = {
  escalation: defineError(
    'COLOPHON_RBAC_ESCALATION',
    403,
    'You cannot grant, define or change a role holding capabilities you do not have yourself.',
  ),
  ownRole: defineError(
    'COLOPHON_RBAC_OWN_ROLE',
    403,
    'You cannot change your own role or membership: ask someone else to.',
  ),
  roleNotFound: defineError('COLOPHON_RBAC_ROLE_NOT_FOUND', 404, 'No such role.'),
  roleBuiltin: defineError(
    'COLOPHON_RBAC_ROLE_BUILTIN',
    409,
    'Built-in roles cannot be changed or deleted; only their two-factor requirement can be set.',
  ),
  roleInUse: defineError(
    'COLOPHON_RBAC_ROLE_IN_USE',
    409,
    'This role is still held by users: give them another role first.',
  ),
  slugTaken: defineError('COLOPHON_RBAC_ROLE_SLUG_TAKEN', 409, 'A role with this slug already exists.'),
  capabilityUnknown: defineError(
    'COLOPHON_RBAC_CAPABILITY_UNKNOWN',
    400,
    'Some capabilities are not in the vocabulary (GET /api/v1/capabilities lists them).',
  ),
  scopeMismatch: defineError(
    'COLOPHON_RBAC_SCOPE_MISMATCH',
    400,
    'A site role may hold site capabilities only.',
  ),
  siteRoleRequired: defineError(
    'COLOPHON_RBAC_SITE_ROLE_REQUIRED',
    400,
    'Memberships take a site role: no site role has this slug.',
  ),
  memberNotFound: defineError(
    'COLOPHON_RBAC_MEMBER_NOT_FOUND',
    404,
    'This user is not a member of the site.',
  ),
  // The users module owns this code; rbac declares it identically (same code, status and sentence) because
  // users imports rbac, and the reverse import would close a cycle.
  userNotFound: defineError('COLOPHON_USERS_NOT_FOUND', 404, 'No such user.'),
}
