import { requireCapability, requireSite, type Ctx } from '../../platform/access/index.ts'
import type { Tx } from '../../platform/db/index.ts'
import { recordAudit } from '../audit/index.ts'
import { findSiteIndexing, updateSiteIndexing } from './indexing.repo.ts'
import type { IndexingViewData, PutIndexingInput } from './indexing.schema.ts'
import { SitesErrors } from './sites.errors.ts'

/**
 * Whether search engines are asked to stay away from a whole site (a staging copy, a site not launched
 * yet). Site members may read it; only network admins set it, so a site cannot lift a decision the
 * network made for it. The public side (robots.txt, sitemaps, the robots meta tag) reads the column with
 * the site (render/sitemaps).
 */
export function createIndexingService() {
  async function load(tx: Tx, siteId: string, lock = false): Promise<boolean> {
    const value = await findSiteIndexing(tx, siteId, lock)
    if (value === undefined) throw SitesErrors.notFound({ details: { site: siteId } })
    return value
  }

  return {
    async get(ctx: Ctx): Promise<IndexingViewData> {
      requireCapability(ctx, 'site.settings.read')
      const site = requireSite(ctx)
      return { discourageIndexing: await ctx.tx((tx) => load(tx, site.id)) }
    },

    /** Sets the flag; audited `sites.site.indexing` when it changes. */
    async put(ctx: Ctx, input: PutIndexingInput): Promise<IndexingViewData> {
      requireCapability(ctx, 'network.sites.manage')
      const site = requireSite(ctx)
      return ctx.tx(async (tx) => {
        const before = await load(tx, site.id, true)
        const after = input.discourageIndexing
        if (before === after) return { discourageIndexing: after }
        await updateSiteIndexing(tx, site.id, after)
        await recordAudit(ctx, tx, {
          action: 'sites.site.indexing',
          target: { type: 'site', id: site.id },
          summary: {
            slug: site.slug,
            before: { discourageIndexing: before },
            after: { discourageIndexing: after },
          },
        })
        return { discourageIndexing: after }
      })
    },
  }
}

export type IndexingService = ReturnType<typeof createIndexingService>
