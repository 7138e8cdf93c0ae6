import { once } from 'node:events'
import { connect, type AddressInfo } from 'node:net'
import { createConfig, lintFromString } from '@redocly/openapi-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Fastify from 'fastify'
import { enforceAccessDeclarations, securityFor } from '../platform/http/index.ts'
import { createTestApp, errorOf, queryCount, type TestApp } from '../../test/harness/test-app.ts'
import { signInAdmin } from '../../test/harness/identity.ts'

let a: TestApp
beforeAll(async () => {
  a = await createTestApp({
    state: 'ready',
    config: { bodyLimit: 2048, setupRateLimit: 1000, authRateLimit: 1000, authAccountRateLimit: 1000 },
  })
})
afterAll(() => a.close())

const post = (
  payload: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) => a.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload, headers })

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
      '/api/v1/%zz',
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

  it('answers an unsupported content type with 415, plain text and non-UTF-8 JSON included', async () => {
    for (const contentType of [
      'application/x-www-form-urlencoded',
      'text/plain',
      'application/json; charset=iso-8859-1',
    ]) {
      const res = await post('email=a', { 'content-type': contentType })
      expect(res.statusCode, contentType).toBe(415)
      expect(errorOf(res).code).toBe('COLOPHON_HTTP_UNSUPPORTED_MEDIA_TYPE')
    }
    const utf8 = await post('{"email":"a@example.com","password":"x"}', {
      'content-type': 'application/json; charset=UTF-8',
    })
    expect(errorOf(utf8).code).toBe('COLOPHON_AUTH_INVALID_CREDENTIALS')
  })
})

describe('invalid text', () => {
  const invalidText = (res: { statusCode: number; body: string }, location: string) => {
    expect(res.statusCode, res.body).toBe(400)
    const error = JSON.parse(res.body).error as { code: string; details: { location: string } }
    expect(error.code).toBe('COLOPHON_HTTP_INVALID_TEXT')
    expect(error.details.location).toBe(location)
  }

  it('refuses NUL and invalid UTF-8 in paths and query strings, known routes or not', async () => {
    for (const url of [
      '/api/v1/sites/%00/entries',
      '/api/v1/sites/%ff/entries',
      '/api/v1/sites/%c3%28/entries',
      '/api/v1/nowhere/%00',
      '/api/v1/%ff',
    ]) {
      invalidText(await a.server.inject({ method: 'GET', url }), 'path')
    }
    // Outside the API an address is a site's page: readers get HTML (the pages' own tests say which).
    const page = await a.server.inject({ method: 'GET', url: '/%ff' })
    expect(page.statusCode).toBe(400)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    for (const query of ['search=%00', 'search=%ff', 'search=%c3%28', 'search=%ed%a0%80', 'x%00=1']) {
      invalidText(
        await a.server.inject({ method: 'GET', url: `/api/v1/sites/main/entries?${query}` }),
        'query',
      )
    }
    const fine = await a.server.inject({ method: 'GET', url: '/api/v1/sites/main/entries?search=caf%C3%A9' })
    expect(fine.statusCode).toBe(200)
  })

  it('refuses NUL, lone surrogates and invalid UTF-8 in JSON bodies, values and keys alike', async () => {
    invalidText(await post('{"email":"a\\u0000@example.com","password":"x"}'), 'body')
    invalidText(await post('{"email":"a@example.com","password":"\\ud800"}'), 'body')
    invalidText(await post('{"email":"a@example.com","password":"x","\\udc00":1}'), 'body')
    invalidText(
      await post(Buffer.concat([Buffer.from('{"email":"'), Buffer.from([0xff]), Buffer.from('"}')])),
      'body',
    )
    const nul = await post('{"email":"a\\u0000@example.com","password":"x"}')
    expect(errorOf(nul).details).toEqual({ location: 'body', path: '/email' })
    const admin = await signInAdmin(a)
    const rename = await admin.request({
      method: 'PATCH',
      url: '/api/v1/auth/me',
      payload: { name: 'a\u0000b' },
    })
    invalidText(rename, 'body')
  })
})

