import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import tls from 'node:tls'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '../../../test/harness/wait.ts'
import { isAppError } from '../errors/index.ts'
import { fetchRemoteFile, type RemoteFetchOptions, type ResolvedAddress } from './remote-fetch.ts'

/**
 * Real servers on 127.0.0.1. Loopback is exactly what the fetcher refuses, so the accepted cases name
 * 127.0.0.1/32 (or a host) in the allow-list, and host names reach the servers through an injected
 * resolver; every other case shows a refusal before any byte is sent.
 */

interface TestServer {
  origin: string
  port: number
  /** Requests received, by path. */
  requests: { path: string; headers: http.IncomingHttpHeaders }[]
  openConnections(): number
  close(): Promise<void>
}

const servers: TestServer[] = []

function track(server: http.Server | https.Server, origin: (port: number) => string): Promise<TestServer> {
  const sockets = new Set<Socket>()
  const requests: TestServer['requests'] = []
  server.on(server instanceof https.Server ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  server.on('request', (req: http.IncomingMessage) =>
    requests.push({ path: req.url ?? '', headers: req.headers }),
  )
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port
      const started: TestServer = {
        origin: origin(port),
        port,
        requests,
        openConnections: () => sockets.size,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          }),
      }
      servers.push(started)
      resolve(started)
    })
  })
}

function startServer(handler: http.RequestListener): Promise<TestServer> {
  return track(http.createServer(handler), (port) => `http://127.0.0.1:${port}`)
}

const LOCAL = { cidrs: ['127.0.0.1/32'] }
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(2_000, 7)])
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/** A resolver that answers from a table, and counts how often it was asked. */
function resolverOf(table: Record<string, string[]>) {
  const asked: string[] = []
  const resolve = async (host: string): Promise<ResolvedAddress[]> => {
    asked.push(host)
    const addresses = table[host]
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
  }
  return { resolve, asked }
}

let dir: string
let destination: string
let counter = 0

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'colophon-remote-fetch-'))
})

