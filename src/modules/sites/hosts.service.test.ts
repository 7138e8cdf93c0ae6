import { describe, expect, it } from 'vitest'
import type { Orm } from '../../platform/db/index.ts'
import {
  createHostDirectory,
  isIpHost,
  normaliseRequestHost,
  parseHostName,
  type HostSite,
} from './hosts.service.ts'

describe('normaliseRequestHost', () => {
  it('lower-cases and drops the port and a trailing dot', () => {
    expect(normaliseRequestHost('Blog.Example.COM:8080')).toBe('blog.example.com')
    expect(normaliseRequestHost('example.com.')).toBe('example.com')
    expect(normaliseRequestHost('[::1]:3000')).toBe('[::1]')
    expect(normaliseRequestHost(undefined)).toBe('')
  })

  it('recognises IP-address hosts', () => {
    expect(isIpHost('127.0.0.1')).toBe(true)
    expect(isIpHost('[::1]')).toBe(true)
    expect(isIpHost('localhost')).toBe(false)
    expect(isIpHost('1.2.3.example')).toBe(false)
  })
})

describe('parseHostName', () => {
  it('accepts DNS names and turns international ones into their ASCII form', () => {
    expect(parseHostName(' Blog.Example.com.:443 ')).toBe('blog.example.com')
    expect(parseHostName('bücher.example')).toBe('xn--bcher-kva.example')
  })

  it('refuses what is not a host name', () => {
    for (const input of [
      '',
      'localhost',
      'a_b.example',
      'http://x.example',
      'x.example/path',
      '10.0.0.1',
      '-a.example',
      'a.123',
    ])
      expect(parseHostName(input), input).toBeNull()
    expect(parseHostName(`${'a'.repeat(63)}.example`)).not.toBeNull()
    expect(parseHostName(`${'a'.repeat(64)}.example`)).toBeNull()
  })
})

describe('createHostDirectory', () => {
  const site: HostSite = { id: 'id', slug: 'alpha', name: 'Alpha', status: 'active' }

  function directoryWith(answers: Map<string, HostSite>) {
    let clock = 0
    let lookups = 0
    const directory = createHostDirectory({
      orm: null as unknown as Orm,
      ttlMs: 1000,
      missTtlMs: 100,
      now: () => clock,
      lookup: async (host) => {
        lookups += 1
        return answers.get(host) ?? null
      },
    })
    return { directory, advance: (ms: number) => (clock += ms), lookups: () => lookups }
  }

  it('answers from its cache until the TTL runs out', async () => {
    const t = directoryWith(new Map([['alpha.localhost', site]]))
    expect(await t.directory.resolve('alpha.localhost')).toEqual(site)
    t.advance(999)
    expect(await t.directory.resolve('alpha.localhost')).toEqual(site)
    expect(t.lookups()).toBe(1)
    t.advance(2)
    await t.directory.resolve('alpha.localhost')
    expect(t.lookups()).toBe(2)
  })

  it('remembers unknown hosts for a shorter time', async () => {
    const answers = new Map<string, HostSite>()
    const t = directoryWith(answers)
    expect(await t.directory.resolve('new.localhost')).toBeNull()
    answers.set('new.localhost', site)
    expect(await t.directory.resolve('new.localhost')).toBeNull()
    t.advance(101)
    expect(await t.directory.resolve('new.localhost')).toEqual(site)
  })

  it('forgets everything on invalidate', async () => {
    const answers = new Map([['alpha.localhost', site]])
    const t = directoryWith(answers)
    await t.directory.resolve('alpha.localhost')
    answers.delete('alpha.localhost')
    t.directory.invalidate()
    expect(await t.directory.resolve('alpha.localhost')).toBeNull()
  })
})
