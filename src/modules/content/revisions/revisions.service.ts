import { requireCapability, requireSite, requireUser, type Ctx } from '../../../platform/access/index.ts'
import { newId, pageOf, type Page, type Tx } from '../../../platform/db/index.ts'
import { DEFAULT_PAGE_LIMIT } from '../../../platform/http/index.ts'
import { recordAudit } from '../../audit/index.ts'
import { READ_DRAFTS } from '../audience.repo.ts'
import { ContentErrors } from '../content.errors.ts'
import type { EntrySnapshot, RevisionKind } from '../content.model.ts'
import { diffSnapshots, type FieldChange } from './diff.ts'
import {
  findEntry,
  findRevision,
  snapshotOf,
  type EntryRow,
  type RevisionRow,
  type AutosaveInput,
  assertMediaRefsExist,
  assertParent,
  buildSnapshot,
  loadTypeOf,
  lockEditableEntry,
  prepareBody,
  saveRevision,
  toEntryView,
  type EntryView,
  findAutosave,
  listRevisions,
  upsertAutosave,
  renderRichText,
} from '../entries/index.ts'
import type { ListRevisionsInput } from './revisions.schema.ts'

/**
 * Revisions: the history of an entry's saves, its autosaves, field-level diffs and restores. Revisions
 * are unpublished work: only callers who read drafts (`site.content.read.drafts`) and may edit the entry
 * (own or any) see them, so no one reads in the history what the reading API would hide from them.
 */

export interface RevisionSummary {
  id: string
  entryId: string
  kind: RevisionKind
  authorId: string | null
  restoredFrom: string | null
  isHead: boolean
  isPublished: boolean
  createdAt: string
  updatedAt: string
}

export interface RevisionView extends RevisionSummary {
  snapshot: EntrySnapshot
}

export interface RevisionDiff {
  from: string
  to: string
  changes: FieldChange[]
}

