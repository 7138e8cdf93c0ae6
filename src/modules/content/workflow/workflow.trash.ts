import { requireCapability, requireSite, type Ctx } from '../../../platform/access/index.ts'
import type { Tx } from '../../../platform/db/index.ts'
import { recordAudit } from '../../audit/index.ts'
import { ContentErrors } from '../content.errors.ts'
import type { EntryStatus } from '../content.model.ts'
import {
  EntriesErrors,
  applySnapshot,
  lockEntry,
  uniqueSlug,
  type EntryRow,
  loadTypeOf,
} from '../entries/index.ts'
import { WorkflowErrors } from './workflow.errors.ts'
import {
  actorOf,
  powersFor,
  recordTransition,
  workflowSiteOf,
  workflowView,
  type Followup,
  type WorkflowEntryView,
} from './workflow.publish.ts'
import { deleteEntry } from './workflow.repo.ts'
import { restoreStatus } from './workflow.rules.ts'

/**
 * The trash: an entry moved there keeps its content and remembers its status; its slug is free for
 * others at once (the slug index skips trashed entries). Restoring brings it back (see restoreStatus for
 * where it lands); purging deletes it for good, by hand or by the retention job.
 */

export interface TrashDeps {
  clock: () => Date
  queue: (ctx: Ctx, followups: readonly Followup[]) => Promise<void>
}

async function lockOwned(ctx: Ctx, tx: Tx, siteId: string, id: string): Promise<EntryRow> {
  const row = await lockEntry(tx, siteId, id)
  if (!row) throw ContentErrors.entryNotFound({ details: { id } })
  requireCapability(ctx, 'site.content.delete', { ownerId: row.authorId })
  return row
}

/** Deletes a trashed entry for good (its revisions, history and approvals go with it). */
export async function purgeEntry(
  ctx: Ctx,
  tx: Tx,
  row: EntryRow,
  reason: 'manual' | 'retention',
): Promise<void> {
  await recordAudit(ctx, tx, {
    action: 'content.entry.purge',
    target: { type: 'entry', id: row.id },
    summary: {
      slug: row.slug,
      title: row.title.slice(0, 200),
      trashedAt: row.trashedAt?.toISOString(),
      reason,
    },
  })
  await deleteEntry(tx, row.siteId, row.id)
}

export function createTrash(deps: TrashDeps) {
  return {
    /** Moves an entry to the trash (own with delete.own, any with delete.any). */
    async trash(ctx: Ctx, id: string, note?: string): Promise<WorkflowEntryView> {
      const siteRef = requireSite(ctx)
      return ctx.tx(async (tx) => {
        const row = await lockOwned(ctx, tx, siteRef.id, id)
        if (row.trashedAt !== null || row.status === 'trash') throw EntriesErrors.trashed({ details: { id } })
        const site = await workflowSiteOf(tx, siteRef.id)
        const type = await loadTypeOf(tx, row)
        const updated = await applySnapshot(tx, {
          siteId: row.siteId,
          id: row.id,
          set: { status: 'trash', statusBeforeTrash: row.status, trashedAt: deps.clock() },
        })
        await recordTransition(ctx, tx, { row, to: 'trash', actor: actorOf(ctx), action: 'trash', note })
        return workflowView(updated, type.key, site)
      })
    },

    /**
     * Brings an entry back from the trash, to its previous status where allowed (restoreStatus). A slug
     * taken meanwhile by another entry gets a suffix.
     */
    async restoreFromTrash(ctx: Ctx, id: string, note?: string): Promise<WorkflowEntryView> {
      const siteRef = requireSite(ctx)
      const now = deps.clock()
      const { view, followups } = await ctx.tx(async (tx) => {
        const row = await lockOwned(ctx, tx, siteRef.id, id)
        if (row.trashedAt === null) throw WorkflowErrors.notTrashed({ details: { id, status: row.status } })
        const site = await workflowSiteOf(tx, siteRef.id)
        const type = await loadTypeOf(tx, row)
        const slug = await uniqueSlug(tx, {
          siteId: row.siteId,
          typeId: row.typeId,
          slug: row.slug,
          excludeId: row.id,
        })
        const status = restoreStatus({
          before: (row.statusBeforeTrash as EntryStatus | null) ?? null,
          slugChanged: slug !== row.slug,
          canPublish: powersFor(ctx, row, site).canPublish,
          publishAt: row.publishAt,
          now,
        })
        const updated = await applySnapshot(tx, {
          siteId: row.siteId,
          id: row.id,
          set: {
            status,
            slug,
            trashedAt: null,
            statusBeforeTrash: null,
            ...(status === 'scheduled' ? {} : { publishAt: null }),
            ...(status === 'scheduled' || status === 'published' ? {} : { unpublishAt: null }),
          },
        })
        await recordTransition(ctx, tx, {
          row,
          to: status,
          actor: actorOf(ctx),
          action: 'restore',
          note,
          extra: slug !== row.slug ? { slug, previousSlug: row.slug } : {},
        })
        const queued: Followup[] =
          status === 'scheduled' && updated.publishAt
            ? [{ kind: 'publish', entryId: row.id, at: updated.publishAt }]
            : []
        if (updated.unpublishAt) queued.push({ kind: 'unpublish', entryId: row.id, at: updated.unpublishAt })
        return { view: workflowView(updated, type.key, site), followups: queued }
      })
      await deps.queue(ctx, followups)
      return view
    },

    /** Deletes a trashed entry for good. */
    async purge(ctx: Ctx, id: string): Promise<void> {
      const siteRef = requireSite(ctx)
      await ctx.tx(async (tx) => {
        const row = await lockOwned(ctx, tx, siteRef.id, id)
        if (row.trashedAt === null) throw WorkflowErrors.notTrashed({ details: { id, status: row.status } })
        await purgeEntry(ctx, tx, row, 'manual')
      })
    },
  }
}