afterEach(async () => {
  const started = servers.splice(0)
  try {
    // No connection outlives a fetch, whatever its outcome.
    for (const server of started) {
      await waitFor(() => server.openConnections() === 0, {
        what: () => `the connections to ${server.origin} to close (open: ${server.openConnections()})`,
        timeoutMs: 3_000,
        intervalMs: 20,
      })
    }
  } finally {
    await Promise.all(started.map((server) => server.close()))
  }
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function fetchTo(options: Partial<RemoteFetchOptions> & { url: string }) {
  destination = path.join(dir, `file-${++counter}`)
  return fetchRemoteFile({ destination, maxBytes: 1_000_000, timeoutMs: 5_000, ...options })
}

/** The coded error a fetch fails with, after checking it left no file behind. */
async function failureOf(
  fetching: Promise<unknown>,
): Promise<{ code: string; status: number; details: unknown }> {
  const err = await fetching.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(existsSync(destination), 'the destination is removed after a failure').toBe(false)
  if (!isAppError(err)) throw new Error(`expected a coded error, got ${String(err)}`, { cause: err })
  return { code: err.code, status: err.status, details: err.details }
}

const serveFile: http.RequestListener = (_req, res) => {
  res.writeHead(200, {
    'content-type': 'image/png',
    'content-length': PNG.length,
    'content-disposition': 'attachment; filename="holiday photo.png"',
  })
  res.end(PNG)
}

describe('refused addresses', () => {
  it.each([
    'http://127.0.0.1:PORT/x',
    'http://localhost:PORT/x',
    'http://[::1]:PORT/x',
    'http://127.1:PORT/x',
    'http://2130706433:PORT/x',
    'http://0x7f.1:PORT/x',
    'http://0177.0.0.1:PORT/x',
    'http://[::ffff:7f00:1]:PORT/x',
    'http://[::ffff:127.0.0.1]:PORT/x',
    'http://0.0.0.0:PORT/x',
    'http://0:PORT/x',
  ])('refuses %s without sending a request', async (pattern) => {
    const server = await startServer(serveFile)
    const failure = await failureOf(fetchTo({ url: pattern.replace('PORT', String(server.port)) }))
    expect(failure).toMatchObject({ code: 'COLOPHON_REMOTE_ADDRESS_REFUSED', status: 422 })
    expect(['loopback', 'unspecified']).toContain((failure.details as { range: string }).range)
    expect(server.requests).toEqual([])
  })

  it('refuses the cloud metadata address as link-local', async () => {
    const failure = await failureOf(fetchTo({ url: 'http://169.254.169.254/latest/meta-data/' }))
    expect(failure).toMatchObject({
      code: 'COLOPHON_REMOTE_ADDRESS_REFUSED',
      details: { host: '169.254.169.254', range: 'linkLocal' },
    })
  })

  it('refuses a public-looking host name whose DNS answers 127.0.0.1, or one private address among public ones', async () => {
    const server = await startServer(serveFile)
    const { resolve } = resolverOf({
      'cdn.example.com': ['127.0.0.1'],
      'mixed.example.com': ['93.184.215.14', '10.0.0.7'],
    })
    const one = await failureOf(fetchTo({ url: `http://cdn.example.com:${server.port}/x`, resolve }))
    expect(one).toMatchObject({
      code: 'COLOPHON_REMOTE_ADDRESS_REFUSED',
      details: { host: 'cdn.example.com', range: 'loopback' },
    })
    const mixed = await failureOf(fetchTo({ url: 'http://mixed.example.com/x', resolve }))
    expect(mixed).toMatchObject({ code: 'COLOPHON_REMOTE_ADDRESS_REFUSED', details: { range: 'private' } })
    expect(server.requests).toEqual([])
  })

  it('refuses a redirect from an allowed server to a 127.0.0.1 port the allow-list does not cover', async () => {
    const inside = await startServer(serveFile)
    const allowed = await startServer((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${inside.port}/secret` }).end()
    })
    const { resolve } = resolverOf({ 'files.internal': ['127.0.0.1'] })
    const failure = await failureOf(
      fetchTo({
        url: `http://files.internal:${allowed.port}/a`,
        resolve,
        allow: { hosts: ['files.internal'] },
      }),
    )
    expect(failure).toMatchObject({
      code: 'COLOPHON_REMOTE_ADDRESS_REFUSED',
      details: { host: '127.0.0.1', range: 'loopback' },
    })
    expect(allowed.requests).toHaveLength(1)
    expect(inside.requests).toEqual([])
  })
})

describe('accepted fetches', () => {
  it('downloads a file from an allowed 127.0.0.1: bytes, hash, size, type and the disposition name', async () => {
    const server = await startServer(serveFile)
    const file = await fetchTo({ url: `${server.origin}/media/ignored.bin?x=1#frag`, allow: LOCAL })
    expect(file).toEqual({
      finalUrl: `${server.origin}/media/ignored.bin?x=1`,
      size: PNG.length,
      sha256: sha256(PNG),
      contentType: 'image/png',
      fileName: 'holiday photo.png',
    })
    expect(await readFile(destination)).toEqual(PNG)
    expect((await stat(destination)).mode & 0o777).toBe(0o600)
    expect(server.requests[0]?.headers).toMatchObject({ 'accept-encoding': 'identity', connection: 'close' })
  })

  it('connects to the address it checked, resolving each host once, and sends the host name', async () => {
    const server = await startServer(serveFile)
    const { resolve, asked } = resolverOf({ 'media.example': ['127.0.0.1'] })
    const file = await fetchTo({ url: `http://media.example:${server.port}/a.png`, resolve, allow: LOCAL })
    expect(file.size).toBe(PNG.length)
    expect(asked).toEqual(['media.example'])
    expect(server.requests[0]?.headers.host).toBe(`media.example:${server.port}`)
  })

  it('follows a redirect chain within the allow-list, naming the file after the last path', async () => {
    const second = await startServer((req, res) => {
      if (req.url === '/final/sunset%20view.png') res.writeHead(200, { 'content-type': 'image/png' }).end(PNG)
      else res.writeHead(404).end()
    })
    const first = await startServer((req, res) => {
      if (req.url === '/start') res.writeHead(301, { location: '/step' }).end()
      else if (req.url === '/step') res.writeHead(303, { location: 'step2' }).end()
      else res.writeHead(307, { location: `${second.origin}/final/sunset%20view.png` }).end()
    })
    const file = await fetchTo({ url: `${first.origin}/start`, allow: LOCAL })
    expect(file).toMatchObject({
      finalUrl: `${second.origin}/final/sunset%20view.png`,
      size: PNG.length,
      sha256: sha256(PNG),
      fileName: 'sunset view.png',
    })
    expect(first.requests.map((r) => r.path)).toEqual(['/start', '/step', '/step2'])
  })

  it('accepts a chunked body without Content-Length below the limit', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200)
      res.write(PNG.subarray(0, 1_000))
      res.end(PNG.subarray(1_000))
    })
    const file = await fetchTo({ url: `${server.origin}/x`, allow: LOCAL, maxBytes: PNG.length })
    expect(file).toMatchObject({ size: PNG.length, sha256: sha256(PNG) })
    expect(file.contentType).toBeUndefined()
  })
})

