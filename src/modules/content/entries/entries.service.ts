import { actorUserId, requireCapability, requireSite, type Ctx } from '../../../platform/access/index.ts'
import { newId, type Tx } from '../../../platform/db/index.ts'
import { hashPassword } from '../../../platform/security/index.ts'
import { recordAudit } from '../../audit/index.ts'
import type { QuotasService } from '../../sites/index.ts'
import { ContentErrors } from '../content.errors.ts'
import { isLive, type EntryStatus } from '../content.model.ts'
import { EntriesErrors } from './entries.errors.ts'
import {
  countEntries,
  insertEntry,
  insertRevision,
  snapshotOf,
  uniqueSlug,
  type EntryRow,
  type NewEntry,
} from './entries.repo.ts'
import type { CreateEntryInput, UpdateEntryInput } from './entries.schema.ts'
import { toEntryView, type EntryView } from './entries.view.ts'
import {
  EMPTY_SNAPSHOT,
  SLUG_ATTEMPTS,
  assertAuthor,
  assertPassword,
  buildSnapshot,
  headSnapshot,
  loadTypeOf,
  lockEditableEntry,
  prepareBody,
  saveRevision,
} from './entries.write.ts'
import { mediaRefsOf, syncMediaRefs } from './media-refs.ts'
import { deleteAutosave } from './revisions.repo.ts'
import { normaliseSlug } from './slug.ts'
import { loadCompiledType } from '../types/index.ts'

/**
 * Entries: create and save. Every save writes a revision (a full snapshot) and moves the entry's head to
 * it. While an entry is live, saves leave its columns (what readers see) alone: the change waits in the
 * head revision until the workflow publishes it. Otherwise the snapshot is written to the columns too.
 */

/** Shared with the workflow (it imported it from here first). */
export { loadTypeOf } from './entries.write.ts'

export interface EntriesServiceDeps {
  quotas: Pick<QuotasService, 'assertEntryQuota'>
}

async function insertWithFreeSlug(tx: Tx, row: NewEntry): Promise<EntryRow> {
  for (let attempt = 1; ; attempt++) {
    const slug = await uniqueSlug(tx, { siteId: row.siteId, typeId: row.typeId, slug: row.slug })
    const inserted = await insertEntry(tx, { ...row, slug })
    if (inserted) return inserted
    // Lost a race on entries_slug_key: the winner is committed now, so the next read skips its slug.
    if (attempt >= SLUG_ATTEMPTS) throw EntriesErrors.slugTaken({ details: { slug: row.slug } })
  }
}

export function createEntriesService(deps: EntriesServiceDeps) {
  return {
    /** Creates a draft entry of any type with its first revision. */
    async create(ctx: Ctx, input: CreateEntryInput): Promise<EntryView> {
      requireCapability(ctx, 'site.content.create')
      const site = requireSite(ctx)
      const userId = actorUserId(ctx.actor)
      const body = prepareBody(input.body)
      const passwordHash = input.password ? await hashPassword(input.password) : null
      return ctx.tx(async (tx) => {
        const type = await loadCompiledType(tx, site.id, { key: input.type })
        if (!type) throw ContentErrors.typeNotFound({ details: { type: input.type } })
        await deps.quotas.assertEntryQuota(ctx, tx, () => countEntries(tx, site.id))
        const authorId = input.authorId ?? userId
        if (authorId !== userId && authorId !== null) await assertAuthor(ctx, tx, site.id, authorId)
        const base = { ...EMPTY_SNAPSHOT, slug: normaliseSlug(input.slug ?? input.title) }
        const change = { ...input, slug: undefined }
        const snapshot = await buildSnapshot(tx, { siteId: site.id, type, base, change, body })
        assertPassword(snapshot.visibility, passwordHash)
        const id = newId()
        const revisionId = newId()
        const row = await insertWithFreeSlug(tx, {
          ...blankRow(),
          ...snapshot,
          id,
          siteId: site.id,
          typeId: type.id,
          status: 'draft',
          authorId,
          passwordHash,
          headRevisionId: revisionId,
        })
        await insertRevision(tx, {
          id: revisionId,
          siteId: site.id,
          entryId: id,
          authorId: userId,
          kind: 'save',
          snapshot: snapshotOf(row),
        })
        await syncMediaRefs(tx, {
          siteId: site.id,
          entryId: id,
          scopes: ['head', 'live'],
          before: [[]],
          after: mediaRefsOf(type, snapshot),
        })
        await recordAudit(ctx, tx, {
          action: 'content.entry.create',
          target: { type: 'entry', id },
          summary: { type: type.key, slug: row.slug, title: row.title.slice(0, 200), revisionId },
        })
        return toEntryView(row, type.key, { editorial: true })
      })
    },

    /**
     * Saves changes as a new revision (the head). A live entry keeps showing its published columns;
     * author and password changes apply at once (they are settings of the entry, not its content).
     */
    async update(ctx: Ctx, id: string, input: UpdateEntryInput): Promise<EntryView> {
      const site = requireSite(ctx)
      const body = prepareBody(input.body)
      const passwordHash = input.password ? await hashPassword(input.password) : undefined
      return ctx.tx(async (tx) => {
        const row = await lockEditableEntry(ctx, tx, site.id, id)
        const type = await loadTypeOf(tx, row)
        const set: Partial<EntryRow> = {}
        if (input.authorId !== undefined && input.authorId !== row.authorId) {
          await assertAuthor(ctx, tx, site.id, input.authorId)
          set.authorId = input.authorId
        }
        if (passwordHash) set.passwordHash = passwordHash
        const base = await headSnapshot(tx, row)
        const snapshot = await buildSnapshot(tx, {
          siteId: site.id,
          type,
          base,
          change: input,
          body,
          entryId: id,
        })
        assertPassword(snapshot.visibility, passwordHash ?? row.passwordHash)
        const saved = await saveRevision(ctx, tx, { row, snapshot, kind: 'save', set, type, base })
        const userId = actorUserId(ctx.actor)
        if (userId) await deleteAutosave(tx, site.id, id, userId)
        await recordAudit(ctx, tx, {
          action: 'content.entry.update',
          target: { type: 'entry', id },
          summary: {
            revisionId: saved.revisionId,
            changed: Object.keys(input).filter((k) => k !== 'password'),
            ...(passwordHash ? { passwordChanged: true } : {}),
            live: isLive(row.status as EntryStatus),
          },
        })
        return toEntryView(saved.row, type.key, { editorial: true })
      })
    },
  }
}

export type EntriesService = ReturnType<typeof createEntriesService>

/** Column defaults for an insert (the database has the same; spelled out so the row type is complete). */
function blankRow(): Omit<NewEntry, 'id' | 'siteId' | 'typeId' | 'slug'> {
  return {
    status: 'draft',
    title: '',
    excerpt: '',
    body: null,
    bodyHtml: '',
    fields: {},
    authorId: null,
    parentId: null,
    featuredMediaId: null,
    seo: {},
    visibility: 'public',
    passwordHash: null,
    publishedRevisionId: null,
    headRevisionId: null,
    publishAt: null,
    unpublishAt: null,
    publishedAt: null,
    trashedAt: null,
    statusBeforeTrash: null,
  }
}
