import { requireCapability, requireSite, type Ctx } from '../../platform/access/index.ts'
import { newId, pageOf, type Page, type Tx } from '../../platform/db/index.ts'
import { DEFAULT_PAGE_LIMIT } from '../../platform/http/index.ts'
import { recordAudit } from '../audit/index.ts'
import { RedirectsErrors } from './redirects.errors.ts'
import { normaliseFromPath, normaliseToPath, sitePathOf, type PathCheck } from './redirects.paths.ts'
import {
  deleteRedirect,
  findRedirect,
  findRedirectFrom,
  followChain,
  insertRedirect,
  listRedirects,
  lockSiteRedirects,
  retargetRedirects,
  updateRedirect,
  type RedirectRow,
} from './redirects.repo.ts'

/**
 * Manual redirects of a site's public paths (R26), managed by holders of `site.seo.manage`. Every write
 * keeps two promises: no loop (following the chain from the target never comes back to the source) and
 * flat chains (a new A→B retargets X→A to X→B, so a reader takes one hop, not two).
 */

export type RedirectStatus = 301 | 302 | 307 | 308

export interface RedirectView {
  id: string
  fromPath: string
  toPath: string
  statusCode: RedirectStatus
  isAutomatic: boolean
  entryId: string | null
  note: string
  createdAt: string
  updatedAt: string
}

export interface CreateRedirectInput {
  fromPath: string
  toPath: string
  statusCode?: RedirectStatus | undefined
  note?: string | undefined
}

export type UpdateRedirectInput = Partial<CreateRedirectInput>

export interface ListRedirectsInput {
  cursor?: string | undefined
  limit?: number | undefined
  kind?: 'automatic' | 'manual' | undefined
  search?: string | undefined
}