describe('limits', () => {
  it('refuses a Content-Length above maxBytes before reading the body', async () => {
    const server = await startServer((_req, res) => {
      // Headers only: were the body awaited, the fetch would run into its deadline instead.
      res.writeHead(200, { 'content-length': 5_000_000 })
      res.flushHeaders()
    })
    const failure = await failureOf(fetchTo({ url: `${server.origin}/x`, allow: LOCAL, maxBytes: 1_000 }))
    expect(failure).toEqual({ code: 'COLOPHON_REMOTE_TOO_LARGE', status: 413, details: { maxBytes: 1_000 } })
  })

  it('cuts off a body without Content-Length as soon as it passes maxBytes', async () => {
    let sent = 0
    const server = await startServer((_req, res) => {
      res.writeHead(200)
      const chunk = Buffer.alloc(16_384, 1)
      const pump = () => {
        // An endless body: only the client hanging up ends it.
        while (!res.destroyed && res.write(chunk)) sent += chunk.length
        if (!res.destroyed) res.once('drain', pump)
      }
      pump()
    })
    const failure = await failureOf(fetchTo({ url: `${server.origin}/x`, allow: LOCAL, maxBytes: 100_000 }))
    expect(failure).toMatchObject({ code: 'COLOPHON_REMOTE_TOO_LARGE', details: { maxBytes: 100_000 } })
    expect(sent).toBeGreaterThan(100_000)
  })

  it('cuts off a server trickling a byte at a time at the deadline', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': 1_000 })
      const timer = setInterval(() => res.write('x'), 20)
      res.once('close', () => clearInterval(timer))
    })
    const started = Date.now()
    const failure = await failureOf(fetchTo({ url: `${server.origin}/x`, allow: LOCAL, timeoutMs: 300 }))
    expect(failure).toEqual({ code: 'COLOPHON_REMOTE_TIMEOUT', status: 422, details: { timeoutMs: 300 } })
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('gives up on a server that never answers at the deadline', async () => {
    const server = await startServer(() => {})
    const failure = await failureOf(fetchTo({ url: `${server.origin}/x`, allow: LOCAL, timeoutMs: 300 }))
    expect(failure.code).toBe('COLOPHON_REMOTE_TIMEOUT')
  })

  it('counts the resolver against the deadline', async () => {
    const failure = await failureOf(
      fetchTo({ url: 'http://slow-dns.example/x', timeoutMs: 200, resolve: () => new Promise(() => {}) }),
    )
    expect(failure.code).toBe('COLOPHON_REMOTE_TIMEOUT')
  })

  it('stops after maxRedirects', async () => {
    const server = await startServer((req, res) => {
      res.writeHead(302, { location: `${req.url ?? ''}x` }).end()
    })
    const failure = await failureOf(fetchTo({ url: `${server.origin}/r`, allow: LOCAL, maxRedirects: 3 }))
    expect(failure).toEqual({
      code: 'COLOPHON_REMOTE_TOO_MANY_REDIRECTS',
      status: 422,
      details: { maxRedirects: 3 },
    })
    expect(server.requests.map((r) => r.path)).toEqual(['/r', '/rx', '/rxx', '/rxxx'])
  })

  it.each([404, 500, 204, 206, 304])('refuses a %i answer with its status', async (status) => {
    const server = await startServer((_req, res) => res.writeHead(status).end())
    const failure = await failureOf(fetchTo({ url: `${server.origin}/x`, allow: LOCAL }))
    expect(failure).toEqual({ code: 'COLOPHON_REMOTE_UNEXPECTED_STATUS', status: 422, details: { status } })
  })

  it('refuses a compressed answer rather than inflate it', async () => {
    const server = await startServer((_req, res) =>
      res.writeHead(200, { 'content-encoding': 'gzip' }).end('x'),
    )
    const failure = await failureOf(fetchTo({ url: `${server.origin}/x`, allow: LOCAL }))
    expect(failure).toMatchObject({
      code: 'COLOPHON_REMOTE_ENCODING_UNSUPPORTED',
      details: { encoding: 'gzip' },
    })
  })
})

