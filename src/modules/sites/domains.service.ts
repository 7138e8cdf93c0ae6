import { resolveTxt as dnsResolveTxt } from 'node:dns/promises'
import { requireCapability, requireSite, type Ctx } from '../../platform/access/index.ts'
import { newId, pageOf, type Page } from '../../platform/db/index.ts'
import { DEFAULT_PAGE_LIMIT } from '../../platform/http/index.ts'
import { randomToken } from '../../platform/security/index.ts'
import { recordAudit } from '../audit/index.ts'
import {
  deleteDomain,
  findDomain,
  insertDomain,
  listDomains,
  movePrimary,
  siteHostStats,
  updateVerification,
  type DomainRow,
} from './domains.repo.ts'
import { HostsErrors } from './hosts.errors.ts'
import { normaliseRequestHost, parseHostName } from './hosts.service.ts'
import { SitesErrors } from './sites.errors.ts'
// Subdomain labels follow the slug rules: names the network keeps for itself are refused for both.
import { RESERVED_SLUGS } from './sites.service.ts'

/**
 * Site domains: the host names a site answers on. A subdomain of the root domain serves at once (the
 * network's operator controls that DNS zone); a custom domain serves only after its owner proves control
 * of it by publishing `colophon-verify=<token>` in a TXT record at `_colophon.<host>`. Every change
 * invalidates the host directory of this node; other nodes follow within its cache TTL.
 */

export type ResolveTxt = (name: string) => Promise<string[][]>

export interface DomainsServiceDeps {
  rootDomain: string
  /** Defaults to the system resolver (`node:dns/promises`); tests pass a function. */
  resolveTxt?: ResolveTxt
  /** Called after every committed change (the host directory's `invalidate`). */
  onChange?: () => void
  now?: () => Date
}

export interface DomainView {
  id: string
  siteId: string
  host: string
  kind: 'subdomain' | 'custom'
  isPrimary: boolean
  verificationState: 'pending' | 'verified' | 'failed'
  verification: { record: string; value: string } | null
  verifiedAt: string | null
  createdAt: string
}

export interface AddDomainInput {
  host: string
  kind?: 'subdomain' | 'custom' | undefined
}

const VERIFY_PREFIX = 'colophon-verify='
/** DNS answers that mean "no such record" rather than "the lookup failed". */
const NO_RECORD = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN'])

export function verificationRecordOf(host: string): string {
  return `_colophon.${host}`
}

function view(row: DomainRow): DomainView {
  const verified = row.verificationState === 'verified'
  return {
    id: row.id,
    siteId: row.siteId,
    host: row.host,
    kind: row.kind as DomainView['kind'],
    isPrimary: row.isPrimary,
    verificationState: row.verificationState as DomainView['verificationState'],
    verification:
      verified || !row.verificationToken
        ? null
        : { record: verificationRecordOf(row.host), value: `${VERIFY_PREFIX}${row.verificationToken}` },
    verifiedAt: row.verifiedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  }
}

export type DomainsService = ReturnType<typeof createDomainsService>