function view(row: RedirectRow): RedirectView {
  return {
    id: row.id,
    fromPath: row.fromPath,
    toPath: row.toPath,
    statusCode: row.statusCode as RedirectStatus,
    isAutomatic: row.isAutomatic,
    entryId: row.entryId,
    note: row.note,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

/** Both paths normalised, or one coded refusal listing every bad field. */
function checkPaths(input: { fromPath?: string | undefined; toPath?: string | undefined }): {
  fromPath?: string
  toPath?: string
} {
  const checks: Array<[string, PathCheck | undefined]> = [
    ['fromPath', input.fromPath === undefined ? undefined : normaliseFromPath(input.fromPath)],
    ['toPath', input.toPath === undefined ? undefined : normaliseToPath(input.toPath)],
  ]
  const fields: Record<string, { code: string; message: string }> = {}
  const out: Record<string, string> = {}
  for (const [key, check] of checks) {
    if (!check) continue
    if (check.ok) out[key] = check.value
    else fields[key] = { code: check.code, message: check.message }
  }
  if (Object.keys(fields).length > 0) throw RedirectsErrors.pathInvalid({ details: { fields } })
  return out
}

/** Refuses `fromPath → toPath` when following the chain from `toPath` comes back to `fromPath`. */
async function assertNoLoop(
  tx: Tx,
  q: { siteId: string; fromPath: string; toPath: string; excludeId?: string },
): Promise<void> {
  const start = sitePathOf(q.toPath)
  if (start === null) return
  const chain = [q.fromPath, q.toPath]
  if (start === q.fromPath) throw RedirectsErrors.loop({ details: { chain } })
  const targets = await followChain(tx, { siteId: q.siteId, startPath: start, excludeId: q.excludeId })
  for (const target of targets) {
    chain.push(target)
    if (sitePathOf(target) === q.fromPath) throw RedirectsErrors.loop({ details: { chain } })
  }
}

export type RedirectsService = ReturnType<typeof createRedirectsService>

export function createRedirectsService() {
  async function list(ctx: Ctx, query: ListRedirectsInput): Promise<Page<RedirectView>> {
    requireCapability(ctx, 'site.seo.manage')
    const site = requireSite(ctx)
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT
    const search = query.search?.trim()
    const rows = await ctx.tx((tx) =>
      listRedirects(tx, {
        siteId: site.id,
        before: query.cursor,
        limit: limit + 1,
        ...(query.kind ? { automatic: query.kind === 'automatic' } : {}),
        ...(search ? { search } : {}),
      }),
    )
    return pageOf(rows, limit, view, (row) => row.id)
  }

  async function get(ctx: Ctx, id: string): Promise<RedirectView> {
    requireCapability(ctx, 'site.seo.manage')
    const site = requireSite(ctx)
    const row = await ctx.tx((tx) => findRedirect(tx, site.id, id))
    if (!row) throw RedirectsErrors.notFound()
    return view(row)
  }

  async function create(ctx: Ctx, input: CreateRedirectInput): Promise<RedirectView> {
    requireCapability(ctx, 'site.seo.manage')
    const site = requireSite(ctx)
    const { fromPath, toPath } = checkPaths(input) as { fromPath: string; toPath: string }
    const row = await ctx.tx(async (tx) => {
      await lockSiteRedirects(tx, site.id)
      if (await findRedirectFrom(tx, site.id, fromPath))
        throw RedirectsErrors.fromTaken({ details: { fromPath } })
      await assertNoLoop(tx, { siteId: site.id, fromPath, toPath })
      const retargeted = await retargetRedirects(tx, {
        siteId: site.id,
        oldTarget: fromPath,
        newTarget: toPath,
      })
      const inserted = await insertRedirect(tx, {
        id: newId(),
        siteId: site.id,
        fromPath,
        toPath,
        statusCode: input.statusCode ?? 301,
        note: input.note ?? '',
      })
      if (!inserted) throw RedirectsErrors.fromTaken({ details: { fromPath } })
      await recordAudit(ctx, tx, {
        action: 'redirects.create',
        target: { type: 'redirect', id: inserted.id },
        summary: { fromPath, toPath, statusCode: inserted.statusCode, retargeted },
      })
      return inserted
    })
    return view(row)
  }

  /** Changing either path by hand makes an automatic redirect a manual one: someone now owns it. */
  async function update(ctx: Ctx, id: string, input: UpdateRedirectInput): Promise<RedirectView> {
    requireCapability(ctx, 'site.seo.manage')
    const site = requireSite(ctx)
    const paths = checkPaths(input)
    const row = await ctx.tx(async (tx) => {
      await lockSiteRedirects(tx, site.id)
      const current = await findRedirect(tx, site.id, id)
      if (!current) throw RedirectsErrors.notFound()
      const fromPath = paths.fromPath ?? current.fromPath
      const toPath = paths.toPath ?? current.toPath
      const pathsChanged = fromPath !== current.fromPath || toPath !== current.toPath
      if (fromPath !== current.fromPath && (await findRedirectFrom(tx, site.id, fromPath)))
        throw RedirectsErrors.fromTaken({ details: { fromPath } })
      let retargeted = 0
      if (pathsChanged) {
        await assertNoLoop(tx, { siteId: site.id, fromPath, toPath, excludeId: id })
        retargeted = await retargetRedirects(tx, {
          siteId: site.id,
          oldTarget: fromPath,
          newTarget: toPath,
          excludeId: id,
        })
      }
      const updated = await updateRedirect(tx, site.id, id, {
        fromPath,
        toPath,
        ...(input.statusCode === undefined ? {} : { statusCode: input.statusCode }),
        ...(input.note === undefined ? {} : { note: input.note }),
        ...(pathsChanged ? { isAutomatic: false } : {}),
      })
      await recordAudit(ctx, tx, {
        action: 'redirects.update',
        target: { type: 'redirect', id },
        summary: {
          from: { fromPath: current.fromPath, toPath: current.toPath, statusCode: current.statusCode },
          to: { fromPath, toPath, statusCode: updated.statusCode },
          retargeted,
        },
      })
      return updated
    })
    return view(row)
  }

  async function remove(ctx: Ctx, id: string): Promise<void> {
    requireCapability(ctx, 'site.seo.manage')
    const site = requireSite(ctx)
    await ctx.tx(async (tx) => {
      const current = await findRedirect(tx, site.id, id)
      if (!current) throw RedirectsErrors.notFound()
      await deleteRedirect(tx, site.id, id)
      await recordAudit(ctx, tx, {
        action: 'redirects.delete',
        target: { type: 'redirect', id },
        summary: { fromPath: current.fromPath, toPath: current.toPath, automatic: current.isAutomatic },
      })
    })
  }

  return { list, get, create, update, remove }
}
