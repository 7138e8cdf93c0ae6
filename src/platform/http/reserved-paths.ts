/**
 * The areas every host keeps for the network: `/api` (the JSON API) and `/admin` (the admin app). Judged
 * on the first path segment as a client might spell it (doubled slashes, escapes, letter case), so no
 * spelling of such a path reaches a site's pages, and host routing refuses them all alike on site hosts.
 */
export type ReservedArea = 'api' | 'admin'

export function reservedAreaOf(url: string): ReservedArea | null {
  const first = (url.split('?')[0] ?? '').replace(/^\/+/, '').split('/')[0] ?? ''
  let decoded: string
  try {
    decoded = decodeURIComponent(first).toLowerCase()
  } catch {
    return null
  }
  const match = /^(api|admin)([/\\]|$)/.exec(decoded)
  return match ? (match[1] as ReservedArea) : null
}
