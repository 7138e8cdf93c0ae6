import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { registerSecurityHeaders, securityHeadersOf } from './security-headers.ts'

describe('security headers', () => {
  it('are helmet’s for the given options, computed once', () => {
    const headers = securityHeadersOf({
      strictTransportSecurity: false,
      contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], upgradeInsecureRequests: null } },
    })
    expect(headers['content-security-policy']).toContain("default-src 'self'")
    expect(headers['content-security-policy']).not.toContain('upgrade-insecure-requests')
    expect(headers['x-content-type-options']).toBe('nosniff')
    expect(headers['referrer-policy']).toBe('no-referrer')
    expect(headers['strict-transport-security']).toBeUndefined()
    expect(Object.isFrozen(headers)).toBe(true)
  })

  it('refuse options helmet refuses, at start', () => {
    expect(() =>
      securityHeadersOf({
        contentSecurityPolicy: { useDefaults: false, directives: { scriptSrc: ["'self'"] } },
      }),
    ).toThrow(/default-src/)
  })

  it('go on every reply, the 404 included', async () => {
    const server = Fastify()
    registerSecurityHeaders(server, { contentSecurityPolicy: { directives: { defaultSrc: ["'self'"] } } })
    server.get('/x', async () => ({ ok: true }))
    for (const url of ['/x', '/nowhere']) {
      const res = await server.inject({ url })
      expect(res.headers['content-security-policy']).toContain("default-src 'self'")
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN')
    }
    await server.close()
  })
})
