import { networkRead, type Orm } from '../../platform/db/index.ts'
import { SitesErrors } from './sites.errors.ts'
import { readSiteWithMembership, type SiteWithMembership } from './request-site.repo.ts'

/**
 * How a request gets its site: the `{site}` path parameter of `/api/v1/sites/{site}/…` names a site by
 * id or slug; the request gate asks this resolver for the site and the caller's membership on it in one
 * statement, before any capability is decided. Host names are the other way in (hosts.hook.ts).
 */

export interface RequestSiteResolverOptions {
  orm: Orm
  /**
   * How long an anonymous caller's lookup is reused by this node (default 5 s; 0 turns it off).
   * Anonymous callers can only read, and the reading services check the site's status again in their
   * own statement, so a stale entry can never show more than the site allows.
   */
  anonymousTtlMs?: number
  now?: () => Date
}

export interface RequestSiteResolver {
  /**
   * The site `param` names, with `userId`'s membership (null: anonymous). A site that does not exist or
   * is deleted (waiting for its purge) answers COLOPHON_SITES_NOT_FOUND: nothing may reach it any more.
   */
  resolve(param: string, userId: string | null): Promise<SiteWithMembership>
  /** Forgets cached anonymous lookups at once (the sites service calls it after every committed change). */
  invalidate(): void
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const MAX_CACHED = 10_000

export function createRequestSiteResolver(options: RequestSiteResolverOptions): RequestSiteResolver {
  const now = options.now ?? (() => new Date())
  const ttlMs = options.anonymousTtlMs ?? 5_000
  const anonymous = new Map<string, { found: SiteWithMembership | undefined; expires: number }>()
  // The caller's site is not known yet: the lookup itself runs at network scope.
  const lookup = (param: string, userId: string | null) =>
    readSiteWithMembership(
      (statement, values) => networkRead(options.orm, 'resolving the request site', statement, values),
      UUID.test(param) ? { id: param.toLowerCase() } : { slug: param },
      userId,
    )

  // Anonymous reads are most of a public site's traffic; reusing their lookup for a few seconds saves a
  // transaction per request. Signed-in callers always read their membership fresh.
  async function anonymousLookup(param: string): Promise<SiteWithMembership | undefined> {
    if (ttlMs <= 0) return lookup(param, null)
    const at = now().getTime()
    const hit = anonymous.get(param)
    if (hit && hit.expires > at) return hit.found
    const found = await lookup(param, null)
    if (anonymous.size >= MAX_CACHED) anonymous.clear()
    anonymous.set(param, { found, expires: at + ttlMs })
    return found
  }

  return {
    async resolve(param, userId) {
      const found = userId === null ? await anonymousLookup(param) : await lookup(param, userId)
      if (!found || found.site.status === 'deleted') throw SitesErrors.notFound({ details: { site: param } })
      return found
    },
    invalidate: () => anonymous.clear(),
  }
}
