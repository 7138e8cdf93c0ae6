import { isIP } from 'node:net'
import ipaddr from 'ipaddr.js'

/**
 * Which network addresses an import from a URL may reach (pure). Only public unicast addresses pass,
 * unless the operator's allow-list names the host or a range holding the address. The tables follow the
 * IANA special-purpose address registries; a block there that is partly reachable (some of 192.0.0.0/24,
 * some of 2001::/23) is refused whole, since no media file lives at a protocol anycast address.
 */

type Ip = ipaddr.IPv4 | ipaddr.IPv6
type Block = readonly [network: Ip, bits: number, range: string]

/** The name of a public address; every other answer of `addressRangeOf` names a refused range. */
export const PUBLIC_RANGE = 'public'

function blocks(table: readonly (readonly [cidr: string, range: string])[]): readonly Block[] {
  return table.map(([cidr, range]) => {
    const [network, bits] = ipaddr.parseCIDR(cidr)
    return [network, bits, range] as const
  })
}

// First match wins: the broadcast address before the reserved block that holds it.
const IPV4_REFUSED = blocks([
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrierGradeNat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'linkLocal'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'protocolAssignments'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
])

const IPV6_REFUSED = blocks([
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  // IPv4-compatible (deprecated, never routed): refused whatever IPv4 address it carries.
  ['::/96', 'ipv4Compatible'],
  ['::ffff:0:0:0/96', 'reserved'],
  ['64:ff9b:1::/48', 'nat64Local'],
  ['100::/64', 'discard'],
  ['2001::/32', 'teredo'],
  ['2001::/23', 'protocolAssignments'],
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['5f00::/16', 'segmentRouting'],
  ['fc00::/7', 'uniqueLocal'],
  ['fe80::/10', 'linkLocal'],
  ['fec0::/10', 'siteLocal'],
  ['ff00::/8', 'multicast'],
])

/** Global unicast: an IPv6 address outside it is not assigned for the public internet. */
const [GLOBAL_UNICAST, GLOBAL_UNICAST_BITS] = ipaddr.IPv6.parseCIDR('2000::/3')
// NAT64 (RFC 6052) and 6to4 (RFC 3056) carry an IPv4 address, and a gateway delivers to it.
const [NAT64, NAT64_BITS] = ipaddr.IPv6.parseCIDR('64:ff9b::/96')
const [SIX_TO_FOUR, SIX_TO_FOUR_BITS] = ipaddr.IPv6.parseCIDR('2002::/16')

function firstBlockOf(address: Ip, table: readonly Block[]): string | undefined {
  for (const [network, bits, range] of table) {
    if (network.kind() === address.kind() && address.match(network, bits)) return range
  }
  return undefined
}

function embeddedIpv4(bytes: readonly number[], from: number): ipaddr.IPv4 {
  return new ipaddr.IPv4(bytes.slice(from, from + 4))
}

/**
 * Parses an address in a standard notation only. ipaddr.js alone is lenient in ways that matter here: it
 * reads `127.1` or `0x7f.1` as IPv4 and `::1.2.3.4` (IPv4-compatible) as if it were `::ffff:1.2.3.4`
 * (IPv4-mapped). So Node decides what counts as an address, and the WHATWG URL parser (the one that read
 * the URL) writes IPv6 in its canonical hex form before ipaddr.js sees it.
 */
function parseAddress(text: string): Ip | undefined {
  const [address = '', zone] = text.split('%', 2)
  const family = isIP(address)
  if (family === 4) return ipaddr.IPv4.parse(address)
  if (family !== 6) return undefined
  const v6 = ipaddr.IPv6.parse(new URL(`http://[${address}]/`).hostname.slice(1, -1))
  if (zone !== undefined) v6.zoneId = zone
  return v6
}

function rangeOfIp(address: Ip): string {
  if (address.kind() === 'ipv4') return firstBlockOf(address, IPV4_REFUSED) ?? PUBLIC_RANGE
  const v6 = address as ipaddr.IPv6
  // A zone (`fe80::1%eth0`) only has a meaning on one link.
  if (v6.zoneId !== undefined) return 'linkLocal'
  if (v6.isIPv4MappedAddress()) return rangeOfIp(v6.toIPv4Address())
  const bytes = v6.toByteArray()
  if (v6.match(NAT64, NAT64_BITS)) return rangeOfIp(embeddedIpv4(bytes, 12))
  if (v6.match(SIX_TO_FOUR, SIX_TO_FOUR_BITS)) return rangeOfIp(embeddedIpv4(bytes, 2))
  const refused = firstBlockOf(v6, IPV6_REFUSED)
  if (refused !== undefined) return refused
  return v6.match(GLOBAL_UNICAST, GLOBAL_UNICAST_BITS) ? PUBLIC_RANGE : 'reserved'
}

/**
 * `public` for an address an import may reach, otherwise the name of the range that refuses it
 * (`loopback`, `private`, `linkLocal`, …). IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4)
 * are judged by the address they carry. Expects an address in a standard notation (what DNS and the URL
 * parser give); anything that does not parse is `invalid`, and refused.
 */
export function addressRangeOf(address: string): string {
  const parsed = parseAddress(address)
  return parsed === undefined ? 'invalid' : rangeOfIp(parsed)
}

/** The operator's exceptions: host names (exact, lowercase) and CIDR ranges that may be reached. */
export interface RemoteAllowList {
  hosts?: readonly string[]
  cidrs?: readonly string[]
}

export interface CompiledAllowList {
  readonly hosts: ReadonlySet<string>
  readonly ranges: readonly (readonly [Ip, number])[]
}

/**
 * Parses the allow-list once per fetch. A CIDR that does not parse is an operator's configuration
 * mistake, not the editor's: it throws a TypeError naming the entry (a 500 with the cause logged).
 */
export function compileAllowList(allow: RemoteAllowList | undefined): CompiledAllowList {
  const ranges = (allow?.cidrs ?? []).map((cidr) => {
    if (!ipaddr.isValidCIDR(cidr)) throw new TypeError(`remote fetch allow-list: ${cidr} is not a CIDR range`)
    return ipaddr.parseCIDR(cidr)
  })
  return { hosts: new Set(allow?.hosts ?? []), ranges }
}

function isAddressAllowed(allow: CompiledAllowList, address: string): boolean {
  const written = parseAddress(address)
  if (written === undefined) return false
  // IPv4-mapped IPv6 is judged as its IPv4 address, so `127.0.0.1/32` covers `::ffff:127.0.0.1` too.
  const parsed =
    written.kind() === 'ipv6' && (written as ipaddr.IPv6).isIPv4MappedAddress()
      ? (written as ipaddr.IPv6).toIPv4Address()
      : written
  return allow.ranges.some(
    ([network, bits]) => network.kind() === parsed.kind() && parsed.match(network, bits),
  )
}

/**
 * Why `host`, resolved to `addresses`, may not be reached: the name of the first refused range, or
 * undefined when every address is public or allowed. An allowed host name passes whatever it resolves
 * to; otherwise each address must be public or inside an allowed range. No addresses at all is refused.
 */
export function refusedRangeOf(
  allow: CompiledAllowList,
  host: string,
  addresses: readonly string[],
): string | undefined {
  if (allow.hosts.has(host)) return undefined
  if (addresses.length === 0) return 'invalid'
  for (const address of addresses) {
    const range = addressRangeOf(address)
    if (range !== PUBLIC_RANGE && !isAddressAllowed(allow, address)) return range
  }
  return undefined
}