describe('other failures', () => {
  it.each([
    ['ftp://example.com/a.png', 'scheme'],
    ['http://user:pass@example.com/a.png', 'credentials'],
    ['example.com/a.png', 'malformed'],
  ])('refuses the URL %s (%s)', async (url, reason) => {
    const failure = await failureOf(fetchTo({ url }))
    expect(failure).toEqual({ code: 'COLOPHON_REMOTE_URL_INVALID', status: 400, details: { reason } })
  })

  it('refuses redirects it cannot follow', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/none') res.writeHead(302).end()
      else res.writeHead(301, { location: 'file:///etc/passwd' }).end()
    })
    expect(await failureOf(fetchTo({ url: `${server.origin}/none`, allow: LOCAL }))).toMatchObject({
      code: 'COLOPHON_REMOTE_REDIRECT_REFUSED',
      details: { reason: 'missingLocation' },
    })
    expect(await failureOf(fetchTo({ url: `${server.origin}/file`, allow: LOCAL }))).toMatchObject({
      code: 'COLOPHON_REMOTE_REDIRECT_REFUSED',
      details: { reason: 'scheme' },
    })
  })

  it('reports a name that does not resolve', async () => {
    const { resolve } = resolverOf({})
    const failure = await failureOf(fetchTo({ url: 'http://no-such-host.example/x', resolve }))
    expect(failure).toEqual({
      code: 'COLOPHON_REMOTE_DNS_FAILED',
      status: 422,
      details: { host: 'no-such-host.example' },
    })
  })

  it('reports a refused connection', async () => {
    const server = await startServer(serveFile)
    const port = server.port
    await servers.splice(servers.indexOf(server), 1)[0]?.close()
    const failure = await failureOf(fetchTo({ url: `http://127.0.0.1:${port}/x`, allow: LOCAL }))
    expect(failure).toMatchObject({
      code: 'COLOPHON_REMOTE_CONNECTION_FAILED',
      details: { reason: 'ECONNREFUSED' },
    })
  })

  it('reports a body cut short by the server', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': 1_000 })
      res.write('only a part', () => res.destroy())
    })
    const failure = await failureOf(fetchTo({ url: `${server.origin}/x`, allow: LOCAL }))
    expect(failure.code).toBe('COLOPHON_REMOTE_CONNECTION_FAILED')
  })

  it("rejects with the caller's reason when its signal aborts mid-body", async () => {
    const controller = new AbortController()
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': 1_000 })
      res.write('x', () => controller.abort(new Error('editor cancelled')))
    })
    destination = path.join(dir, `file-${++counter}`)
    await expect(
      fetchRemoteFile({
        url: `${server.origin}/x`,
        destination,
        allow: LOCAL,
        maxBytes: 1_000,
        timeoutMs: 5_000,
        signal: controller.signal,
      }),
    ).rejects.toThrow('editor cancelled')
    expect(existsSync(destination)).toBe(false)
  })

  it('keeps the system error when the destination cannot be created, and closes the connection', async () => {
    const server = await startServer(serveFile)
    destination = path.join(dir, 'missing-folder', 'file')
    await expect(
      fetchRemoteFile({
        url: `${server.origin}/x`,
        destination,
        allow: LOCAL,
        maxBytes: 1_000_000,
        timeoutMs: 5_000,
      }),
    ).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('never overwrites an existing destination', async () => {
    const server = await startServer(serveFile)
    destination = path.join(dir, `file-${++counter}`)
    await writeFile(destination, 'kept')
    await expect(
      fetchRemoteFile({
        url: `${server.origin}/x`,
        destination,
        allow: LOCAL,
        maxBytes: 1_000_000,
        timeoutMs: 5_000,
      }),
    ).rejects.toMatchObject({ code: 'EEXIST' })
    expect(await readFile(destination, 'utf8')).toBe('kept')
  })
})

