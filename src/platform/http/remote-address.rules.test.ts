import { describe, expect, it } from 'vitest'
import { PUBLIC_RANGE, addressRangeOf, compileAllowList, refusedRangeOf } from './remote-address.rules.ts'

describe('addressRangeOf', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['fec0::1', 'siteLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.255', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.170', 'protocolAssignments'],
    ['192.0.2.10', 'documentation'],
    ['198.51.100.10', 'documentation'],
    ['203.0.113.10', 'documentation'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['100::1', 'discard'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
    ['2001:2::1', 'protocolAssignments'],
    ['64:ff9b:1::1', 'nat64Local'],
    ['4000::1', 'reserved'],
  ])('%s is refused as %s', (address, range) => {
    expect(addressRangeOf(address)).toBe(range)
  })

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::127.0.0.1', 'ipv4Compatible'],
    ['::8.8.8.8', 'ipv4Compatible'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'linkLocal'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
  ])('IPv6 carrying an IPv4 address: %s is refused as %s', (address, range) => {
    expect(addressRangeOf(address)).toBe(range)
  })

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('%s is public', (address) => {
    expect(addressRangeOf(address)).toBe(PUBLIC_RANGE)
  })

  it.each(['localhost', '', '127.1.2', '1.2.3.4.5', 'gggg::1'])(
    '%j is not an address and is refused',
    (text) => {
      expect(addressRangeOf(text)).toBe('invalid')
    },
  )
})

describe('refusedRangeOf', () => {
  const none = compileAllowList(undefined)

  it('passes a host whose addresses are all public', () => {
    expect(
      refusedRangeOf(none, 'example.com', ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c']),
    ).toBe(undefined)
  })

  it('refuses a host when any one of its addresses is not public', () => {
    expect(refusedRangeOf(none, 'example.com', ['93.184.215.14', '127.0.0.1'])).toBe('loopback')
  })

  it('refuses a host with no addresses', () => {
    expect(refusedRangeOf(none, 'example.com', [])).toBe('invalid')
  })

  it('lets an allowed range through, in its IPv4-mapped form too, and nothing next to it', () => {
    const allow = compileAllowList({ cidrs: ['127.0.0.1/32', 'fd00::/8'] })
    expect(refusedRangeOf(allow, 'files.internal', ['127.0.0.1'])).toBe(undefined)
    expect(refusedRangeOf(allow, 'files.internal', ['::ffff:127.0.0.1'])).toBe(undefined)
    expect(refusedRangeOf(allow, 'files.internal', ['fd00::5'])).toBe(undefined)
    expect(refusedRangeOf(allow, 'files.internal', ['127.0.0.2'])).toBe('loopback')
    expect(refusedRangeOf(allow, 'files.internal', ['127.0.0.1', '10.0.0.1'])).toBe('private')
  })

  it('lets an allowed host name through whatever it resolves to, and only that exact name', () => {
    const allow = compileAllowList({ hosts: ['files.internal'] })
    expect(refusedRangeOf(allow, 'files.internal', ['10.0.0.1'])).toBe(undefined)
    expect(refusedRangeOf(allow, 'other.internal', ['10.0.0.1'])).toBe('private')
    expect(refusedRangeOf(allow, 'files.internal.', ['10.0.0.1'])).toBe('private')
  })

  it('names the entry of an allow-list that is not a CIDR range', () => {
    expect(() => compileAllowList({ cidrs: ['10.0.0.0'] })).toThrow(/10\.0\.0\.0 is not a CIDR range/)
    expect(() => compileAllowList({ cidrs: ['10.0.0.0/33'] })).toThrow(TypeError)
  })
})