function summaryOf(row: Omit<RevisionRow, 'snapshot'>, entry: EntryRow): RevisionSummary {
  return {
    id: row.id,
    entryId: row.entryId,
    kind: row.kind as RevisionKind,
    authorId: row.authorId,
    restoredFrom: row.restoredFrom,
    isHead: entry.headRevisionId === row.id,
    isPublished: entry.publishedRevisionId === row.id,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

function viewOf(row: RevisionRow, entry: EntryRow): RevisionView {
  return { ...summaryOf(row, entry), snapshot: row.snapshot as EntrySnapshot }
}

/** The entry whose revisions are asked for; the caller must read drafts and be able to edit it. */
async function readableEntry(ctx: Ctx, tx: Tx, siteId: string, id: string): Promise<EntryRow> {
  requireCapability(ctx, READ_DRAFTS)
  const entry = await findEntry(tx, siteId, id)
  if (!entry) throw ContentErrors.entryNotFound({ details: { id } })
  requireCapability(ctx, 'site.content.edit', { ownerId: entry.authorId })
  return entry
}

async function revisionOf(tx: Tx, entry: EntryRow, revisionId: string): Promise<RevisionRow> {
  const row = await findRevision(tx, entry.siteId, entry.id, revisionId)
  if (!row) throw ContentErrors.revisionNotFound({ details: { revisionId } })
  return row
}

export function createRevisionsService() {
  return {
    async list(ctx: Ctx, entryId: string, q: ListRevisionsInput): Promise<Page<RevisionSummary>> {
      const site = requireSite(ctx)
      const limit = q.limit ?? DEFAULT_PAGE_LIMIT
      return ctx.tx(async (tx) => {
        const entry = await readableEntry(ctx, tx, site.id, entryId)
        const rows = await listRevisions(tx, { siteId: site.id, entryId, before: q.cursor, limit: limit + 1 })
        return pageOf(
          rows,
          limit,
          (row) => summaryOf(row, entry),
          (row) => row.id,
        )
      })
    },

    async get(ctx: Ctx, entryId: string, revisionId: string): Promise<RevisionView> {
      const site = requireSite(ctx)
      return ctx.tx(async (tx) => {
        const entry = await readableEntry(ctx, tx, site.id, entryId)
        return viewOf(await revisionOf(tx, entry, revisionId), entry)
      })
    },

    /** What changed from revision `from` to revision `to`, field by field. */
    async diff(ctx: Ctx, entryId: string, from: string, to: string): Promise<RevisionDiff> {
      const site = requireSite(ctx)
      const [before, after] = await ctx.tx(async (tx) => {
        const entry = await readableEntry(ctx, tx, site.id, entryId)
        return [await revisionOf(tx, entry, from), await revisionOf(tx, entry, to)]
      })
      // Outside the transaction: diffing is CPU work.
      const changes = diffSnapshots(before.snapshot as EntrySnapshot, after.snapshot as EntrySnapshot)
      return { from, to, changes }
    },

    /**
     * Saves the caller's working copy as their one autosave revision of the entry (created or
     * overwritten). Never touches the entry's columns, its head or its published revision.
     */
    async autosave(ctx: Ctx, entryId: string, input: AutosaveInput): Promise<RevisionView> {
      const site = requireSite(ctx)
      const user = requireUser(ctx)
      const body = prepareBody(input.body)
      return ctx.tx(async (tx) => {
        // Locked like a save: an autosave racing a save of the same entry must not read a half-moved head.
        const entry = await lockEditableEntry(ctx, tx, site.id, entryId)
        const type = await loadTypeOf(tx, entry)
        // Successive autosaves build on each other; after a save, the newer head is the base.
        const own = await findAutosave(tx, site.id, entryId, user.userId)
        const head = entry.headRevisionId
          ? await findRevision(tx, site.id, entryId, entry.headRevisionId)
          : undefined
        const base =
          own && (!head || own.updatedAt >= head.createdAt)
            ? (own.snapshot as EntrySnapshot)
            : ((head?.snapshot as EntrySnapshot | undefined) ?? snapshotOf(entry))
        const snapshot = await buildSnapshot(tx, {
          siteId: site.id,
          type,
          base,
          change: input,
          body,
          entryId,
        })
        const saved = await upsertAutosave(tx, {
          id: newId(),
          siteId: site.id,
          entryId,
          authorId: user.userId,
          snapshot,
        })
        return viewOf(saved, entry)
      })
    },

    /** Makes an older revision the head again, as a new `restore` revision (applied unless the entry is live). */
    async restore(ctx: Ctx, entryId: string, revisionId: string): Promise<EntryView> {
      const site = requireSite(ctx)
      return ctx.tx(async (tx) => {
        const entry = await lockEditableEntry(ctx, tx, site.id, entryId)
        const type = await loadTypeOf(tx, entry)
        const source = await revisionOf(tx, entry, revisionId)
        const old = source.snapshot as EntrySnapshot
        // Rendered again: the HTML follows today's allow-list, not the one of the day it was saved.
        const snapshot: EntrySnapshot = { ...old, bodyHtml: renderRichText(old.body) }
        // The tree may have changed since: the old parent could be gone or now a descendant.
        if (old.parentId !== null && old.parentId !== entry.parentId)
          await assertParent(tx, { siteId: site.id, type, parentId: old.parentId, entryId })
        // Its images may have been removed from the library since.
        await assertMediaRefsExist(tx, site.id, type, snapshot)
        const saved = await saveRevision(ctx, tx, {
          row: entry,
          snapshot,
          type,
          kind: 'restore',
          restoredFrom: revisionId,
        })
        await recordAudit(ctx, tx, {
          action: 'content.entry.restore',
          target: { type: 'entry', id: entryId },
          summary: { restoredFrom: revisionId, revisionId: saved.revisionId },
        })
        return toEntryView(saved.row, type.key, { editorial: true })
      })
    },
  }
}

export type RevisionsService = ReturnType<typeof createRevisionsService>
