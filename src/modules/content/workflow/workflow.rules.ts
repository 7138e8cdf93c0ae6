import type { EntryStatus } from '../content.model.ts'

/**
 * The workflow's rules, pure: which status changes exist, what each one needs, how schedule times are
 * checked and where a restore from the trash lands. The service computes the caller's powers from the
 * context and the site settings, then asks these functions; nothing here reads the database.
 */

export type WorkflowAction =
  | 'submit'
  | 'withdraw'
  | 'reject'
  | 'publish'
  | 'republish'
  | 'schedule'
  | 'reschedule'
  | 'unschedule'
  | 'unpublish'
  | 'archive'
  | 'revert'

/** What an action needs: `edit` the entry (own/any), `publish` it, or `review` others' entries. */
export type Power = 'edit' | 'publish' | 'review'

/** The statuses the status call may move an entry to (`trash` goes through DELETE). */
export const TARGET_STATUSES = [
  'draft',
  'pending',
  'scheduled',
  'published',
  'unpublished',
  'archived',
] as const
export type TargetStatus = (typeof TARGET_STATUSES)[number]

type Step = WorkflowAction | 'withdrawOrReject'

/** from → to → action. Anything missing is not a transition (409). */
const TRANSITIONS: Readonly<Record<EntryStatus, Partial<Record<TargetStatus, Step>>>> = {
  draft: { pending: 'submit', scheduled: 'schedule', published: 'publish', archived: 'archive' },
  pending: { draft: 'withdrawOrReject', scheduled: 'schedule', published: 'publish', archived: 'archive' },
  scheduled: { draft: 'unschedule', scheduled: 'reschedule', published: 'publish' },
  published: { published: 'republish', unpublished: 'unpublish', archived: 'archive' },
  unpublished: {
    draft: 'revert',
    pending: 'submit',
    scheduled: 'schedule',
    published: 'publish',
    archived: 'archive',
  },
  archived: { draft: 'revert', published: 'publish' },
  trash: {},
}

const POWER_OF: Readonly<Record<WorkflowAction, Power>> = {
  submit: 'edit',
  withdraw: 'edit',
  revert: 'edit',
  reject: 'review',
  publish: 'publish',
  republish: 'publish',
  schedule: 'publish',
  reschedule: 'publish',
  unschedule: 'publish',
  unpublish: 'publish',
  archive: 'publish',
}

export interface Powers {
  canEdit: boolean
  canPublish: boolean
  canReview: boolean
}

/**
 * What the caller may do with one entry. `holdsPublish` is `site.content.publish` for this entry (own or
 * any); an author without it may still publish their own entries when the site allows authors to.
 */
export function powersOf(input: {
  canEdit: boolean
  holdsPublish: boolean
  holdsPublishAny: boolean
  isAuthor: boolean
  authorsMayPublish: boolean
}): Powers {
  return {
    canEdit: input.canEdit,
    canPublish: input.holdsPublish || (input.authorsMayPublish && input.isAuthor && input.canEdit),
    canReview: input.holdsPublishAny,
  }
}

export type TransitionDecision =
  | { ok: true; action: WorkflowAction }
  | { ok: false; reason: 'not_allowed' }
  | { ok: false; reason: 'forbidden'; action: WorkflowAction; power: Power }

/** Whether `from → to` exists and the caller has the power it needs. */
export function decideTransition(input: {
  from: EntryStatus
  to: TargetStatus
  isAuthor: boolean
  powers: Powers
}): TransitionDecision {
  const step = TRANSITIONS[input.from][input.to]
  if (!step) return { ok: false, reason: 'not_allowed' }
  // Pulling back one's own submission is a withdrawal; sending someone else's back is a rejection.
  const action: WorkflowAction = step === 'withdrawOrReject' ? (input.isAuthor ? 'withdraw' : 'reject') : step
  const power = POWER_OF[action]
  const held =
    power === 'edit'
      ? input.powers.canEdit
      : power === 'publish'
        ? input.powers.canPublish
        : input.powers.canReview
  return held ? { ok: true, action } : { ok: false, reason: 'forbidden', action, power }
}

/** The statuses `from` may move to (for error details and the admin's buttons). */
export function allowedTargets(from: EntryStatus): TargetStatus[] {
  return Object.keys(TRANSITIONS[from]) as TargetStatus[]
}

