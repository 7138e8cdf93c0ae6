import { AccessErrors, actorUserId, can, type Ctx } from '../../../platform/access/index.ts'
import { newId, type Tx } from '../../../platform/db/index.ts'
import { recordAudit } from '../../audit/index.ts'
import { recordPathChange } from '../../redirects/index.ts'
import type { EntrySnapshot, EntryStatus } from '../content.model.ts'
import {
  EntriesErrors,
  applySnapshot,
  findRevision,
  mediaRefsOf,
  syncMediaRefs,
  snapshotOf,
  uniqueSlug,
  type EntryRow,
  toEntryView,
  type EntryView,
  permalinkOf,
} from '../entries/index.ts'
import type { CompiledType } from '../types/index.ts'
import { WorkflowErrors } from './workflow.errors.ts'
import {
  ancestorSlugs,
  approvalsOf,
  findWorkflowSite,
  insertTransition,
  mediaWithoutAlt,
  publishedDescendants,
  type WorkflowSite,
} from './workflow.repo.ts'
import { approvalsMissing, powersOf, toLocalIso, type Powers } from './workflow.rules.ts'

/**
 * The mechanics shared by the workflow's calls and its jobs: recording a transition, making the head
 * revision what readers see, and the automatic redirects a changed public path needs. Capability checks
 * happen before these are called (in the service), or not at all for scheduled work the jobs re-check.
 */

/** Who made a change: the caller, or for scheduled changes the user who scheduled them. */
export interface TransitionActor {
  kind: string
  id: string | null
}

export function actorOf(ctx: Ctx): TransitionActor {
  return { kind: ctx.actor.kind, id: actorUserId(ctx.actor) }
}

/** One `entry_transitions` row and its audit entry, in the caller's transaction. */
export async function recordTransition(
  ctx: Ctx,
  tx: Tx,
  q: {
    row: EntryRow
    to: EntryStatus
    actor: TransitionActor
    action: string
    note?: string | undefined
    extra?: object
  },
): Promise<void> {
  const from = q.row.status
  await insertTransition(tx, {
    id: newId(),
    siteId: q.row.siteId,
    entryId: q.row.id,
    fromStatus: from,
    toStatus: q.to,
    actorId: q.actor.id,
    actorKind: q.actor.kind,
    revisionId: q.row.headRevisionId,
    note: q.note ?? '',
  })
  await recordAudit(ctx, tx, {
    action: 'content.entry.transition',
    target: { type: 'entry', id: q.row.id },
    summary: {
      from,
      to: q.to,
      action: q.action,
      revisionId: q.row.headRevisionId,
      // A job acts as the system; say on whose behalf.
      ...(ctx.actor.kind === 'system' && q.actor.id ? { onBehalfOf: q.actor.id } : {}),
      ...q.extra,
    },
  })
}

/** Approvals of the head revision by others than the author, and how many a publish still needs. */
export async function approvalState(tx: Tx, row: EntryRow, type: CompiledType) {
  const items = row.headRevisionId
    ? await approvalsOf(tx, {
        siteId: row.siteId,
        entryId: row.id,
        revisionId: row.headRevisionId,
        authorId: row.authorId,
      })
    : []
  return {
    required: type.approvalsRequired,
    headRevisionId: row.headRevisionId,
    items,
    approvals: items.length,
    missing: approvalsMissing(type.approvalsRequired, items.length),
  }
}

/** Throws COLOPHON_CONTENT_APPROVALS_MISSING (with the counts) unless the head has enough approvals. */
export async function assertApproved(tx: Tx, row: EntryRow, type: CompiledType): Promise<void> {
  if (type.approvalsRequired === 0) return
  const state = await approvalState(tx, row, type)
  if (state.missing > 0)
    throw WorkflowErrors.approvalsMissing({
      details: {
        required: state.required,
        approvals: state.approvals,
        missing: state.missing,
        revisionId: state.headRevisionId,
      },
    })
}