/** Sends raw bytes over a real socket (inject() bypasses Node's HTTP parser) and reads until close. */
async function rawExchange(
  port: number,
  request: string,
): Promise<{ status: number; head: string; body: string }> {
  const socket = connect(port, '127.0.0.1')
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  socket.on('error', () => undefined)
  await once(socket, 'connect')
  socket.write(request)
  await once(socket, 'close')
  const text = Buffer.concat(chunks).toString('utf8')
  const [head = '', body = ''] = text.split('\r\n\r\n')
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), head: head.toLowerCase(), body }
}

describe('requests the HTTP parser refuses', () => {
  let port: number
  beforeAll(async () => {
    await a.server.listen({ host: '127.0.0.1', port: 0 })
    port = (a.server.server.address() as AddressInfo).port
  })

  const expectEnvelope = (res: { body: string; head: string }, code: string) => {
    const error = (JSON.parse(res.body) as { error: { code: string; requestId: string } }).error
    expect(error.code).toBe(code)
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(res.head).toContain(`x-request-id: ${error.requestId}`)
    expect(res.head).toContain('content-type: application/json')
  }

  it('answers a 20 KB header with 431 in the error envelope and closes the connection', async () => {
    const res = await rawExchange(
      port,
      `GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    )
    expect(res.status).toBe(431)
    expect(res.head).toContain('connection: close')
    expectEnvelope(res, 'COLOPHON_HTTP_HEADERS_TOO_LARGE')
  })

  it('answers a malformed header line with 400 in the error envelope', async () => {
    const res = await rawExchange(port, 'GET /health HTTP/1.1\r\nHost: localhost\r\nno colon here\r\n\r\n')
    expect(res.status).toBe(400)
    expect(res.head).toContain('connection: close')
    expectEnvelope(res, 'COLOPHON_HTTP_BAD_REQUEST')
  })

  it('refuses a request with two Host headers (RFC 9112), whatever their values', async () => {
    for (const second of ['localhost', 'other.example.com']) {
      const res = await rawExchange(
        port,
        `GET /health HTTP/1.1\r\nHost: localhost\r\nHost: ${second}\r\nConnection: close\r\n\r\n`,
      )
      expect(res.status).toBe(400)
      expectEnvelope(res, 'COLOPHON_HTTP_DUPLICATE_HOST')
    }
    const single = await rawExchange(
      port,
      'GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    )
    expect(single.status).toBe(200)
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
    // Also on a request the guards refuse before any other hook runs (a NUL in the query).
    const refused = await a.server.inject({ method: 'GET', url: '/api/v1/openapi.json?q=%00' })
    expect(refused.statusCode).toBe(400)
    expect(refused.headers['content-security-policy']).toContain("default-src 'self'")
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
  const TOKEN = 'metrics-token-0123456789'
  let prod: TestApp
  let waived: TestApp
  beforeAll(async () => {
    prod = await createTestApp({ state: 'ready', config: { env: 'production', metricsToken: TOKEN } })
    waived = await createTestApp({
      state: 'ready',
      config: { env: 'production', metricsToken: TOKEN, metricsAllowLoopback: true },
    })
  })
  afterAll(async () => {
    await prod.close()
    await waived.close()
  })

  const scrape = (app: TestApp, remoteAddress: string, headers: Record<string, string> = {}) =>
    app.server.inject({ method: 'GET', url: '/metrics', remoteAddress, headers })

  it('needs the bearer token from a remote address, even with a forged X-Forwarded-For', async () => {
    const anonymous = await scrape(prod, '203.0.113.9', { 'x-forwarded-for': '127.0.0.1' })
    expect(anonymous.statusCode).toBe(403)
    expect(errorOf(anonymous).code).toBe('COLOPHON_HTTP_METRICS_FORBIDDEN')
    expect((await scrape(prod, '203.0.113.9', { authorization: 'Bearer nope' })).statusCode).toBe(403)
    const ok = await scrape(prod, '203.0.113.9', { authorization: `Bearer ${TOKEN}` })
    expect(ok.statusCode).toBe(200)
  })

  it('needs the token from loopback too (a same-host reverse proxy forwards from loopback)', async () => {
    for (const loopback of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const res = await scrape(prod, loopback)
      expect(res.statusCode, loopback).toBe(403)
      expect(errorOf(res).code).toBe('COLOPHON_HTTP_METRICS_FORBIDDEN')
    }
    const ok = await scrape(prod, '127.0.0.1', { authorization: `Bearer ${TOKEN}` })
    expect(ok.statusCode).toBe(200)
    expect(ok.headers['server-timing']).toBeUndefined()
  })

  it('lets loopback callers in without the token only when explicitly waived', async () => {
    expect((await scrape(waived, '127.0.0.1')).statusCode).toBe(200)
    expect((await scrape(waived, '::1')).statusCode).toBe(200)
    const remote = await scrape(waived, '203.0.113.9', { 'x-forwarded-for': '127.0.0.1' })
    expect(remote.statusCode).toBe(403)
  })
})

describe('metrics in production without a token', () => {
  it('refuses every caller, loopback included', async () => {
    const bare = await createTestApp({ state: 'migrated', config: { env: 'production' } })
    try {
      for (const remoteAddress of ['127.0.0.1', '203.0.113.9']) {
        const res = await bare.server.inject({ method: 'GET', url: '/metrics', remoteAddress })
        expect(res.statusCode).toBe(403)
        expect(errorOf(res).code).toBe('COLOPHON_HTTP_METRICS_FORBIDDEN')
      }
    } finally {
      await bare.close()
    }
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
  type Operation = {
    operationId?: string
    tags?: string[]
    summary?: string
    description?: string
    security?: Record<string, string[]>[]
    'x-colophon-capability'?: string
  }
  let doc: {
    paths: Record<string, Record<string, Operation>>
    components: { securitySchemes?: Record<string, Record<string, string>> }
  }
  beforeAll(async () => {
    doc = (await a.server.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
  })
  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
    )

  it('gives every API operation a tag, a summary and a description', () => {
    const missing = operations()
      .filter(
        ({ path, op }) => path.startsWith('/api/v1/') && (!op.tags?.length || !op.summary || !op.description),
      )
      .map(({ method, path }) => `${method} ${path}`)
    expect(missing).toEqual([])
  })

  it('gives every operation a unique camelCase operationId', () => {
    const ids = operations().map(({ op }) => op.operationId)
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][a-zA-Z0-9]*$/.test(id))).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
    expect(doc.paths['/api/v1/sites/{site}/entries/{id}']?.get?.operationId).toBe('getSitesEntriesById')
  })

  it('declares the session cookie, the CSRF header and API keys, and each operation says which it takes', () => {
    expect(doc.components.securitySchemes).toEqual({
      sessionCookie: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'colophon_session' }),
      csrfToken: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-csrf-token' }),
      apiKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    })
    const routeTable = new Map(
      a.routes.map((r) => [`${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`, r.access]),
    )
    const wrong: string[] = []
    for (const { method, path, op } of operations()) {
      const access = routeTable.get(`${method} ${path}`)
      if (!access) {
        wrong.push(`${method} ${path}: not in the route table`)
        continue
      }
      if (JSON.stringify(op.security) !== JSON.stringify(securityFor(access, method)))
        wrong.push(`${method} ${path}`)
      const capability = access.kind === 'capability' ? access.capability : undefined
      if (op['x-colophon-capability'] !== capability) wrong.push(`${method} ${path}: capability`)
    }
    expect(wrong).toEqual([])
    expect(doc.paths['/api/v1/setup']?.get?.security).toEqual([])
    expect(doc.paths['/api/v1/auth/password']?.post?.security).toEqual([{ sessionCookie: [], csrfToken: [] }])
    expect(doc.paths['/api/v1/users']?.get).toMatchObject({
      security: [{ sessionCookie: [] }, { apiKey: [] }],
      'x-colophon-capability': 'network.users.read',
    })
  })

  it('passes the recommended rules of an OpenAPI linter', async () => {
    const config = await createConfig({ extends: ['recommended'] })
    const problems = await lintFromString({
      source: JSON.stringify(doc),
      absoluteRef: 'openapi.json',
      config,
    })
    expect(
      problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`),
    ).toEqual([])
  })
})
