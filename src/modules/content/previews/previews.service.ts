import {
  actorUserId,
  asSystem,
  requireCapability,
  requireSite,
  type Ctx,
  type CtxLogger,
  type SiteRef,
} from '../../../platform/access/index.ts'
import { newId, pageOf, type Orm, type Page } from '../../../platform/db/index.ts'
import { DEFAULT_PAGE_LIMIT } from '../../../platform/http/index.ts'
import { isAppError } from '../../../platform/errors/index.ts'
import { hashToken, randomToken } from '../../../platform/security/index.ts'
import { recordAudit } from '../../audit/index.ts'
import { ContentErrors } from '../content.errors.ts'
import { findEntry, headSnapshot, lockEditableEntry } from '../entries/index.ts'
import type { ReadingEntry, ReadingService } from '../reading/index.ts'
import { PreviewsErrors } from './previews.errors.ts'
import {
  findLivePreview,
  insertPreview,
  listPreviews,
  revokePreview,
  type PreviewRow,
} from './previews.repo.ts'

/**
 * Preview links: a secret address that shows an entry's latest saved content (a draft, or the unpublished
 * changes of a published entry) to whoever holds it, until it expires or is revoked. Whoever may edit the
 * entry makes, lists and revokes them. The token is shown once, when the link is made; only its hash is
 * kept. Pages served through a link are never cached and ask search engines not to index them.
 */

export const PREVIEW_DEFAULT_HOURS = 72
export const PREVIEW_MAX_HOURS = 30 * 24
/** Where a site serves previews: `/_preview/<token>` (no slug starts with `_`). */
export const PREVIEW_PATH_SEGMENT = '_preview'

export interface PreviewView {
  id: string
  entryId: string
  createdAt: string
  expiresAt: string
  revokedAt: string | null
  createdBy: string | null
}

export interface CreatedPreview extends PreviewView {
  /** The secret, shown this once. */
  token: string
  /** The link's path on the site: `/_preview/<token>`. */
  path: string
  /** The link on the site's canonical origin. */
  url: string
}

export interface PreviewsServiceDeps {
  reading: ReadingService
  /** The site's canonical origin (`https://example.org`), for the links it hands out. */
  originOf: (ctx: Ctx) => Promise<string>
}

export type PreviewsService = ReturnType<typeof createPreviewsService>

function view(row: PreviewRow): PreviewView {
  return {
    id: row.id,
    entryId: row.entryId,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdBy: row.createdBy,
  }
}

export function createPreviewsService(deps: PreviewsServiceDeps) {
  async function create(
    ctx: Ctx,
    entryId: string,
    input: { expiresInHours?: number | undefined },
  ): Promise<CreatedPreview> {
    const site = requireSite(ctx)
    const hours = input.expiresInHours ?? PREVIEW_DEFAULT_HOURS
    const token = randomToken(32)
    const row = await ctx.tx(async (tx) => {
      // Only whoever may edit the entry shares its unpublished content; not one in the trash.
      await lockEditableEntry(ctx, tx, site.id, entryId)
      const inserted = await insertPreview(tx, {
        id: newId(),
        siteId: site.id,
        entryId,
        tokenHash: hashToken(token),
        createdBy: actorUserId(ctx.actor),
        expiresAt: new Date(Date.now() + hours * 3_600_000),
      })
      await recordAudit(ctx, tx, {
        action: 'content.preview.create',
        target: { type: 'entry', id: entryId },
        summary: { previewId: inserted.id, expiresAt: inserted.expiresAt.toISOString() },
      })
      return inserted
    })
    const path = `/${PREVIEW_PATH_SEGMENT}/${token}`
    return { ...view(row), token, path, url: (await deps.originOf(ctx)) + path }
  }

  async function list(
    ctx: Ctx,
    entryId: string,
    query: { cursor?: string | undefined; limit?: number | undefined },
  ): Promise<Page<PreviewView>> {
    const site = requireSite(ctx)
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT
    const rows = await ctx.tx(async (tx) => {
      await requireEditable(ctx, tx, site.id, entryId)
      return listPreviews(tx, { siteId: site.id, entryId, before: query.cursor, limit: limit + 1 })
    })
    return pageOf(rows, limit, view, (row) => row.id)
  }

  async function revoke(ctx: Ctx, entryId: string, previewId: string): Promise<void> {
    const site = requireSite(ctx)
    await ctx.tx(async (tx) => {
      await requireEditable(ctx, tx, site.id, entryId)
      const row = await revokePreview(tx, { siteId: site.id, entryId, id: previewId })
      if (!row) throw PreviewsErrors.previewNotFound({ details: { id: previewId } })
      await recordAudit(ctx, tx, {
        action: 'content.preview.revoke',
        target: { type: 'entry', id: entryId },
        summary: { previewId },
      })
    })
  }

  /**
   * The entry a preview token opens on `site`, with its latest saved content over what readers see, or
   * undefined (no such link, revoked, expired, or the entry is in the trash). Read by the platform on the
   * link holder's behalf: the holder has no account.
   */
  async function open(
    orm: Orm,
    site: SiteRef,
    token: string,
    log: CtxLogger,
  ): Promise<{ entry: ReadingEntry; expiresAt: string } | undefined> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined
    const ctx = asSystem({ orm, reason: 'show an entry through its preview link', site, log })
    const found = await ctx.tx(async (tx) => {
      const preview = await findLivePreview(tx, { siteId: site.id, tokenHash: hashToken(token) })
      if (!preview) return undefined
      const row = await findEntry(tx, site.id, preview.entryId)
      if (!row || row.status === 'trash' || row.trashedAt !== null) return undefined
      return { preview, snapshot: await headSnapshot(tx, row) }
    })
    if (!found) return undefined
    let entry: ReadingEntry
    try {
      entry = await deps.reading.get(ctx, found.preview.entryId, {
        fields: 'id,type,slug,title,excerpt,bodyHtml,publishedAt,updatedAt,seo,visibility',
        include: 'author,terms,ancestors',
      })
    } catch (err) {
      if (isAppError(err) && err.code === ContentErrors.entryNotFound.code) return undefined
      throw err
    }
    const { snapshot } = found
    return {
      entry: {
        ...entry,
        title: snapshot.title,
        slug: snapshot.slug,
        excerpt: snapshot.excerpt,
        bodyHtml: snapshot.bodyHtml,
        seo: snapshot.seo,
      },
      expiresAt: found.preview.expiresAt.toISOString(),
    }
  }

  return { create, list, revoke, open }
}

async function requireEditable(ctx: Ctx, tx: Parameters<typeof findEntry>[0], siteId: string, id: string) {
  const row = await findEntry(tx, siteId, id)
  if (!row) throw ContentErrors.entryNotFound({ details: { id } })
  requireCapability(ctx, 'site.content.edit', { ownerId: row.authorId })
}
