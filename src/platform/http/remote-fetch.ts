import { createHash } from 'node:crypto'
import { lookup as dnsLookup } from 'node:dns/promises'
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import http, { type ClientRequest, type IncomingMessage } from 'node:http'
import https from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { once } from 'node:events'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { isAppError } from '../errors/index.ts'
import {
  compileAllowList,
  refusedRangeOf,
  type CompiledAllowList,
  type RemoteAllowList,
} from './remote-address.rules.ts'
import { RemoteFetchErrors } from './remote-fetch.errors.ts'
import {
  bareHostOf,
  isRedirectStatus,
  mediaTypeOf,
  remoteFileNameOf,
  remoteUrlOf,
} from './remote-fetch.rules.ts'

/** One address a host name resolves to, as `dns.lookup(host, { all: true })` gives it. */
export interface ResolvedAddress {
  address: string
  family: number
}

export interface RemoteFetchOptions {
  url: string
  /**
   * Written here (created with mode 0o600, flushed to disk); removed again on any failure. It must not
   * exist yet: an existing file is never overwritten (the fetch fails with the system's `EEXIST`).
   */
  destination: string
  maxBytes: number
  /** Whole fetch deadline including name resolution, redirects and body, ms. */
  timeoutMs: number
  /** Default 5; 0 refuses every redirect. */
  maxRedirects?: number
  /**
   * Operator allow-list: host names (exact, lowercase; IPv6 literals without brackets) and CIDR ranges
   * that may be reached even though private.
   */
  allow?: RemoteAllowList
  userAgent?: string
  /** Aborts the fetch; the promise then rejects with the signal's reason. */
  signal?: AbortSignal
  /** Resolves a host name to all its addresses. Default `dns.lookup(host, { all: true })`; tests swap it. */
  resolve?: (host: string) => Promise<readonly ResolvedAddress[]>
}

export interface RemoteFile {
  /** The URL the file came from, after redirects, without its fragment. */
  finalUrl: string
  size: number
  /** Lowercase hex. */
  sha256: string
  /** `type/subtype` from `Content-Type`, lowercased, parameters dropped; a claim of the server only. */
  contentType?: string
  /** From Content-Disposition or the path's last segment, cleaned. */
  fileName?: string
}

const DEFAULT_MAX_REDIRECTS = 5
const DEFAULT_USER_AGENT = 'Colophon (media import)'
// setTimeout treats anything longer as 1 ms.
const MAX_TIMER_MS = 2 ** 31 - 1

const defaultResolve = (host: string) => dnsLookup(host, { all: true })

/**
 * Downloads one file from a URL an editor gave, without letting the URL reach the server's own networks
 * (SSRF): every host, the first and each redirect's, is resolved once, refused unless all its addresses
 * are public (or allowed by the operator), and the connection goes to exactly the addresses checked, so
 * a DNS answer that changes between check and connect (rebinding) gains nothing. TLS still verifies the
 * certificate against the host name. The body streams to `destination`, hashed and counted, cut off
 * past `maxBytes`; `timeoutMs` bounds everything. Failures are `RemoteFetchErrors`; the caller's abort
 * rejects with its reason; a destination that cannot be written keeps its system error.
 */
export async function fetchRemoteFile(options: RemoteFetchOptions): Promise<RemoteFile> {
  const allow = compileAllowList(options.allow)
  const first = remoteUrlOf(options.url)
  if (typeof first === 'string') throw RemoteFetchErrors.urlInvalid({ details: { reason: first } })
  const deadline = startDeadline(options.timeoutMs, options.signal)
  try {
    return await followToFile(first, options, allow, deadline.signal)
  } catch (err) {
    throw deadline.signal.aborted ? deadline.signal.reason : err
  } finally {
    deadline.dispose()
  }
}

async function followToFile(
  start: URL,
  options: RemoteFetchOptions,
  allow: CompiledAllowList,
  signal: AbortSignal,
): Promise<RemoteFile> {
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS
  let url = start
  for (let redirects = 0; ; redirects++) {
    const addresses = await checkedAddresses(url, allow, options.resolve ?? defaultResolve, signal)
    const { request, response } = await openResponse(url, addresses, signal, options.userAgent)
    try {
      const status = response.statusCode ?? 0
      if (isRedirectStatus(status)) {
        if (redirects >= maxRedirects) throw RemoteFetchErrors.tooManyRedirects({ details: { maxRedirects } })
        url = redirectTarget(url, response.headers.location)
        continue
      }
      assertAcceptable(response, options.maxBytes)
      const written = await writeBody(response, options.destination, options.maxBytes)
      return {
        finalUrl: url.href,
        ...written,
        contentType: mediaTypeOf(response.headers['content-type']),
        fileName: remoteFileNameOf(response.headers['content-disposition'], url),
      }
    } finally {
      // No connection outlives its hop: with no agent, destroying the request closes its socket.
      request.destroy()
    }
  }
}

interface Deadline {
  signal: AbortSignal
  dispose(): void
}

/** One signal for the whole fetch: the timeout (reason: the coded timeout error) or the caller's abort. */
function startDeadline(timeoutMs: number, outer: AbortSignal | undefined): Deadline {
  const controller = new AbortController()
  if (outer?.aborted) controller.abort(outer.reason)
  const onOuterAbort = () => controller.abort(outer?.reason)
  outer?.addEventListener('abort', onOuterAbort, { once: true })
  const timer = setTimeout(
    () => controller.abort(RemoteFetchErrors.timeout({ details: { timeoutMs } })),
    Math.min(timeoutMs, MAX_TIMER_MS),
  )
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer)
      outer?.removeEventListener('abort', onOuterAbort)
    },
  }
}