/**
 * Refuses to publish (or schedule) an entry whose head shows a picture without alternative text: the
 * media item's alt, or for an image in the body the alt its node gives, unless the item is marked
 * decorative. Costs the head's read and, when it shows media, one statement.
 */
export async function assertAltText(tx: Tx, row: EntryRow, type: CompiledType): Promise<void> {
  const head = row.headRevisionId ? await findRevision(tx, row.siteId, row.id, row.headRevisionId) : undefined
  const snapshot = head ? (head.snapshot as EntrySnapshot) : snapshotOf(row)
  const refs = mediaRefsOf(type, snapshot)
  // A body image whose node has its own alt needs none from the library, unless shown another way too.
  const needed = new Set(refs.filter((r) => r.via !== 'body' || r.alt === undefined).map((r) => r.mediaId))
  const missing = await mediaWithoutAlt(tx, row.siteId, [...needed])
  if (missing.length > 0)
    throw WorkflowErrors.altTextMissing({
      details: {
        media: missing.map((m) => ({
          id: m.id,
          title: m.title,
          via: [...new Set(refs.filter((r) => r.mediaId === m.id).map((r) => r.via))],
        })),
      },
    })
}

async function pathOf(
  tx: Tx,
  q: { row: EntryRow; snapshot: EntrySnapshot; type: CompiledType; site: WorkflowSite },
) {
  const ancestors = await ancestorSlugs(tx, q.row.siteId, q.snapshot.parentId)
  const input = {
    template: q.type.permalink,
    publishedAt: q.row.publishedAt,
    id: q.row.id,
    typeKey: q.type.key,
  }
  return {
    ancestors,
    path: permalinkOf({ ...input, slug: q.snapshot.slug, ancestors, timeZone: q.site.timezone }),
  }
}

/**
 * Automatic 301s for a published entry whose path changed, and for its published descendants whose
 * paths hang below it (hierarchical types with `{path}`).
 */
async function recordPathChanges(
  ctx: Ctx,
  tx: Tx,
  q: {
    before: EntryRow
    beforeSnapshot: EntrySnapshot
    after: EntryRow
    type: CompiledType
    site: WorkflowSite
  },
): Promise<number> {
  const old = await pathOf(tx, { row: q.before, snapshot: q.beforeSnapshot, type: q.type, site: q.site })
  const now = await pathOf(tx, { row: q.after, snapshot: snapshotOf(q.after), type: q.type, site: q.site })
  if (old.path === now.path) return 0
  await recordPathChange(ctx, tx, { fromPath: old.path, toPath: now.path, entryId: q.after.id })
  let changes = 1
  if (!q.type.hierarchical) return changes
  for (const d of await publishedDescendants(tx, q.after.siteId, q.after.id)) {
    const slug = d.between[d.between.length - 1] ?? ''
    const between = d.between.slice(0, -1)
    const base = {
      template: q.type.permalink,
      slug,
      publishedAt: d.publishedAt,
      id: d.id,
      typeKey: q.type.key,
    }
    const tz = { timeZone: q.site.timezone }
    const from = permalinkOf({
      ...base,
      ...tz,
      ancestors: [...old.ancestors, q.beforeSnapshot.slug, ...between],
    })
    const to = permalinkOf({ ...base, ...tz, ancestors: [...now.ancestors, q.after.slug, ...between] })
    if (from === to) continue
    await recordPathChange(ctx, tx, { fromPath: from, toPath: to, entryId: d.id })
    changes++
  }
  return changes
}

const SLUG_ATTEMPTS = 3

/**
 * Copies the head revision's snapshot into the entry's columns and makes it the published revision. The
 * slug is made unique again (another entry may have taken it since the save). `set` adds column changes
 * (the schedule times). Returns the updated row and the number of automatic redirects recorded.
 */