export function createDomainsService(deps: DomainsServiceDeps) {
  const root = normaliseRequestHost(deps.rootDomain)
  const resolveTxt = deps.resolveTxt ?? dnsResolveTxt
  const onChange = deps.onChange ?? (() => {})
  const now = deps.now ?? (() => new Date())

  /** The normalised host, or a coded refusal explaining why it cannot be used with this kind. */
  function checkHost(input: AddDomainInput): string {
    // The root domain first: `localhost` is a single label, which parseHostName refuses.
    if (normaliseRequestHost(input.host) === root)
      throw HostsErrors.hostReserved({ details: { reason: 'root domain' } })
    const host = parseHostName(input.host)
    if (!host) throw HostsErrors.hostInvalid({ details: { host: input.host.slice(0, 300) } })
    if (host === root) throw HostsErrors.hostReserved({ details: { reason: 'root domain' } })
    const underRoot = host.endsWith(`.${root}`)
    const label = underRoot ? host.slice(0, -root.length - 1) : ''
    if ((input.kind ?? 'custom') === 'subdomain') {
      if (!underRoot || label.includes('.'))
        throw HostsErrors.hostInvalid({ details: { host, reason: `a subdomain is <label>.${root}` } })
      if (RESERVED_SLUGS.has(label)) throw HostsErrors.hostReserved({ details: { reason: 'reserved label' } })
      return host
    }
    // Names under the root domain belong to the network: one label is a subdomain, deeper names would
    // sit under another site's subdomain.
    if (underRoot) throw HostsErrors.hostReserved({ details: { reason: 'under the root domain' } })
    return host
  }

  async function list(
    ctx: Ctx,
    query: { cursor?: string | undefined; limit?: number | undefined },
  ): Promise<Page<DomainView>> {
    requireCapability(ctx, 'site.settings.read')
    const site = requireSite(ctx)
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT
    const rows = await ctx.tx((tx) =>
      listDomains(tx, { siteId: site.id, before: query.cursor, limit: limit + 1 }),
    )
    return pageOf(rows, limit, view, (row) => row.id)
  }

  async function add(ctx: Ctx, input: AddDomainInput): Promise<DomainView> {
    requireCapability(ctx, 'network.sites.manage')
    const site = requireSite(ctx)
    const kind = input.kind ?? 'custom'
    const host = checkHost(input)
    const row = await ctx.tx(async (tx) => {
      const stats = await siteHostStats(tx, site.id)
      const servesAtOnce = kind === 'subdomain'
      const inserted = await insertDomain(tx, {
        id: newId(),
        siteId: site.id,
        host,
        kind,
        // The first host name that serves becomes the primary one.
        isPrimary: servesAtOnce && stats.primaries === 0,
        verificationState: servesAtOnce ? 'verified' : 'pending',
        verificationToken: servesAtOnce ? null : randomToken(24),
        verifiedAt: servesAtOnce ? now() : null,
      })
      // No details: the name may be another site's, and a reply never echoes another site's names.
      if (!inserted) throw SitesErrors.hostTaken()
      await recordAudit(ctx, tx, {
        action: 'sites.domain.add',
        target: { type: 'site_domain', id: inserted.id },
        summary: { host, kind, state: inserted.verificationState, primary: inserted.isPrimary },
      })
      return inserted
    })
    onChange()
    return view(row)
  }

  async function hasVerificationRecord(ctx: Ctx, host: string, token: string): Promise<boolean> {
    let records: string[][]
    try {
      records = await resolveTxt(verificationRecordOf(host))
    } catch (err) {
      const code = (err as { code?: unknown }).code
      if (typeof code === 'string' && NO_RECORD.has(code)) return false
      // A resolver failure (timeout, refused) reads as "not found yet": the owner can simply retry.
      ctx.log.warn({ err, host }, 'TXT lookup for a domain verification failed')
      return false
    }
    return records.some((chunks) => chunks.join('').trim() === `${VERIFY_PREFIX}${token}`)
  }

  /** Looks the verification record up in DNS; verified names serve at once, others get 409. */
  async function verify(ctx: Ctx, id: string): Promise<DomainView> {
    requireCapability(ctx, 'network.sites.manage')
    const site = requireSite(ctx)
    const current = await ctx.tx((tx) => findDomain(tx, site.id, id))
    if (!current) throw HostsErrors.domainNotFound()
    if (current.verificationState === 'verified') return view(current)
    // The lookup happens outside any transaction: DNS can take seconds.
    const found = await hasVerificationRecord(ctx, current.host, current.verificationToken ?? '')
    const row = await ctx.tx(async (tx) => {
      const locked = await findDomain(tx, site.id, id)
      if (!locked) throw HostsErrors.domainNotFound()
      if (locked.verificationState === 'verified') return locked
      const stats = found ? await siteHostStats(tx, site.id) : null
      const updated = await updateVerification(tx, id, {
        state: found ? 'verified' : 'failed',
        verifiedAt: found ? now() : null,
        ...(stats && stats.primaries === 0 ? { isPrimary: true } : {}),
      })
      await recordAudit(ctx, tx, {
        action: 'sites.domain.verify',
        target: { type: 'site_domain', id },
        summary: { host: updated.host, result: updated.verificationState, primary: updated.isPrimary },
      })
      return updated
    })
    onChange()
    if (row.verificationState !== 'verified')
      throw HostsErrors.domainUnverified({
        details: { host: row.host, record: verificationRecordOf(row.host) },
      })
    return view(row)
  }

  async function makePrimary(ctx: Ctx, id: string): Promise<DomainView> {
    requireCapability(ctx, 'network.sites.manage')
    const site = requireSite(ctx)
    const { row, changed } = await ctx.tx(async (tx) => {
      const current = await findDomain(tx, site.id, id)
      if (!current) throw HostsErrors.domainNotFound()
      if (current.verificationState !== 'verified')
        throw HostsErrors.domainUnverified({ details: { host: current.host } })
      if (current.isPrimary) return { row: current, changed: false }
      const updated = await movePrimary(tx, site.id, id)
      await recordAudit(ctx, tx, {
        action: 'sites.domain.primary',
        target: { type: 'site_domain', id },
        summary: { host: updated.host },
      })
      return { row: updated, changed: true }
    })
    if (changed) onChange()
    return view(row)
  }

  /** Removes a host name. The primary one goes last: another must be made primary first. */
  async function remove(ctx: Ctx, id: string): Promise<void> {
    requireCapability(ctx, 'network.sites.manage')
    const site = requireSite(ctx)
    await ctx.tx(async (tx) => {
      const current = await findDomain(tx, site.id, id)
      if (!current) throw HostsErrors.domainNotFound()
      if (current.isPrimary) {
        const stats = await siteHostStats(tx, site.id)
        if (stats.total > 1) throw HostsErrors.primaryRequired({ details: { host: current.host } })
      }
      await deleteDomain(tx, id)
      await recordAudit(ctx, tx, {
        action: 'sites.domain.remove',
        target: { type: 'site_domain', id },
        summary: { host: current.host, kind: current.kind, primary: current.isPrimary },
      })
    })
    onChange()
  }

  return { list, add, verify, makePrimary, remove }
}
