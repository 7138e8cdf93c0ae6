import { describe, expect, it } from 'vitest'
import type { Actor, Ctx } from '../../platform/access/index.ts'
import { BUILTIN_ROLE_CAPABILITIES } from './default-roles.ts'
import { capabilitiesToOutrank, missingToOutrank, SITE_OWNER_GUARD } from './outranking.rules.ts'

const builtin = (slug: string) => ({ slug, isBuiltin: true, capabilities: [] })
const custom = (capabilities: string[]) => ({ slug: 'custom', isBuiltin: false, capabilities })

function ctxHolding(capabilities: readonly string[], actor?: Actor): Ctx {
  return {
    actor: actor ?? { kind: 'user', userId: 'caller', email: 'c@example.com', name: 'C', sessionId: 's' },
    site: null,
    capabilities: new Set(capabilities),
    requestId: 'test',
    ip: null,
    userAgent: null,
    log: { info() {}, warn() {}, error() {} },
    tx: () => Promise.reject(new Error('no database in a unit test')),
    read: () => Promise.reject(new Error('no database in a unit test')),
  }
}

const noStanding = { networkRole: null, siteRole: null, ownsSite: false }
const userManager = ctxHolding(['network.users.manage', 'network.users.read'])

describe('outranking rule', () => {
  it('lets anyone act on a user who holds nothing', () => {
    expect(missingToOutrank(ctxHolding([]), noStanding)).toEqual([])
  })

  it('refuses a user manager acting on a network admin, naming what they lack', () => {
    const missing = missingToOutrank(userManager, { ...noStanding, networkRole: builtin('network_admin') })
    expect(missing).toContain('network.roles.manage')
    expect(missing).toContain('site.settings.manage')
    expect(missing).not.toContain('network.users.manage')
  })

  it('counts the site role on a site, together with the network role', () => {
    const target = {
      networkRole: custom(['network.users.read']),
      siteRole: builtin('editor'),
      ownsSite: false,
    }
    expect(capabilitiesToOutrank(target)).toEqual(
      [...(BUILTIN_ROLE_CAPABILITIES.editor ?? []), 'network.users.read'].sort(),
    )
    const siteAdmin = ctxHolding(BUILTIN_ROLE_CAPABILITIES.administrator ?? [])
    expect(missingToOutrank(siteAdmin, target)).toEqual(['network.users.read'])
    expect(missingToOutrank(siteAdmin, { ...target, networkRole: null })).toEqual([])
  })

  it('guards the site owner from fellow administrators, not from network admins', () => {
    const owner = { networkRole: null, siteRole: builtin('administrator'), ownsSite: true }
    const siteAdmin = ctxHolding(BUILTIN_ROLE_CAPABILITIES.administrator ?? [])
    expect(missingToOutrank(siteAdmin, owner)).toEqual([SITE_OWNER_GUARD])
    expect(missingToOutrank(ctxHolding(BUILTIN_ROLE_CAPABILITIES.network_admin ?? []), owner)).toEqual([])
  })

  it('lets the system actor act on anyone', () => {
    const system = ctxHolding([], { kind: 'system', reason: 'test' })
    expect(
      missingToOutrank(system, { ...noStanding, networkRole: builtin('network_admin'), ownsSite: true }),
    ).toEqual([])
  })
})
