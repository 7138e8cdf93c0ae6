import { actorUserId, requireCapability, type Ctx } from '../../../platform/access/index.ts'
import { newId, type Tx } from '../../../platform/db/index.ts'
import { ContentErrors } from '../content.errors.ts'
import { isLive, type EntryStatus, type EntrySnapshot, type Visibility } from '../content.model.ts'
import { EntriesErrors } from './entries.errors.ts'
import {
  ancestorIds,
  applySnapshot,
  findEntry,
  findRevision,
  insertRevision,
  isSiteMember,
  lockEntry,
  snapshotOf,
  uniqueSlug,
  type EntryRow,
} from './entries.repo.ts'
import type { UpdateEntryInput } from './entries.schema.ts'
import { mediaIdsInRichText, renderRichText, richTextProblem, type RichTextProblem } from './rich-text.ts'
import { mediaRefsOf, syncMediaRefs } from './media-refs.ts'
import { normaliseSlug } from './slug.ts'
import { loadCompiledType, mediaIdsOf, validateEntryFields, type CompiledType } from '../types/index.ts'

/**
 * The steps every write of an entry shares (create, save, autosave, restore): checking the caller and
 * the entry, building the next snapshot, and saving it as a revision. The services compose them.
 */

/** The editable content a request may change (create, save, autosave). */
export type ContentChange = Omit<UpdateEntryInput, 'password' | 'authorId'>

/** A body checked and rendered before the transaction opens (rendering is CPU work: keep it out). */
export interface PreparedBody {
  problem?: RichTextProblem
  html?: string
  /** The media items its images name: they must be the entry's site's. */
  mediaIds?: string[]
}

export const EMPTY_SNAPSHOT: EntrySnapshot = {
  title: '',
  slug: '',
  excerpt: '',
  body: null,
  bodyHtml: '',
  fields: {},
  parentId: null,
  featuredMediaId: null,
  seo: {},
  visibility: 'public',
}
export const SLUG_ATTEMPTS = 5

export function prepareBody(body: unknown): PreparedBody {
  if (body === undefined) return {}
  const problem = richTextProblem(body)
  return problem ? { problem } : { html: renderRichText(body), mediaIds: mediaIdsInRichText(body) }
}

export async function loadTypeOf(tx: Tx, row: EntryRow): Promise<CompiledType> {
  const type = await loadCompiledType(tx, row.siteId, { id: row.typeId })
  if (!type) throw ContentErrors.typeNotFound({ details: { typeId: row.typeId } })
  return type
}

/** The entry for an edit: locked, editable by the caller (own or any), not in the trash. */
export async function lockEditableEntry(ctx: Ctx, tx: Tx, siteId: string, id: string): Promise<EntryRow> {
  const row = await lockEntry(tx, siteId, id)
  if (!row) throw ContentErrors.entryNotFound({ details: { id } })
  requireCapability(ctx, 'site.content.edit', { ownerId: row.authorId })
  if (row.trashedAt !== null || row.status === 'trash') throw EntriesErrors.trashed({ details: { id } })
  return row
}

/** The latest saved content: the head revision's snapshot (columns may hold the published one). */
export async function headSnapshot(tx: Tx, row: EntryRow): Promise<EntrySnapshot> {
  if (!row.headRevisionId) return snapshotOf(row)
  const head = await findRevision(tx, row.siteId, row.id, row.headRevisionId)
  return head ? (head.snapshot as EntrySnapshot) : snapshotOf(row)
}

export async function assertParent(
  tx: Tx,
  q: { siteId: string; type: CompiledType; parentId: string; entryId?: string },
): Promise<void> {
  const refuse = (reason: string) =>
    EntriesErrors.parentInvalid({ details: { parentId: q.parentId, reason } })
  if (!q.type.hierarchical) throw refuse('not_hierarchical')
  const parent = await findEntry(tx, q.siteId, q.parentId)
  if (!parent || parent.typeId !== q.type.id || parent.trashedAt !== null) throw refuse('not_found')
  if (q.entryId && (await ancestorIds(tx, q.siteId, q.parentId)).includes(q.entryId)) throw refuse('cycle')
}

/**
 * The next snapshot: `change` over `base`, with the custom fields validated by the type. Throws
 * COLOPHON_CONTENT_FIELDS_INVALID listing every bad field (body included) at once.
 */
