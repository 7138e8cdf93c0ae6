import { requireCapability, requireSite, type Ctx } from '../../platform/access/index.ts'
import type { Tx } from '../../platform/db/index.ts'
import { recordAudit } from '../audit/index.ts'
import { QuotasErrors } from './quotas.errors.ts'
import {
  findSiteQuotas,
  lockEntryQuota,
  lockMediaQuota,
  updateSiteQuotas,
  type SiteQuotaRow,
} from './quotas.repo.ts'
import type { PatchQuotasInput, QuotasViewData } from './quotas.schema.ts'
import { SitesErrors } from './sites.errors.ts'

/** The network defaults (configuration): what a site without a quota of its own gets. */
export interface QuotaDefaults {
  apiCallsPerMinute: number
  /** 0: no limit. */
  entriesQuota: number
  /** Bytes of media per site; 0: no limit. */
  mediaBytesQuota: number
}

function quotasView(row: SiteQuotaRow, defaults: QuotaDefaults): QuotasViewData {
  return {
    apiCallsPerMinute: {
      limit: row.apiCallsPerMinute ?? defaults.apiCallsPerMinute,
      isDefault: row.apiCallsPerMinute === null,
    },
    entriesQuota: { limit: row.entriesQuota ?? defaults.entriesQuota, isDefault: row.entriesQuota === null },
    mediaBytesQuota: {
      limit: row.mediaBytesQuota ?? defaults.mediaBytesQuota,
      isDefault: row.mediaBytesQuota === null,
    },
  }
}

/**
 * Per-site quotas. The API-call quota is enforced by the request gate; the entries quota is a check the
 * modules that create entries call inside their own transaction, with the count they hold.
 */
export function createQuotasService(deps: { defaults: QuotaDefaults }) {
  const { defaults } = deps

  async function load(tx: Tx, siteId: string, lock = false): Promise<SiteQuotaRow> {
    const row = await findSiteQuotas(tx, siteId, lock)
    if (!row) throw SitesErrors.notFound({ details: { site: siteId } })
    return row
  }

  return {
    async get(ctx: Ctx): Promise<QuotasViewData> {
      requireCapability(ctx, 'site.settings.read')
      const site = requireSite(ctx)
      return quotasView(await ctx.tx((tx) => load(tx, site.id)), defaults)
    },

    /** Sets or clears (null) the site's own quotas; the request gate reads them on the next call. */
    async update(ctx: Ctx, patch: PatchQuotasInput): Promise<QuotasViewData> {
      requireCapability(ctx, 'network.sites.manage')
      const site = requireSite(ctx)
      return ctx.tx(async (tx) => {
        const before = await load(tx, site.id, true)
        const after: SiteQuotaRow = {
          apiCallsPerMinute:
            patch.apiCallsPerMinute === undefined ? before.apiCallsPerMinute : patch.apiCallsPerMinute,
          entriesQuota: patch.entriesQuota === undefined ? before.entriesQuota : patch.entriesQuota,
          mediaBytesQuota:
            patch.mediaBytesQuota === undefined ? before.mediaBytesQuota : patch.mediaBytesQuota,
        }
        await updateSiteQuotas(tx, site.id, after)
        await recordAudit(ctx, tx, {
          action: 'sites.site.quotas',
          target: { type: 'site', id: site.id },
          summary: { slug: site.slug, before, after },
        })
        return quotasView(after, defaults)
      })
    },

    /**
     * Throws 403 COLOPHON_SITES_QUOTA_ENTRIES when the site of `ctx` already holds as many entries as its
     * quota allows. Call it in the transaction that creates the entry; `countEntries` is called only when
     * the site has a limit, after this transaction has taken the site's entries-quota lock, so creations
     * racing on several nodes are counted one after the other and never pass the limit together.
     */
    async assertEntryQuota(ctx: Ctx, tx: Tx, countEntries: () => Promise<number>): Promise<void> {
      const site = requireSite(ctx)
      const limit = (await load(tx, site.id)).entriesQuota ?? defaults.entriesQuota
      if (limit <= 0) return
      await lockEntryQuota(tx, site.id)
      if ((await countEntries()) >= limit) throw QuotasErrors.entries({ details: { limit } })
    },

    /** The bytes of media the site of `ctx` may hold (0: no limit). */
    async mediaBytesLimit(ctx: Ctx, tx: Tx): Promise<number> {
      const site = requireSite(ctx)
      return (await load(tx, site.id)).mediaBytesQuota ?? defaults.mediaBytesQuota
    },

    /**
     * Throws 413 COLOPHON_SITES_QUOTA_MEDIA_BYTES unless `adding` more bytes fit in the site's media quota.
     * Call it in the transaction that records the new file: `countBytes` (what the site holds) is read
     * after this transaction took the site's media-quota lock, so uploads finishing together on several
     * nodes are counted one after the other and never pass the limit together.
     */
    async assertMediaBytes(
      ctx: Ctx,
      tx: Tx,
      adding: number,
      countBytes: () => Promise<number>,
    ): Promise<void> {
      const site = requireSite(ctx)
      const limit = (await load(tx, site.id)).mediaBytesQuota ?? defaults.mediaBytesQuota
      if (limit <= 0) return
      await lockMediaQuota(tx, site.id)
      const used = await countBytes()
      if (used + adding > limit) throw QuotasErrors.mediaBytes({ details: { limit, used, adding } })
    },
  }
}

export type QuotasService = ReturnType<typeof createQuotasService>
