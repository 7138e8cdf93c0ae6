import { defineError } from '../../../platform/errors/index.ts'

/** Errors of the workflow: status changes, approvals, scheduling and the trash. */
export const WorkflowErrors = {
  transitionNotAllowed: defineError(
    'COLOPHON_CONTENT_TRANSITION_NOT_ALLOWED',
    409,
    'This entry cannot move from its current status to the one asked: see details for the allowed ones.',
  ),
  scheduleInvalid: defineError(
    'COLOPHON_CONTENT_SCHEDULE_INVALID',
    400,
    'The schedule times are invalid: see details for each field.',
  ),
  approvalsMissing: defineError(
    'COLOPHON_CONTENT_APPROVALS_MISSING',
    409,
    'Publishing this entry needs more approvals of its latest revision by other users.',
  ),
  selfApproval: defineError(
    'COLOPHON_CONTENT_SELF_APPROVAL',
    403,
    'The author of an entry cannot approve it.',
  ),
  altTextMissing: defineError(
    'COLOPHON_CONTENT_ALT_TEXT_MISSING',
    409,
    'This entry shows images without alternative text: give each one alt text (or mark it decorative in the media library) before publishing. See details.media.',
  ),
  notTrashed: defineError(
    'COLOPHON_CONTENT_NOT_TRASHED',
    409,
    'Only entries in the trash can be restored from it or purged.',
  ),
}