/** Rejects as soon as `signal` aborts, for work that cannot be cancelled (the resolver's thread). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted()
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

async function checkedAddresses(
  url: URL,
  allow: CompiledAllowList,
  resolve: (host: string) => Promise<readonly ResolvedAddress[]>,
  signal: AbortSignal,
): Promise<readonly ResolvedAddress[]> {
  const host = bareHostOf(url)
  const family = isIP(host)
  let addresses: readonly ResolvedAddress[]
  if (family !== 0) addresses = [{ address: host, family }]
  else {
    try {
      addresses = await untilAborted(resolve(host), signal)
    } catch (err) {
      if (signal.aborted) throw err
      throw RemoteFetchErrors.dnsFailed({ details: { host }, cause: err })
    }
    if (addresses.length === 0) throw RemoteFetchErrors.dnsFailed({ details: { host } })
  }
  const addressList = addresses.map((entry) => entry.address)
  const range = refusedRangeOf(allow, host, addressList)
  if (range !== undefined) throw RemoteFetchErrors.addressRefused({ details: { host, range } })
  return addresses
}

/** A `lookup` for the socket that answers with the addresses already checked, never asking DNS again. */
function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 6 ? options.family : 0
    const usable = addresses.filter((entry) => wanted === 0 || entry.family === wanted)
    const firstUsable = usable[0]
    if (firstUsable === undefined) {
      callback(Object.assign(new Error('no checked address of this family'), { code: 'ENOTFOUND' }), '')
    } else if (options.all) {
      callback(
        null,
        usable.map((entry) => ({ ...entry })),
      )
    } else {
      callback(null, firstUsable.address, firstUsable.family)
    }
  }
}

function connectionFailed(err: unknown) {
  const code = (err as { code?: unknown } | null)?.code
  return RemoteFetchErrors.connectionFailed({
    details: { reason: typeof code === 'string' ? code : 'unknown' },
    cause: err,
  })
}

function openResponse(
  url: URL,
  addresses: readonly ResolvedAddress[],
  signal: AbortSignal,
  userAgent: string | undefined,
): Promise<{ request: ClientRequest; response: IncomingMessage }> {
  const host = bareHostOf(url)
  const transport = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const request = transport.request({
      protocol: url.protocol,
      hostname: host,
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: {
        accept: '*/*',
        'accept-encoding': 'identity',
        connection: 'close',
        'user-agent': userAgent ?? DEFAULT_USER_AGENT,
      },
      // A fresh socket per hop, and no proxy from the environment: a pooled socket could lead to another
      // host's addresses, and a proxy would resolve the name again on its own.
      agent: false,
      lookup: pinnedLookup(addresses),
      // The certificate is checked against the host name (SNI too), not against the address dialled.
      ...(isIP(host) === 0 ? { servername: host } : {}),
      signal,
    })
    // Kept for the life of the request: after the answer, a late socket error must not go unhandled.
    request.on('error', (err) => reject(signal.aborted ? signal.reason : connectionFailed(err)))
    request.once('response', (response) => resolve({ request, response }))
    request.end()
  })
}

function redirectTarget(from: URL, location: string | undefined): URL {
  if (location === undefined)
    throw RemoteFetchErrors.redirectRefused({ details: { reason: 'missingLocation' } })
  const target = remoteUrlOf(location, from)
  if (typeof target === 'string') throw RemoteFetchErrors.redirectRefused({ details: { reason: target } })
  return target
}

function assertAcceptable(response: IncomingMessage, maxBytes: number): void {
  if (response.statusCode !== 200) {
    throw RemoteFetchErrors.unexpectedStatus({ details: { status: response.statusCode } })
  }
  const encoding = response.headers['content-encoding']?.trim().toLowerCase()
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    throw RemoteFetchErrors.encodingUnsupported({ details: { encoding } })
  }
  const declared = response.headers['content-length']
  if (declared !== undefined && Number(declared) > maxBytes) {
    throw RemoteFetchErrors.tooLarge({ details: { maxBytes } })
  }
}

/**
 * Streams the body into a new file, counting and hashing on the way; past `maxBytes` the transfer stops
 * at once. The file is only removed when this call created it: an existing file at the destination
 * fails the open and stays as it was.
 */
async function writeBody(
  response: IncomingMessage,
  destination: string,
  maxBytes: number,
): Promise<{ size: number; sha256: string }> {
  const file = createWriteStream(destination, { flags: 'wx', mode: 0o600, flush: true })
  await once(file, 'open')
  const hash = createHash('sha256')
  let size = 0
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length
      if (size > maxBytes) {
        callback(RemoteFetchErrors.tooLarge({ details: { maxBytes } }))
        return
      }
      hash.update(chunk)
      callback(null, chunk)
    },
  })
  try {
    await pipeline(response, meter, file)
  } catch (err) {
    await rm(destination, { force: true })
    // The file's own errors name it (`path`) and stay as they are: a full disk is ours, not the remote's.
    // Anything else is the remote breaking off the transfer.
    if (isAppError(err) || (err as { path?: unknown } | null)?.path === destination) throw err
    throw connectionFailed(err)
  }
  return { size, sha256: hash.digest('hex') }
}