/** Actions that make the head revision what readers see. */
export function publishes(action: WorkflowAction): boolean {
  return action === 'publish' || action === 'republish'
}

export interface FieldProblem {
  code: string
  message: string
}

/**
 * Problems with the schedule times of a transition, per field (empty when fine). `publishAt` only with
 * `scheduled` (and then required, in the future); `unpublishAt` only when the entry ends up published or
 * scheduled, in the future and after `publishAt`.
 */
export function scheduleProblems(input: {
  to: TargetStatus
  publishAt: Date | undefined
  unpublishAt: Date | undefined
  now: Date
}): Record<string, FieldProblem> {
  const problems: Record<string, FieldProblem> = {}
  const { to, publishAt, unpublishAt, now } = input
  if (to === 'scheduled') {
    if (!publishAt) problems.publishAt = { code: 'required', message: 'Scheduling needs a publishAt time.' }
    else if (publishAt.getTime() <= now.getTime())
      problems.publishAt = { code: 'past', message: 'publishAt must be in the future.' }
  } else if (publishAt) {
    problems.publishAt = { code: 'not_allowed', message: 'publishAt is only given when scheduling.' }
  }
  if (unpublishAt) {
    if (to !== 'published' && to !== 'scheduled')
      problems.unpublishAt = {
        code: 'not_allowed',
        message: 'unpublishAt is only given when publishing or scheduling.',
      }
    else if (unpublishAt.getTime() <= now.getTime())
      problems.unpublishAt = { code: 'past', message: 'unpublishAt must be in the future.' }
    else if (publishAt && unpublishAt.getTime() <= publishAt.getTime())
      problems.unpublishAt = { code: 'before_publish', message: 'unpublishAt must come after publishAt.' }
  }
  return problems
}

/** How many more approvals of the head revision a publish needs (0: enough). */
export function approvalsMissing(required: number, approvals: number): number {
  return Math.max(0, required - approvals)
}

/**
 * Where an entry goes back to from the trash. Its previous status, except:
 * - a published entry whose slug had to change (another entry took it meanwhile) comes back as a draft:
 *   its old address now belongs to the other entry, so an editor should look before it goes live again;
 * - a published or scheduled entry comes back as a draft when the caller may not publish it (restoring
 *   must not be a way around the publish rule), and a scheduled one also when its time has passed.
 */
export function restoreStatus(input: {
  before: EntryStatus | null
  slugChanged: boolean
  canPublish: boolean
  publishAt: Date | null
  now: Date
}): EntryStatus {
  const { before } = input
  if (before === null || before === 'trash') return 'draft'
  if (before === 'published') return input.slugChanged || !input.canPublish ? 'draft' : 'published'
  if (before === 'scheduled') {
    const inFuture = input.publishAt !== null && input.publishAt.getTime() > input.now.getTime()
    return input.canPublish && inFuture ? 'scheduled' : 'draft'
  }
  return before
}

/** Formatters by time zone (building one costs far more than using it); null for an unknown zone. */
const wallClockFormats = new Map<string, Intl.DateTimeFormat | null>()
const MAX_FORMATS = 1000

function wallClockFormat(timeZone: string): Intl.DateTimeFormat | null {
  let format = wallClockFormats.get(timeZone)
  if (format !== undefined) return format
  try {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
  } catch {
    format = null
  }
  if (wallClockFormats.size >= MAX_FORMATS) wallClockFormats.clear()
  wallClockFormats.set(timeZone, format)
  return format
}

/**
 * `at` as local wall-clock time with its UTC offset in `timeZone` (`2025-03-01T11:00:00+01:00`): what
 * replies show beside the stored UTC instant. Unknown zones fall back to UTC.
 */
export function toLocalIso(at: Date, timeZone: string): string {
  const format = wallClockFormat(timeZone)
  if (format === null) return toLocalIso(at, 'UTC')
  const parts = format.formatToParts(at)
  const of = (type: string) => parts.find((p) => p.type === type)?.value ?? '00'
  const wall = `${of('year').padStart(4, '0')}-${of('month')}-${of('day')}T${of('hour')}:${of('minute')}:${of('second')}`
  const seconds = Math.floor(at.getTime() / 1000) * 1000
  const offsetMinutes = Math.round((Date.parse(`${wall}Z`) - seconds) / 60_000)
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
  return `${wall}${offset}`
}
