import { requireCapability, requireSite, type Ctx } from '../../../platform/access/index.ts'
import { newId } from '../../../platform/db/index.ts'
import { recordAudit } from '../../audit/index.ts'
import { EDITORIAL, audienceOf } from '../audience.repo.ts'
import { ContentErrors } from '../content.errors.ts'
import { RelationsErrors } from './relations.errors.ts'
import {
  existingEntryIds,
  lockEntryAuthor,
  readRelations,
  replaceOutgoingRelations,
  type LinkedEntryRow,
  type RelationRow,
} from './relations.repo.ts'
import type { PutRelationsInput } from './relations.schema.ts'

/**
 * Relations: typed, ordered links from one entry to others of the same site (`related`, `translation-of`,
 * anything matching the kind pattern). An entry's author (or an editor) replaces its outgoing relations
 * as a whole; anyone may read them, seeing at both ends only entries they may read (audience.repo.ts).
 */

export interface LinkedEntry {
  id: string
  type: string
  slug: string
  title: string
  status: string
  publishedAt: string | null
}

export interface RelationView {
  kind: string
  position: number
  entry: LinkedEntry
}

export interface EntryRelationsView {
  outgoing: RelationView[]
  incoming: RelationView[]
}

/** JSON timestamps carry the session's offset and microseconds; the API speaks ISO 8601 in UTC. */
export function linkedEntryView(row: LinkedEntryRow): LinkedEntry {
  return { ...row, publishedAt: row.publishedAt === null ? null : new Date(row.publishedAt).toISOString() }
}

const relationView = (row: RelationRow): RelationView => ({
  kind: row.kind,
  position: row.position,
  entry: linkedEntryView(row.entry),
})

/** Refuses self relations and repeated (kind, entry) pairs before touching the database. */
function checkRelations(entryId: string, relations: PutRelationsInput['relations']): void {
  const seen = new Set<string>()
  const repeated: Array<{ kind: string; entryId: string }> = []
  for (const r of relations) {
    const target = r.entryId.toLowerCase()
    if (target === entryId.toLowerCase()) throw RelationsErrors.relationSelf({ details: { entryId } })
    const key = `${r.kind} ${target}`
    if (seen.has(key)) repeated.push(r)
    seen.add(key)
  }
  if (repeated.length > 0) throw RelationsErrors.relationDuplicate({ details: { repeated } })
}

export type RelationsService = ReturnType<typeof createRelationsService>

export function createRelationsService() {
  async function get(ctx: Ctx, entryId: string): Promise<EntryRelationsView> {
    const site = requireSite(ctx)
    const audience = audienceOf(ctx)
    const found = await ctx.tx((tx) => readRelations(tx, { siteId: site.id, entryId, audience }))
    if (!found) throw ContentErrors.entryNotFound()
    return { outgoing: found.outgoing.map(relationView), incoming: found.incoming.map(relationView) }
  }

  /** Replaces the entry's outgoing relations, in the given order, in one transaction. */
  async function replace(ctx: Ctx, entryId: string, input: PutRelationsInput): Promise<EntryRelationsView> {
    const site = requireSite(ctx)
    checkRelations(entryId, input.relations)
    const found = await ctx.tx(async (tx) => {
      const entry = await lockEntryAuthor(tx, site.id, entryId)
      if (!entry) throw ContentErrors.entryNotFound()
      requireCapability(ctx, 'site.content.edit', { ownerId: entry.authorId })
      const targets = [...new Set(input.relations.map((r) => r.entryId.toLowerCase()))]
      const existing = await existingEntryIds(tx, site.id, targets)
      const missing = targets.filter((id) => !existing.has(id))
      if (missing.length > 0) throw RelationsErrors.relationTargetNotFound({ details: { missing } })
      const relations = input.relations.map((r) => ({ kind: r.kind, entryId: r.entryId.toLowerCase() }))
      const removed = await replaceOutgoingRelations(tx, {
        siteId: site.id,
        fromEntryId: entryId,
        ids: relations.map(() => newId()),
        relations,
      })
      await recordAudit(ctx, tx, {
        action: 'content.entry.relations',
        target: { type: 'entry', id: entryId },
        summary: { removed, relations },
      })
      return readRelations(tx, { siteId: site.id, entryId, audience: EDITORIAL })
    })
    if (!found) throw ContentErrors.entryNotFound()
    return { outgoing: found.outgoing.map(relationView), incoming: found.incoming.map(relationView) }
  }

  return { get, replace }
}