export async function publishHead(
  ctx: Ctx,
  tx: Tx,
  q: { row: EntryRow; type: CompiledType; site: WorkflowSite; now: Date; set?: Partial<EntryRow> },
): Promise<{ row: EntryRow; redirects: number }> {
  const { row } = q
  const head = row.headRevisionId ? await findRevision(tx, row.siteId, row.id, row.headRevisionId) : undefined
  let snapshot = head ? (head.snapshot as EntrySnapshot) : snapshotOf(row)
  const previous = row.publishedRevisionId
    ? await findRevision(tx, row.siteId, row.id, row.publishedRevisionId)
    : undefined
  const set: Partial<EntryRow> = {
    status: 'published',
    publishedRevisionId: row.headRevisionId,
    publishedAt: row.publishedAt ?? q.now,
    publishAt: null,
    ...q.set,
  }
  let updated: EntryRow | undefined
  for (let attempt = 1; !updated; attempt++) {
    const slug = await uniqueSlug(tx, {
      siteId: row.siteId,
      typeId: row.typeId,
      slug: snapshot.slug,
      excludeId: row.id,
    })
    snapshot = { ...snapshot, slug }
    try {
      updated = await applySnapshot(tx, { siteId: row.siteId, id: row.id, snapshot, set })
    } catch (err) {
      // A concurrent save took the slug between the read and the write: take the next free one.
      if (!EntriesErrors.slugTaken.is(err) || attempt >= SLUG_ATTEMPTS) throw err
    }
  }
  // The columns now show the head's media: readers of the published entry may fetch them.
  await syncMediaRefs(tx, {
    siteId: row.siteId,
    entryId: row.id,
    scopes: ['live'],
    before: [mediaRefsOf(q.type, snapshotOf(row))],
    after: mediaRefsOf(q.type, snapshot),
  })
  const redirects = previous
    ? await recordPathChanges(ctx, tx, {
        before: row,
        beforeSnapshot: previous.snapshot as EntrySnapshot,
        after: updated,
        type: q.type,
        site: q.site,
      })
    : 0
  return { row: updated, redirects }
}

export interface WorkflowEntryView extends EntryView {
  timezone: string
  publishAtLocal: string | null
  unpublishAtLocal: string | null
  publishedAtLocal: string | null
}

/** The editorial view of an entry with its times also in the site's time zone. */
export function workflowView(row: EntryRow, typeKey: string, site: WorkflowSite): WorkflowEntryView {
  const local = (at: Date | null) => (at ? toLocalIso(at, site.timezone) : null)
  return {
    ...toEntryView(row, typeKey, { editorial: true }),
    timezone: site.timezone,
    publishAtLocal: local(row.publishAt),
    unpublishAtLocal: local(row.unpublishAt),
    publishedAtLocal: local(row.publishedAt),
  }
}

export type ScheduledKind = 'publish' | 'unpublish'
export interface ScheduledJobData {
  entryId: string
  /** The time the job was queued for (ISO); null from the sweep: anything due now. */
  at: string | null
}

/** What the workflow queued after a commit. */
export interface Followup {
  kind: ScheduledKind
  entryId: string
  at: Date
}

export async function workflowSiteOf(tx: Tx, siteId: string): Promise<WorkflowSite> {
  const site = await findWorkflowSite(tx, siteId)
  // The gate resolved the site for this request, so this is a race with its purge.
  if (!site) throw AccessErrors.forbidden({ details: { reason: 'site_gone' } })
  return site
}

export function powersFor(ctx: Ctx, row: EntryRow, site: WorkflowSite): Powers & { isAuthor: boolean } {
  const ownerId = row.authorId
  const userId = actorUserId(ctx.actor)
  const isAuthor = userId !== null && userId === ownerId
  return {
    isAuthor,
    ...powersOf({
      canEdit: can(ctx, 'site.content.edit', { ownerId }),
      holdsPublish: can(ctx, 'site.content.publish', { ownerId }),
      holdsPublishAny: can(ctx, 'site.content.publish.any'),
      isAuthor,
      authorsMayPublish: site.authorsMayPublish,
    }),
  }
}
