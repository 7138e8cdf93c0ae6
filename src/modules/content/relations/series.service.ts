import { requireCapability, requireSite, type Ctx } from '../../../platform/access/index.ts'
import { newId, pageOf, type Page } from '../../../platform/db/index.ts'
import { DEFAULT_PAGE_LIMIT } from '../../../platform/http/index.ts'
import { recordAudit } from '../../audit/index.ts'
import { SeriesErrors } from './relations.errors.ts'
import { existingEntryIds } from './relations.repo.ts'
import { EDITORIAL, audienceOf } from '../audience.repo.ts'
import { linkedEntryView, type LinkedEntry } from './relations.service.ts'
import {
  deleteSeries,
  findSeriesDetail,
  insertSeries,
  listSeries,
  lockSeries,
  replaceSeriesEntries,
  slugInUse,
  updateSeries,
  type SeriesDetailRow,
  type SeriesRow,
} from './series.repo.ts'
import type {
  CreateSeriesInput,
  ListSeriesInput,
  PutSeriesEntriesInput,
  UpdateSeriesInput,
} from './series.schema.ts'
import { normaliseSlug } from '../entries/index.ts'

/**
 * Series: ordered sets of entries of one site (a multi-part story, a course). Anyone may read them;
 * each caller sees only the members they may read. Holders of `site.taxonomy.manage` shape them. A series
 * only groups entries: deleting it, or taking an entry out, never touches the entries themselves.
 */

export interface SeriesView {
  id: string
  slug: string
  name: string
  description: string
  entryCount: number
  createdAt: string
  updatedAt: string
}

export interface SeriesDetailView extends SeriesView {
  entries: LinkedEntry[]
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function view(row: SeriesRow, entryCount: number): SeriesView {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    entryCount,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

function detailView(row: SeriesDetailRow): SeriesDetailView {
  return { ...view(row.series, row.entries.length), entries: row.entries.map(linkedEntryView) }
}

/** Entry ids, lower-cased, each once; a repeated one is refused rather than silently dropped. */
function checkEntryIds(entryIds: readonly string[]): string[] {
  const ids = entryIds.map((id) => id.toLowerCase())
  const repeated = ids.filter((id, i) => ids.indexOf(id) !== i)
  if (repeated.length > 0)
    throw SeriesErrors.duplicateEntry({ details: { repeated: [...new Set(repeated)] } })
  return ids
}

export type SeriesService = ReturnType<typeof createSeriesService>

export function createSeriesService() {
  async function list(ctx: Ctx, query: ListSeriesInput): Promise<Page<SeriesView>> {
    const site = requireSite(ctx)
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT
    const rows = await ctx.tx((tx) =>
      listSeries(tx, { siteId: site.id, before: query.cursor, limit: limit + 1, audience: audienceOf(ctx) }),
    )
    return pageOf(
      rows,
      limit,
      (row) => view(row.series, row.entryCount),
      (row) => row.series.id,
    )
  }

  /** By id, or by slug for readers who only know the URL. */
  async function get(ctx: Ctx, idOrSlug: string): Promise<SeriesDetailView> {
    const site = requireSite(ctx)
    const ref = UUID.test(idOrSlug) ? { id: idOrSlug.toLowerCase() } : { slug: idOrSlug }
    const row = await ctx.tx((tx) =>
      findSeriesDetail(tx, { siteId: site.id, ref, audience: audienceOf(ctx) }),
    )
    if (!row) throw SeriesErrors.notFound()
    return detailView(row)
  }

  async function create(ctx: Ctx, input: CreateSeriesInput): Promise<SeriesDetailView> {
    requireCapability(ctx, 'site.taxonomy.manage')
    const site = requireSite(ctx)
    const slug = normaliseSlug(input.slug ?? input.name)
    const row = await ctx.tx(async (tx) => {
      const inserted = await insertSeries(tx, {
        id: newId(),
        siteId: site.id,
        slug,
        name: input.name.trim(),
        description: input.description ?? '',
      })
      if (!inserted) throw SeriesErrors.slugTaken({ details: { slug } })
      await recordAudit(ctx, tx, {
        action: 'content.series.create',
        target: { type: 'series', id: inserted.id },
        summary: { slug, name: inserted.name },
      })
      return inserted
    })
    return { ...view(row, 0), entries: [] }
  }

  async function update(ctx: Ctx, id: string, input: UpdateSeriesInput): Promise<SeriesDetailView> {
    requireCapability(ctx, 'site.taxonomy.manage')
    const site = requireSite(ctx)
    const slug = input.slug === undefined ? undefined : normaliseSlug(input.slug)
    const row = await ctx.tx(async (tx) => {
      const current = await lockSeries(tx, site.id, id)
      if (!current) throw SeriesErrors.notFound()
      if (slug !== undefined && (await slugInUse(tx, site.id, slug, id)))
        throw SeriesErrors.slugTaken({ details: { slug } })
      const updated = await updateSeries(tx, site.id, id, {
        ...(input.name === undefined ? {} : { name: input.name.trim() }),
        ...(slug === undefined ? {} : { slug }),
        ...(input.description === undefined ? {} : { description: input.description }),
      })
      if (!updated) throw SeriesErrors.slugTaken({ details: { slug } })
      await recordAudit(ctx, tx, {
        action: 'content.series.update',
        target: { type: 'series', id },
        summary: {
          from: { slug: current.slug, name: current.name },
          to: { slug: updated.slug, name: updated.name },
        },
      })
      return findSeriesDetail(tx, { siteId: site.id, ref: { id }, audience: EDITORIAL })
    })
    if (!row) throw SeriesErrors.notFound()
    return detailView(row)
  }

  async function remove(ctx: Ctx, id: string): Promise<void> {
    requireCapability(ctx, 'site.taxonomy.manage')
    const site = requireSite(ctx)
    await ctx.tx(async (tx) => {
      const current = await lockSeries(tx, site.id, id)
      if (!current) throw SeriesErrors.notFound()
      await deleteSeries(tx, site.id, id)
      await recordAudit(ctx, tx, {
        action: 'content.series.delete',
        target: { type: 'series', id },
        summary: { slug: current.slug, name: current.name },
      })
    })
  }

  /** Sets the series' entries and their order as a whole (an empty list empties it). */
  async function setEntries(ctx: Ctx, id: string, input: PutSeriesEntriesInput): Promise<SeriesDetailView> {
    requireCapability(ctx, 'site.taxonomy.manage')
    const site = requireSite(ctx)
    const entryIds = checkEntryIds(input.entryIds)
    const row = await ctx.tx(async (tx) => {
      if (!(await lockSeries(tx, site.id, id))) throw SeriesErrors.notFound()
      const existing = await existingEntryIds(tx, site.id, entryIds)
      const missing = entryIds.filter((entryId) => !existing.has(entryId))
      if (missing.length > 0) throw SeriesErrors.entryNotFound({ details: { missing } })
      const removed = await replaceSeriesEntries(tx, { siteId: site.id, seriesId: id, entryIds })
      await recordAudit(ctx, tx, {
        action: 'content.series.entries',
        target: { type: 'series', id },
        summary: { removed, entryIds },
      })
      return findSeriesDetail(tx, { siteId: site.id, ref: { id }, audience: EDITORIAL })
    })
    if (!row) throw SeriesErrors.notFound()
    return detailView(row)
  }

  return { list, get, create, update, remove, setEntries }
}
