import { describe, expect, it } from 'vitest'
import {
  allowedTargets,
  approvalsMissing,
  decideTransition,
  powersOf,
  restoreStatus,
  scheduleProblems,
  toLocalIso,
  type Powers,
} from './workflow.rules.ts'

const author: Powers = { canEdit: true, canPublish: false, canReview: false }
const editor: Powers = { canEdit: true, canPublish: true, canReview: true }
const now = new Date('2030-01-01T12:00:00Z')
const later = new Date('2030-01-02T12:00:00Z')
const earlier = new Date('2029-12-31T12:00:00Z')

describe('workflow transitions', () => {
  it('lets an author submit a draft for review but not publish it', () => {
    expect(decideTransition({ from: 'draft', to: 'pending', isAuthor: true, powers: author })).toEqual({
      ok: true,
      action: 'submit',
    })
    expect(decideTransition({ from: 'draft', to: 'published', isAuthor: true, powers: author })).toEqual({
      ok: false,
      reason: 'forbidden',
      action: 'publish',
      power: 'publish',
    })
  })

  it('calls sending back one’s own submission a withdrawal and someone else’s a rejection', () => {
    expect(decideTransition({ from: 'pending', to: 'draft', isAuthor: true, powers: author })).toMatchObject({
      ok: true,
      action: 'withdraw',
    })
    expect(decideTransition({ from: 'pending', to: 'draft', isAuthor: false, powers: author })).toMatchObject(
      {
        ok: false,
        action: 'reject',
        power: 'review',
      },
    )
    expect(decideTransition({ from: 'pending', to: 'draft', isAuthor: false, powers: editor })).toMatchObject(
      {
        ok: true,
        action: 'reject',
      },
    )
  })

  it('lets an editor publish, schedule, unpublish, archive and republish', () => {
    const cases = [
      ['draft', 'published', 'publish'],
      ['pending', 'scheduled', 'schedule'],
      ['scheduled', 'scheduled', 'reschedule'],
      ['scheduled', 'draft', 'unschedule'],
      ['published', 'unpublished', 'unpublish'],
      ['published', 'archived', 'archive'],
      ['published', 'published', 'republish'],
      ['unpublished', 'published', 'publish'],
    ] as const
    for (const [from, to, action] of cases)
      expect(decideTransition({ from, to, isAuthor: false, powers: editor })).toEqual({ ok: true, action })
  })

  it('refuses changes that are not transitions, whoever asks', () => {
    for (const [from, to] of [
      ['draft', 'draft'],
      ['draft', 'unpublished'],
      ['published', 'pending'],
      ['trash', 'published'],
      ['archived', 'scheduled'],
    ] as const)
      expect(decideTransition({ from, to, isAuthor: true, powers: editor })).toEqual({
        ok: false,
        reason: 'not_allowed',
      })
    expect(allowedTargets('trash')).toEqual([])
    expect(allowedTargets('published')).toContain('unpublished')
  })
})

describe('publish powers', () => {
  const base = { canEdit: true, holdsPublish: false, holdsPublishAny: false, isAuthor: true }
  it('gives an author publishing of their own entries only when the site allows it', () => {
    expect(powersOf({ ...base, authorsMayPublish: false }).canPublish).toBe(false)
    expect(powersOf({ ...base, authorsMayPublish: true }).canPublish).toBe(true)
    expect(powersOf({ ...base, isAuthor: false, authorsMayPublish: true }).canPublish).toBe(false)
    expect(powersOf({ ...base, canEdit: false, authorsMayPublish: true }).canPublish).toBe(false)
  })
  it('gives review only with publish.any', () => {
    expect(powersOf({ ...base, holdsPublish: true, authorsMayPublish: false }).canReview).toBe(false)
    expect(powersOf({ ...base, holdsPublishAny: true, authorsMayPublish: false }).canReview).toBe(true)
  })
})

describe('schedule times', () => {
  it('requires a future publishAt to schedule', () => {
    expect(
      scheduleProblems({ to: 'scheduled', publishAt: undefined, unpublishAt: undefined, now }),
    ).toMatchObject({
      publishAt: { code: 'required' },
    })
    expect(
      scheduleProblems({ to: 'scheduled', publishAt: earlier, unpublishAt: undefined, now }),
    ).toMatchObject({
      publishAt: { code: 'past' },
    })
    expect(scheduleProblems({ to: 'scheduled', publishAt: later, unpublishAt: undefined, now })).toEqual({})
  })
  it('takes unpublishAt only for published or scheduled entries, after publishAt', () => {
    expect(scheduleProblems({ to: 'published', publishAt: undefined, unpublishAt: later, now })).toEqual({})
    expect(scheduleProblems({ to: 'pending', publishAt: undefined, unpublishAt: later, now })).toMatchObject({
      unpublishAt: { code: 'not_allowed' },
    })
    expect(
      scheduleProblems({
        to: 'scheduled',
        publishAt: later,
        unpublishAt: new Date('2030-01-01T18:00:00Z'),
        now,
      }),
    ).toMatchObject({ unpublishAt: { code: 'before_publish' } })
    expect(scheduleProblems({ to: 'draft', publishAt: later, unpublishAt: undefined, now })).toMatchObject({
      publishAt: { code: 'not_allowed' },
    })
  })
})

describe('approvals and restores', () => {
  it('counts missing approvals', () => {
    expect(approvalsMissing(2, 0)).toBe(2)
    expect(approvalsMissing(2, 3)).toBe(0)
    expect(approvalsMissing(0, 0)).toBe(0)
  })

  it('restores to the previous status unless the slug moved or the caller may not publish', () => {
    const q = { slugChanged: false, canPublish: true, publishAt: null, now }
    expect(restoreStatus({ ...q, before: 'pending' })).toBe('pending')
    expect(restoreStatus({ ...q, before: 'published' })).toBe('published')
    expect(restoreStatus({ ...q, before: 'published', slugChanged: true })).toBe('draft')
    expect(restoreStatus({ ...q, before: 'published', canPublish: false })).toBe('draft')
    expect(restoreStatus({ ...q, before: 'scheduled', publishAt: later })).toBe('scheduled')
    expect(restoreStatus({ ...q, before: 'scheduled', publishAt: earlier })).toBe('draft')
    expect(restoreStatus({ ...q, before: null })).toBe('draft')
  })
})

describe('local times', () => {
  it('shows an instant in the site’s zone with its offset', () => {
    expect(toLocalIso(new Date('2030-01-01T12:00:00Z'), 'Europe/Paris')).toBe('2030-01-01T13:00:00+01:00')
    expect(toLocalIso(new Date('2030-07-01T12:00:00Z'), 'Europe/Paris')).toBe('2030-07-01T14:00:00+02:00')
    expect(toLocalIso(new Date('2030-01-01T12:00:00Z'), 'America/St_Johns')).toBe('2030-01-01T08:30:00-03:30')
    expect(toLocalIso(new Date('2030-01-01T12:00:00Z'), 'UTC')).toBe('2030-01-01T12:00:00+00:00')
    expect(toLocalIso(new Date('2030-01-01T12:00:00Z'), 'Not/AZone')).toBe('2030-01-01T12:00:00+00:00')
  })
})
