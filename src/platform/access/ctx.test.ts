import { describe, expect, it } from 'vitest'
import { can, createCtx, grants, type Actor } from './ctx.ts'
import type { Orm } from '../db/index.ts'

const log = { info() {}, warn() {}, error() {} }
const user: Actor = { kind: 'user', userId: 'u1', email: 'u1@example.com', name: 'U', sessionId: 's' }
const ctxWith = (capabilities: string[]) => createCtx({ orm: {} as Orm, actor: user, capabilities, log })

describe('grants', () => {
  it('grants a capability held by name', () => {
    expect(grants(new Set(['site.types.manage']), 'site.types.manage')).toBe(true)
    expect(grants(new Set(['site.types.manage']), 'site.types')).toBe(false)
  })

  it('grants .own through .any, never the other way round', () => {
    expect(grants(new Set(['site.content.edit.any']), 'site.content.edit.own')).toBe(true)
    expect(grants(new Set(['site.content.edit.own']), 'site.content.edit.any')).toBe(false)
    expect(grants(new Set(['site.content.delete.any']), 'site.content.edit.own')).toBe(false)
  })
})

describe('can', () => {
  it('decides a route’s .own capability the way the gate does', () => {
    expect(can(ctxWith(['site.content.edit.any']), 'site.content.edit.own')).toBe(true)
    expect(can(ctxWith([]), 'site.content.edit.own')).toBe(false)
  })

  it('lets .own act on the actor’s resources only, and .any on everyone’s', () => {
    const own = ctxWith(['site.content.edit.own'])
    expect(can(own, 'site.content.edit', { ownerId: 'u1' })).toBe(true)
    expect(can(own, 'site.content.edit', { ownerId: 'u2' })).toBe(false)
    expect(can(ctxWith(['site.content.edit.any']), 'site.content.edit', { ownerId: 'u2' })).toBe(true)
  })
})
