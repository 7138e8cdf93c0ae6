import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Fastify from 'fastify'
import { enforceAccessDeclarations } from '../platform/http/index.ts'
import { createTestApp, errorOf, queryCount, type TestApp } from '../../test/harness/test-app.ts'

let a: TestApp
beforeAll(async () => {
  a = await createTestApp({
    state: 'ready',
    config: { bodyLimit: 2048, setupRateLimit: 1000, authRateLimit: 1000, authAccountRateLimit: 1000 },
  })
})
afterAll(() => a.close())

const post = (payload: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  a.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload, headers })

describe('error envelope', () => {
  it('answers malformed JSON with COLOPHON_HTTP_MALFORMED_JSON', async () => {
    const res = await post('{"email": ')
    expect(res.statusCode).toBe(400)
    expect(errorOf(res)).toMatchObject({
      code: 'COLOPHON_HTTP_MALFORMED_JSON',
      requestId: res.headers['x-request-id'],
    })
  })

  it('answers an empty JSON body with COLOPHON_HTTP_EMPTY_BODY', async () => {
    const res = await post('')
    expect(res.statusCode).toBe(400)
    expect(errorOf(res).code).toBe('COLOPHON_HTTP_EMPTY_BODY')
  })

  it('answers wrong types with per-field validation details, never coercing body values', async () => {
    const wrong = await post(JSON.stringify({ email: 42, password: 'x' }))
    expect(wrong.statusCode).toBe(400)
    expect(errorOf(wrong)).toMatchObject({
      code: 'COLOPHON_HTTP_VALIDATION_FAILED',
      details: { location: 'body', issues: [{ path: '/email' }] },
    })
    const numberAsString = await post(JSON.stringify({ email: 'a@example.com', password: 12345678901 }))
    expect(errorOf(numberAsString)).toMatchObject({
      code: 'COLOPHON_HTTP_VALIDATION_FAILED',
      details: { issues: [{ path: '/password' }] },
    })
    for (const payload of [
      '[]',
      '"text"',
      '{"email":["a@example.com"],"password":"x"}',
      '{"email":{"$ne":""},"password":"x"}',
    ]) {
      const res = await post(payload)
      expect(res.statusCode, payload).toBe(400)
      expect(errorOf(res).code).toBe('COLOPHON_HTTP_VALIDATION_FAILED')
    }
  })

  it('refuses unknown properties instead of dropping them', async () => {
    const res = await post(JSON.stringify({ email: 'a@example.com', password: 'x', isAdmin: true }))
    expect(res.statusCode).toBe(400)
    expect(errorOf(res).code).toBe('COLOPHON_HTTP_VALIDATION_FAILED')
  })

  it('answers unknown routes with COLOPHON_HTTP_NOT_FOUND, whatever the path trickery', async () => {
    for (const url of [
      '/api/v1/nope',
      '/api/v1/setup/',
      '/API/V1/SETUP',
      '/api/v1/%2e%2e/setup',
      '//api/v1/setup/migrations',
      '/%ff',
    ]) {
      const res = await a.server.inject({ method: 'GET', url })
      expect([400, 404], `${url} ${res.body}`).toContain(res.statusCode)
      expect(errorOf(res).code, url).toMatch(/^COLOPHON_HTTP_(NOT_FOUND|BAD_REQUEST)$/)
    }
    const wrongMethod = await a.server.inject({ method: 'DELETE', url: '/api/v1/setup' })
    expect(errorOf(wrongMethod).code).toBe('COLOPHON_HTTP_NOT_FOUND')
  })

  it('answers oversized bodies with 413 COLOPHON_HTTP_BODY_TOO_LARGE', async () => {
    const res = await post(JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(4000) }))
    expect(res.statusCode).toBe(413)
    expect(errorOf(res).code).toBe('COLOPHON_HTTP_BODY_TOO_LARGE')
  })

  it('answers an unsupported content type with 415', async () => {
    const res = await post('email=a', { 'content-type': 'application/x-www-form-urlencoded' })
    expect(res.statusCode).toBe(415)
    expect(errorOf(res).code).toBe('COLOPHON_HTTP_UNSUPPORTED_MEDIA_TYPE')
  })
})

