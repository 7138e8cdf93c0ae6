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
  alreadyMember: defineError(
    'COLOPHON_RBAC_ALREADY_MEMBER',
    409,
    'This address belongs to a member of the site already: change their role instead.',
  ),
  invitationNotFound: defineError(
    'COLOPHON_RBAC_INVITATION_NOT_FOUND',
    404,
    'No pending invitation with this id on this site.',
  ),
  invitationInvalid: defineError(
    'COLOPHON_RBAC_INVITATION_INVALID',
    400,
    'This invitation link is unknown, already used, revoked or expired. Ask for a new invitation.',
  ),
  invitationPasswordRequired: defineError(
    'COLOPHON_RBAC_INVITATION_PASSWORD_REQUIRED',
    400,
    'This address has no account yet: choose a password to create one and join the site.',
  ),
  invitationAccountInactive: defineError(
    'COLOPHON_RBAC_INVITATION_ACCOUNT_INACTIVE',
    409,
    'The account of this address is suspended or deleted, so it cannot join a site. Ask a network admin.',
  ),
  // The users module owns this code; rbac declares it identically (same code, status and sentence) because
  // users imports rbac, and the reverse import would close a cycle.
  userNotFound: defineError('COLOPHON_USERS_NOT_FOUND', 404, 'No such user.'),
  // The refusal of the one outranking rule (assertOutranks). It kept the code it was published with when
  // the rule moved here from the users module, which now re-exports this factory.
  targetOutranks: defineError(
    'COLOPHON_USERS_TARGET_OUTRANKS',
    403,
    'This user holds capabilities you do not have (or owns the site): only someone who holds them all can act on their account or membership.',
  ),
}
