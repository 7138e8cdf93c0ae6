import {
  AccessErrors,
  can,
  requireCapability,
  requireSite,
  requireUser,
  type Ctx,
} from '../../platform/access/index.ts'
import { newId, pageOf, type Page, type Tx } from '../../platform/db/index.ts'
import { DEFAULT_PAGE_LIMIT } from '../../platform/http/index.ts'
import { recordAudit } from '../audit/index.ts'
import { SitesErrors } from './sites.errors.ts'
import {
  findSiteRow,
  insertMember,
  insertPrimarySubdomain,
  insertSite,
  insertSiteIfSlugFree,
  isLiveMember,
  listSiteRows,
  purgeSiteRows,
  updateSite,
  type SiteListRow,
} from './sites.repo.ts'
import { readMediaSettings, readSiteSettings, robotsTxtIssue } from './settings.rules.ts'
import { readSeoSettings, seoSettingsIssue } from './seo-settings.rules.ts'
import type { CreateSiteInput, ListSitesInput, PatchSettingsInput, SettingsViewData } from './sites.schema.ts'

export interface SiteSummary {
  id: string
  name: string
  slug: string
  isMain: boolean
}

/**
 * Turns a display name into a slug: lower-case ASCII letters, digits and single hyphens, at most 63
 * characters (one DNS label, since a slug can become a subdomain). Accents are folded ("Café" → "cafe").
 */
export function slugFromName(name: string, fallback = 'main'): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '')
  return slug || fallback
}

/** Creates the main site (the one on the network's root domain) inside the caller's transaction. */
export async function createMainSite(tx: Tx, input: { name: string; ownerId: string }): Promise<SiteSummary> {
  const row = await insertSite(tx, {
    id: newId(),
    name: input.name.trim(),
    slug: slugFromName(input.name),
    isMain: true,
    ownerId: input.ownerId,
  })
  return { id: row.id, name: row.name, slug: row.slug, isMain: row.isMain }
}

/** Names the network keeps for its own hosts and paths: no site may take them as a slug. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'www',
  'admin',
  'api',
  'mail',
  'ftp',
  'static',
  'assets',
  'media',
  'cdn',
  'root',
  'network',
  'status',
  'app',
  'dashboard',
  'help',
  'support',
  'docs',
  'localhost',
])

const GRACE_MS = 30 * 24 * 60 * 60 * 1000

export interface SiteView {
  id: string
  name: string
  slug: string
  status: 'active' | 'disabled' | 'archived' | 'deleted'
  isMain: boolean
  ownerId: string | null
  tagline: string
  locale: string
  timezone: string
  primaryHost: string | null
  role: string | null
  createdAt: string
  updatedAt: string
  deletedAt: string | null
  purgeAfter: string | null
}

function siteView(row: SiteListRow): SiteView {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    status: row.status as SiteView['status'],
    isMain: row.isMain,
    ownerId: row.ownerId,
    tagline: row.tagline,
    locale: row.locale,
    timezone: row.timezone,
    primaryHost: row.primaryHost,
    role: row.role,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    deletedAt: row.deletedAt?.toISOString() ?? null,
    purgeAfter: row.purgeAfter?.toISOString() ?? null,
  }
}

function settingsView(row: SiteListRow): SettingsViewData {
  return {
    name: row.name,
    tagline: row.tagline,
    locale: row.locale,
    timezone: row.timezone,
    settings: readSiteSettings(row.settings),
  }
}

function assertTimezone(timezone: string): string {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: timezone }).resolvedOptions().timeZone
  } catch {
    throw SitesErrors.timezoneUnknown({ details: { timezone } })
  }
}

function canonicalLocale(locale: string): string {
  try {
    const [canonical] = Intl.getCanonicalLocales(locale)
    if (canonical) return canonical
  } catch {
    // Falls through to the coded error: Intl throws a RangeError for malformed tags.
  }
  throw SitesErrors.localeInvalid({ details: { locale } })
}

export interface SitesServiceDeps {
  /** The network's root host: a new site answers on `<slug>.<rootDomain>`. */
  rootDomain: string
  now?: () => Date
  /** Called after a change that host routing caches (a new site, a status change, a deletion). */
  onChange?: () => void
}

type Transition = 'disable' | 'enable' | 'archive' | 'unarchive'

/** Where each lifecycle step may start from, and where it leads. Deleted sites never reach here. */
const TRANSITIONS: Record<Transition, { from: readonly string[]; to: string }> = {
  disable: { from: ['active', 'archived'], to: 'disabled' },
  enable: { from: ['disabled'], to: 'active' },
  archive: { from: ['active', 'disabled'], to: 'archived' },
  unarchive: { from: ['archived'], to: 'active' },
}