describe('request context', () => {
  it('gives every response a request id, keeping a safe incoming one and replacing a forged one', async () => {
    const own = await a.server.inject({ method: 'GET', url: '/health' })
    expect(own.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    const kept = await a.server.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'lb-1234.abc' },
    })
    expect(kept.headers['x-request-id']).toBe('lb-1234.abc')
    const forged = await a.server.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'a\nfake log line' },
    })
    expect(forged.headers['x-request-id']).not.toContain('fake')
  })

  it('reports the query count in Server-Timing', async () => {
    const health = await a.server.inject({ method: 'GET', url: '/health' })
    expect(queryCount(health)).toBe(0)
    const setup = await a.server.inject({ method: 'GET', url: '/api/v1/setup' })
    expect(queryCount(setup)).toBeGreaterThan(0)
    expect(queryCount(setup)).toBeLessThanOrEqual(5)
  })

  it('sends security headers', async () => {
    const res = await a.server.inject({ method: 'GET', url: '/health' })
    expect(res.headers['content-security-policy']).toContain("default-src 'self'")
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN')
  })

  it('supports conditional requests with ETags', async () => {
    const first = await a.server.inject({ method: 'GET', url: '/api/v1/openapi.json' })
    const etag = String(first.headers.etag)
    const second = await a.server.inject({
      method: 'GET',
      url: '/api/v1/openapi.json',
      headers: { 'if-none-match': etag },
    })
    expect(second.statusCode).toBe(304)
  })
})

describe('operations endpoints', () => {
  it('serves /health and /ready', async () => {
    expect((await a.server.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' })
    expect((await a.server.inject({ method: 'GET', url: '/ready' })).json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', schema: 'current', setup: 'ready' },
    })
  })

  it('serves Prometheus metrics with the HTTP histogram by route pattern and status', async () => {
    await a.server.inject({ method: 'GET', url: '/api/v1/unknown-thing-123' })
    const res = await a.server.inject({ method: 'GET', url: '/metrics' })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('colophon_process_cpu_user_seconds_total')
    expect(res.body).toMatch(
      /colophon_http_request_duration_seconds_count\{method="GET",route="\/health",status_code="200"\}/,
    )
    expect(res.body).toContain('route="unmatched"')
    expect(res.body).not.toContain('unknown-thing-123')
  })

  it('serves the OpenAPI document generated from the route schemas, and Swagger UI', async () => {
    const doc = (await a.server.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as {
      openapi: string
      paths: Record<string, Record<string, { description?: string; requestBody?: unknown }>>
    }
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/setup', '/api/v1/setup/migrations', '/health', '/ready']),
    )
    expect(doc.paths['/api/v1/setup']?.post?.requestBody).toBeDefined()
    expect(doc.paths['/api/v1/setup']?.post?.description).toMatch(/setup token/)
    const ui = await a.server.inject({ method: 'GET', url: '/api/docs/' })
    expect(ui.statusCode).toBe(200)
    expect(ui.headers['content-type']).toContain('text/html')
  })
})

describe('metrics in production', () => {
  let prod: TestApp
  beforeAll(async () => {
    prod = await createTestApp({
      state: 'ready',
      config: { env: 'production', metricsToken: 'metrics-token-0123456789' },
    })
  })
  afterAll(() => prod.close())

  it('needs the bearer token from a remote address, even with a forged X-Forwarded-For', async () => {
    const fromRemote = (headers: Record<string, string>) =>
      prod.server.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9', headers })
    const anonymous = await fromRemote({ 'x-forwarded-for': '127.0.0.1' })
    expect(anonymous.statusCode).toBe(403)
    expect(errorOf(anonymous).code).toBe('COLOPHON_HTTP_METRICS_FORBIDDEN')
    expect((await fromRemote({ authorization: 'Bearer nope' })).statusCode).toBe(403)
    const ok = await fromRemote({ authorization: 'Bearer metrics-token-0123456789' })
    expect(ok.statusCode).toBe(200)
  })

  it('is open to loopback callers and sends no query timing header', async () => {
    const res = await prod.server.inject({ method: 'GET', url: '/metrics' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['server-timing']).toBeUndefined()
  })
})

describe('route access declarations', () => {
  it('refuse to register a route that does not say who may call it', async () => {
    const server = Fastify()
    enforceAccessDeclarations(server)
    expect(() => server.get('/undeclared', async () => 'x')).toThrow(/no config.access declaration/)
    await server.close()
  })
})

describe('API documentation', () => {
  it('gives every API operation a tag, a summary and a description', async () => {
    const doc = (await a.server.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as {
      paths: Record<string, Record<string, { tags?: string[]; summary?: string; description?: string }>>
    }
    const missing: string[] = []
    for (const [path, operations] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/v1/')) continue
      for (const [method, op] of Object.entries(operations)) {
        if (!op.tags?.length || !op.summary || !op.description)
          missing.push(`${method.toUpperCase()} ${path}`)
      }
    }
    expect(missing).toEqual([])
  })
})