export async function buildSnapshot(
  tx: Tx,
  q: {
    siteId: string
    type: CompiledType
    base: EntrySnapshot
    change: ContentChange
    body: PreparedBody
    entryId?: string
  },
): Promise<EntrySnapshot> {
  const { change, base } = q
  const problems: Record<string, unknown> = q.body.problem ? { body: q.body.problem } : {}
  let fields = base.fields
  try {
    fields = await validateEntryFields(tx, {
      siteId: q.siteId,
      type: q.type,
      values: change.fields,
      ...(q.entryId ? { existing: base.fields, entryId: q.entryId } : {}),
    })
  } catch (err) {
    if (!ContentErrors.fieldsInvalid.is(err)) throw err
    Object.assign(problems, (err.details as { fields?: object } | undefined)?.fields)
  }
  const featuredMediaId = change.featuredMediaId === undefined ? base.featuredMediaId : change.featuredMediaId
  // A featured image names a media item of the entry's own site (checked when it changes).
  if (featuredMediaId !== null && featuredMediaId !== base.featuredMediaId) {
    const id = featuredMediaId.toLowerCase()
    if (!(await mediaIdsOf(tx, q.siteId, [id])).has(id))
      problems.featuredMediaId = { code: 'reference', message: 'No such media item on this site.' }
  }
  const bodyMedia = q.body.mediaIds ?? []
  if (bodyMedia.length > 0 && !problems.body) {
    const found = await mediaIdsOf(tx, q.siteId, bodyMedia)
    const missing = bodyMedia.filter((id) => !found.has(id))
    if (missing.length > 0)
      problems.body = {
        code: 'reference',
        message: `No such media item on this site: ${missing.join(', ')}.`,
      }
  }
  if (Object.keys(problems).length > 0) throw ContentErrors.fieldsInvalid({ details: { fields: problems } })
  const parentId = change.parentId === undefined ? base.parentId : change.parentId
  if (parentId !== null && parentId !== base.parentId)
    await assertParent(tx, {
      siteId: q.siteId,
      type: q.type,
      parentId,
      ...(q.entryId ? { entryId: q.entryId } : {}),
    })
  return {
    title: change.title ?? base.title,
    slug: change.slug === undefined ? base.slug : normaliseSlug(change.slug),
    excerpt: change.excerpt ?? base.excerpt,
    body: change.body === undefined ? base.body : change.body,
    bodyHtml: q.body.html ?? base.bodyHtml,
    fields,
    parentId,
    featuredMediaId,
    seo: change.seo ?? base.seo,
    visibility: (change.visibility ?? base.visibility) as Visibility,
  }
}

export function assertPassword(visibility: Visibility, passwordHash: string | null | undefined): void {
  if (visibility === 'password' && !passwordHash)
    throw EntriesErrors.passwordRequired({
      details: {
        fields: { password: { code: 'required', message: 'Give a password for this visibility.' } },
      },
    })
}

/** Another author than the caller: needs `site.content.edit.any`, and the author must belong to the site. */
export async function assertAuthor(ctx: Ctx, tx: Tx, siteId: string, authorId: string): Promise<void> {
  requireCapability(ctx, 'site.content.edit.any')
  if (!(await isSiteMember(tx, siteId, authorId)))
    throw EntriesErrors.authorInvalid({ details: { authorId } })
}

/**
 * Writes `snapshot` to the entry's columns (with `set`), taking the next free slug when a concurrent
 * save took the requested one. Returns the row and the snapshot as written (its slug may have changed).
 */
async function applyWithFreeSlug(
  tx: Tx,
  q: { row: EntryRow; snapshot: EntrySnapshot; set: Partial<EntryRow> },
): Promise<{ row: EntryRow; snapshot: EntrySnapshot }> {
  let snapshot = q.snapshot
  for (let attempt = 1; ; attempt++) {
    try {
      const row = await applySnapshot(tx, { siteId: q.row.siteId, id: q.row.id, snapshot, set: q.set })
      return { row, snapshot }
    } catch (err) {
      if (!EntriesErrors.slugTaken.is(err) || attempt >= SLUG_ATTEMPTS) throw err
      const slug = await uniqueSlug(tx, {
        siteId: q.row.siteId,
        typeId: q.row.typeId,
        slug: q.snapshot.slug,
        excludeId: q.row.id,
      })
      snapshot = { ...snapshot, slug }
    }
  }
}

/**
 * Saves a new revision of a locked entry and moves its head there; the columns follow unless the entry
 * is live. `set` carries column changes outside the snapshot (author, password hash).
 */
export async function saveRevision(
  ctx: Ctx,
  tx: Tx,
  q: {
    row: EntryRow
    snapshot: EntrySnapshot
    kind: 'save' | 'restore'
    restoredFrom?: string
    set?: Partial<EntryRow>
    /** The entry's type: which fields name media items. */
    type: Pick<CompiledType, 'fields'>
    /** The head revision's snapshot before this save, when the caller read it already. */
    base?: EntrySnapshot
  },
): Promise<{ row: EntryRow; revisionId: string }> {
  const { row } = q
  const base = q.base ?? (await headSnapshot(tx, row))
  const revisionId = newId()
  const set = { ...q.set, headRevisionId: revisionId }
  let snapshot = q.snapshot
  if (snapshot.slug !== row.slug)
    snapshot = {
      ...snapshot,
      slug: await uniqueSlug(tx, {
        siteId: row.siteId,
        typeId: row.typeId,
        slug: snapshot.slug,
        excludeId: row.id,
      }),
    }
  let saved: EntryRow
  const live = isLive(row.status as EntryStatus)
  if (live) {
    saved = await applySnapshot(tx, { siteId: row.siteId, id: row.id, set })
  } else {
    ;({ row: saved, snapshot } = await applyWithFreeSlug(tx, { row, snapshot, set }))
  }
  // The head always takes the snapshot; the columns (what readers see) only when the entry is not live.
  await syncMediaRefs(tx, {
    siteId: row.siteId,
    entryId: row.id,
    scopes: live ? ['head'] : ['head', 'live'],
    before: live
      ? [mediaRefsOf(q.type, base)]
      : [mediaRefsOf(q.type, base), mediaRefsOf(q.type, snapshotOf(row))],
    after: mediaRefsOf(q.type, snapshot),
  })
  await insertRevision(tx, {
    id: revisionId,
    siteId: row.siteId,
    entryId: row.id,
    authorId: actorUserId(ctx.actor),
    kind: q.kind,
    snapshot,
    restoredFrom: q.restoredFrom ?? null,
  })
  return { row: saved, revisionId }
}