/** A self-signed certificate for media.test, made by the openssl command line when it is installed. */
function selfSignedCertificate(): { key: string; cert: string } | undefined {
  const certDir = mkdtempSync(path.join(tmpdir(), 'colophon-remote-cert-'))
  try {
    const key = path.join(certDir, 'key.pem')
    const cert = path.join(certDir, 'cert.pem')
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
        ...['-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=media.test'],
        ...['-addext', 'subjectAltName=DNS:media.test'],
      ],
      { stdio: 'ignore' },
    )
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') }
  } catch {
    return undefined
  } finally {
    rmSync(certDir, { recursive: true, force: true })
  }
}

const certificate = selfSignedCertificate()

describe.skipIf(certificate === undefined)('https (self-signed certificate from openssl)', () => {
  const { resolve } = resolverOf({ 'media.test': ['127.0.0.1'], 'other.test': ['127.0.0.1'] })
  let servernames: string[]

  function startHttpsServer(handler: http.RequestListener): Promise<TestServer> {
    const server = https.createServer(certificate as { key: string; cert: string }, handler)
    servernames = []
    server.on('secureConnection', (socket: tls.TLSSocket) => servernames.push(String(socket.servername)))
    return track(server, (port) => `https://media.test:${port}`)
  }

  it('verifies the certificate: an untrusted one fails the connection', async () => {
    const server = await startHttpsServer(serveFile)
    const failure = await failureOf(fetchTo({ url: `${server.origin}/a.png`, resolve, allow: LOCAL }))
    expect(failure).toMatchObject({
      code: 'COLOPHON_REMOTE_CONNECTION_FAILED',
      details: { reason: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
    })
  })

  describe('with the certificate trusted', () => {
    const defaults = tls.getCACertificates('default')
    beforeAll(() => tls.setDefaultCACertificates([...defaults, (certificate as { cert: string }).cert]))
    afterAll(() => tls.setDefaultCACertificates(defaults))

    it('downloads over TLS, sending the host name (not the address) as SNI', async () => {
      const server = await startHttpsServer(serveFile)
      const file = await fetchTo({ url: `${server.origin}/a.png`, resolve, allow: LOCAL })
      expect(file).toMatchObject({ size: PNG.length, sha256: sha256(PNG), fileName: 'holiday photo.png' })
      expect(servernames).toEqual(['media.test'])
    })

    it('checks the certificate against the host name: another name on the same address fails', async () => {
      const server = await startHttpsServer(serveFile)
      const failure = await failureOf(
        fetchTo({ url: `https://other.test:${server.port}/a.png`, resolve, allow: LOCAL }),
      )
      expect(failure).toMatchObject({
        code: 'COLOPHON_REMOTE_CONNECTION_FAILED',
        details: { reason: 'ERR_TLS_CERT_ALTNAME_INVALID' },
      })
    })

    it('refuses a redirect from https to http', async () => {
      const plain = await startServer(serveFile)
      const server = await startHttpsServer((_req, res) => {
        res.writeHead(302, { location: `${plain.origin}/a.png` }).end()
      })
      const failure = await failureOf(fetchTo({ url: `${server.origin}/a.png`, resolve, allow: LOCAL }))
      expect(failure).toMatchObject({
        code: 'COLOPHON_REMOTE_REDIRECT_REFUSED',
        details: { reason: 'downgrade' },
      })
      expect(plain.requests).toEqual([])
    })
  })
})