/** The sites API: listing, creation, settings and the lifecycle; every function checks its own access. */
export function createSitesService(deps: SitesServiceDeps) {
  const now = deps.now ?? (() => new Date())

  async function loadSite(tx: Tx, id: string, lock = false): Promise<SiteListRow> {
    const row = await findSiteRow(tx, id, { lock })
    if (!row || row.status === 'deleted') throw SitesErrors.notFound({ details: { site: id } })
    return row
  }

  /** Runs `fn`, then tells host routing that what it caches may have changed. */
  async function changing<T>(fn: () => Promise<T>): Promise<T> {
    const result = await fn()
    deps.onChange?.()
    return result
  }

  async function changeStatus(ctx: Ctx, step: Transition): Promise<SiteView> {
    requireCapability(ctx, 'network.sites.manage')
    const site = requireSite(ctx)
    return changing(() =>
      ctx.tx(async (tx) => {
        const row = await loadSite(tx, site.id, true)
        const { from, to } = TRANSITIONS[step]
        if (row.isMain && to !== 'active') throw SitesErrors.mainSite({ details: { site: row.slug } })
        if (row.status === to) return siteView(row)
        if (!from.includes(row.status))
          throw SitesErrors.statusConflict({ details: { status: row.status, operation: step } })
        await updateSite(tx, row.id, { status: to })
        await recordAudit(ctx, tx, {
          action: `sites.site.${step}`,
          target: { type: 'site', id: row.id },
          summary: { slug: row.slug, before: row.status, after: to },
        })
        return siteView(await loadSite(tx, row.id))
      }),
    )
  }

  return {
    /**
     * Sites the caller may see: every site with `network.sites.read`, otherwise the sites they are a
     * member of. Deleted sites only on request, and only to those who see every site.
     */
    async listSites(ctx: Ctx, query: ListSitesInput): Promise<Page<SiteView>> {
      const userId = requireUser(ctx).userId
      const everySite = can(ctx, 'network.sites.read')
      if (query.status === 'deleted' && !everySite) return { items: [], nextCursor: null }
      const limit = query.limit ?? DEFAULT_PAGE_LIMIT
      const rows = await ctx.tx((tx) =>
        listSiteRows(tx, {
          userId,
          everySite,
          status: query.status,
          q: query.q,
          before: query.cursor,
          limit: limit + 1,
        }),
      )
      return pageOf(rows, limit, siteView, (r) => r.id)
    },

    /** Creates a site with its subdomain; the creator owns it and administers it. */
    async createSite(ctx: Ctx, input: CreateSiteInput): Promise<SiteView> {
      requireCapability(ctx, 'network.sites.create')
      const creator = requireUser(ctx).userId
      const name = input.name.trim()
      const slug = input.slug ?? slugFromName(name, 'site')
      if (RESERVED_SLUGS.has(slug)) throw SitesErrors.slugReserved({ details: { slug } })
      const timezone = assertTimezone(input.timezone ?? 'UTC')
      const locale = canonicalLocale(input.locale ?? 'en')
      const host = `${slug}.${deps.rootDomain}`
      return changing(() =>
        ctx.tx(async (tx) => {
          const row = await insertSiteIfSlugFree(tx, {
            id: newId(),
            name,
            slug,
            ownerId: creator,
            tagline: input.tagline?.trim() ?? '',
            locale,
            timezone,
          })
          if (!row) throw SitesErrors.slugTaken({ details: { slug } })
          if (!(await insertPrimarySubdomain(tx, { id: newId(), siteId: row.id, host })))
            throw SitesErrors.hostTaken({ details: { host } })
          await insertMember(tx, { siteId: row.id, userId: creator, roleSlug: 'administrator' })
          await recordAudit(ctx, tx, {
            action: 'sites.site.create',
            target: { type: 'site', id: row.id },
            siteId: row.id,
            summary: { slug, name, host, locale, timezone, owner: creator },
          })
          return siteView({ ...row, primaryHost: host, role: 'administrator' })
        }),
      )
    },

    async getSite(ctx: Ctx): Promise<SiteView> {
      requireCapability(ctx, 'site.settings.read')
      const site = requireSite(ctx)
      const row = await ctx.tx((tx) => loadSite(tx, site.id))
      return siteView(row)
    },

    async getSettings(ctx: Ctx): Promise<SettingsViewData> {
      requireCapability(ctx, 'site.settings.read')
      const site = requireSite(ctx)
      return settingsView(await ctx.tx((tx) => loadSite(tx, site.id)))
    },

    async updateSettings(ctx: Ctx, patch: PatchSettingsInput): Promise<SettingsViewData> {
      requireCapability(ctx, 'site.settings.manage')
      const site = requireSite(ctx)
      const timezone = patch.timezone === undefined ? undefined : assertTimezone(patch.timezone)
      const locale = patch.locale === undefined ? undefined : canonicalLocale(patch.locale)
      const robots =
        patch.settings?.robotsTxt === undefined ? undefined : robotsTxtIssue(patch.settings.robotsTxt)
      if (robots)
        throw SitesErrors.robotsTxtInvalid({ details: { line: robots.line, reason: robots.reason } })
      const seo = patch.settings?.seo === undefined ? undefined : seoSettingsIssue(patch.settings.seo)
      if (seo) throw SitesErrors.seoInvalid({ details: { ...seo } })
      return ctx.tx(async (tx) => {
        const row = await loadSite(tx, site.id, true)
        const before = settingsView(row)
        const after: SettingsViewData = {
          name: patch.name?.trim() || before.name,
          tagline: patch.tagline === undefined ? before.tagline : patch.tagline.trim(),
          locale: locale ?? before.locale,
          timezone: timezone ?? before.timezone,
          // SEO and media keys a PATCH leaves out keep their values (one level deeper than the others).
          settings: {
            ...before.settings,
            ...patch.settings,
            seo: readSeoSettings({ ...before.settings.seo, ...patch.settings?.seo }),
            media: readMediaSettings({ ...before.settings.media, ...patch.settings?.media }),
          },
        }
        await updateSite(tx, row.id, after)
        await recordAudit(ctx, tx, {
          action: 'sites.site.update',
          target: { type: 'site', id: row.id },
          summary: { slug: row.slug, before, after },
        })
        return after
      })
    },

    disableSite: (ctx: Ctx) => changeStatus(ctx, 'disable'),
    enableSite: (ctx: Ctx) => changeStatus(ctx, 'enable'),
    archiveSite: (ctx: Ctx) => changeStatus(ctx, 'archive'),
    unarchiveSite: (ctx: Ctx) => changeStatus(ctx, 'unarchive'),

    /** Hands the site to another member; the previous owner keeps their membership and role. */
    async transferSite(ctx: Ctx, userId: string): Promise<SiteView> {
      requireCapability(ctx, 'network.sites.manage')
      const site = requireSite(ctx)
      return ctx.tx(async (tx) => {
        const row = await loadSite(tx, site.id, true)
        if (row.ownerId === userId) return siteView(row)
        if (!(await isLiveMember(tx, row.id, userId)))
          throw SitesErrors.ownerNotMember({ details: { userId } })
        await updateSite(tx, row.id, { ownerId: userId })
        await recordAudit(ctx, tx, {
          action: 'sites.site.transfer',
          target: { type: 'site', id: row.id },
          summary: { slug: row.slug, before: row.ownerId, after: userId },
        })
        return siteView({ ...row, ownerId: userId })
      })
    },

    /**
     * Soft-deletes the site: it disappears at once (its routes answer 404) and is purged after a grace
     * period. The caller types the slug, so a wrong id in a script cannot delete a site by accident.
     */
    async deleteSite(ctx: Ctx, confirm: string | undefined): Promise<SiteView> {
      requireCapability(ctx, 'network.sites.delete')
      const site = requireSite(ctx)
      return changing(() =>
        ctx.tx(async (tx) => {
          const row = await loadSite(tx, site.id, true)
          if (row.isMain) throw SitesErrors.mainSite({ details: { site: row.slug } })
          if (confirm !== row.slug) throw SitesErrors.confirmationRequired()
          const deletedAt = now()
          const purgeAfter = new Date(deletedAt.getTime() + GRACE_MS)
          await updateSite(tx, row.id, { status: 'deleted', deletedAt, purgeAfter })
          await recordAudit(ctx, tx, {
            action: 'sites.site.delete',
            target: { type: 'site', id: row.id },
            summary: {
              slug: row.slug,
              before: row.status,
              after: 'deleted',
              purgeAfter: purgeAfter.toISOString(),
            },
          })
          return siteView({ ...row, status: 'deleted', deletedAt, purgeAfter })
        }),
      )
    },
  }
}

export type SitesService = ReturnType<typeof createSitesService>

/**
 * Removes for good the deleted sites whose grace period has passed (their members, hosts and keys go
 * with them through the foreign keys). Meant for a background step acting as the system; returns the
 * sites removed.
 */
export async function purgeDeletedSites(ctx: Ctx, now: Date): Promise<{ id: string; slug: string }[]> {
  requireCapability(ctx, 'network.sites.delete')
  if (ctx.site) throw AccessErrors.forbidden({ details: { reason: 'purging runs at network scope' } })
  return ctx.tx(async (tx) => {
    const purged = await purgeSiteRows(tx, now)
    for (const site of purged) {
      await recordAudit(ctx, tx, {
        action: 'sites.site.purge',
        target: { type: 'site', id: site.id },
        siteId: null,
        summary: { slug: site.slug },
      })
    }
    return purged
  })
}
