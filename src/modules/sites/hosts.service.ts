import { isIP } from 'node:net'
import { domainToASCII } from 'node:url'
import { networkTransaction, type Orm } from '../../platform/db/index.ts'
import { findSiteByVerifiedHost } from './hosts.repo.ts'

/**
 * Host names: how a request's `Host` is read, how a host name typed by an administrator is checked, and
 * the in-process directory that maps host names to sites.
 */

export type HostSiteStatus = 'active' | 'disabled' | 'archived'

/** The site a request's host belongs to. */
export interface HostSite {
  id: string
  slug: string
  name: string
  status: HostSiteStatus
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const MAX_HOST_LENGTH = 253

/** Lower-cased, without port and trailing dot: the form hosts are stored and compared in. */
export function normaliseRequestHost(raw: string | undefined): string {
  let host = (raw ?? '').trim().toLowerCase()
  if (host.startsWith('[')) {
    const end = host.indexOf(']')
    return end === -1 ? host : host.slice(0, end + 1)
  }
  const colon = host.lastIndexOf(':')
  if (colon !== -1 && host.indexOf(':') === colon) host = host.slice(0, colon)
  return host.endsWith('.') ? host.slice(0, -1) : host
}

/** An IP address (v4, or v6 in brackets as it appears in a Host header) rather than a name. */
export function isIpHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  return isIP(bare) !== 0
}

/**
 * Checks and normalises a host name an administrator typed: lower case, no port, no trailing dot,
 * international names turned into their `xn--` form, labels of letters, digits and inner hyphens, at most
 * 253 characters, at least two labels. Returns null when it is not a usable DNS name (an IP address is
 * not one).
 */
export function parseHostName(input: string): string | null {
  let host = input
    .trim()
    .toLowerCase()
    .replace(/:[0-9]{1,5}$/, '')
  if (host.endsWith('.')) host = host.slice(0, -1)
  // Anything URL-like (a scheme, a path, brackets, credentials) is a typo, not a host name.
  if (host === '' || /[:/[\]@?#\s]/.test(host) || isIpHost(host)) return null
  const ascii = domainToASCII(host)
  if (ascii === '' || ascii.length > MAX_HOST_LENGTH) return null
  const labels = ascii.split('.')
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return null
  // An all-digit last label would read as part of an IP address.
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return null
  return ascii
}

export interface HostDirectory {
  /** The site answering on `host` (normalised), or null when no site does. */
  resolve(host: string): Promise<HostSite | null>
  /** Forgets every cached answer; call it after any change to host names or to a site's status. */
  invalidate(): void
}

export interface HostDirectoryOptions {
  orm: Orm
  /** Replaces the database lookup (unit tests of the cache). */
  lookup?: (host: string) => Promise<HostSite | null>
  /** How long a found host is trusted; other nodes see changes within this time. */
  ttlMs?: number
  /** Unknown hosts are remembered less long, so a newly created site answers quickly everywhere. */
  missTtlMs?: number
  /** Above this many cached hosts the cache starts over, so random Host headers cannot grow it. */
  maxEntries?: number
  now?: () => number
}

/**
 * Maps host names to sites with a short-lived in-process cache: every request consults it, while host
 * names change rarely. Changes made on this node invalidate it at once; other nodes see them within the
 * TTL. Deleted sites are treated as unknown hosts.
 */
export function createHostDirectory(options: HostDirectoryOptions): HostDirectory {
  const ttlMs = options.ttlMs ?? 30_000
  const missTtlMs = options.missTtlMs ?? 5_000
  const maxEntries = options.maxEntries ?? 10_000
  const now = options.now ?? Date.now
  const cache = new Map<string, { site: HostSite | null; expires: number }>()
  let generation = 0

  async function loadFromDatabase(host: string): Promise<HostSite | null> {
    // Routing happens before anyone is identified and must see every site's host names: network scope.
    const row = await networkTransaction(options.orm, 'host routing: which site answers on this host', (tx) =>
      findSiteByVerifiedHost(tx, host),
    )
    if (!row || row.status === 'deleted') return null
    return { id: row.id, slug: row.slug, name: row.name, status: row.status as HostSiteStatus }
  }
  const load = options.lookup ?? loadFromDatabase

  return {
    async resolve(host) {
      const hit = cache.get(host)
      if (hit && hit.expires > now()) return hit.site
      const startedAt = generation
      const site = await load(host)
      // A change made while the lookup ran must not be overwritten by the older answer.
      if (startedAt === generation) {
        if (cache.size >= maxEntries) cache.clear()
        cache.set(host, { site, expires: now() + (site ? ttlMs : missTtlMs) })
      }
      return site
    },
    invalidate() {
      generation += 1
      cache.clear()
    },
  }
}
