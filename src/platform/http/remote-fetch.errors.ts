import { defineError } from '../errors/index.ts'

/**
 * Failures of `fetchRemoteFile`. Everything the remote side causes is a 4xx: to the API client the URL it
 * gave cannot be imported, which is bad input, and a 5xx would count a stranger's slow or broken server
 * as a fault of ours (alerts, client retries). Only our own faults (the destination cannot be written)
 * stay uncoded and become the generic 500.
 */
export const RemoteFetchErrors = {
  /** The URL given is not `http:`/`https:`, carries `user:pass@`, or does not parse. `details.reason`. */
  urlInvalid: defineError(
    'COLOPHON_REMOTE_URL_INVALID',
    400,
    'The address must be an http or https URL without a user name or password.',
  ),
  /**
   * The host (or one of its DNS addresses) lies in a range imports may not reach: loopback, private,
   * link-local, reserved and the like. `details.host` and `details.range` name it; the resolved address
   * itself is not shown, since it would let anyone who can start imports map internal DNS names to
   * internal addresses.
   */
  addressRefused: defineError(
    'COLOPHON_REMOTE_ADDRESS_REFUSED',
    422,
    'The address leads to a private, local or reserved network, which imports may not reach.',
  ),
  /** The host name does not resolve (no such name, no address, or the resolver failed). `details.host`. */
  dnsFailed: defineError(
    'COLOPHON_REMOTE_DNS_FAILED',
    422,
    'The host name of the address could not be found.',
  ),
  /**
   * Connecting, the TLS handshake (an invalid certificate included) or the transfer failed.
   * `details.reason` is the system or TLS error code (`ECONNREFUSED`, `CERT_HAS_EXPIRED`, …).
   */
  connectionFailed: defineError(
    'COLOPHON_REMOTE_CONNECTION_FAILED',
    422,
    'The remote server could not be reached, or it broke off the transfer.',
  ),
  /**
   * A redirect that may not be followed: no `Location`, a malformed one, another scheme, credentials in
   * it, or `https:` to `http:`. `details.reason` says which.
   */
  redirectRefused: defineError(
    'COLOPHON_REMOTE_REDIRECT_REFUSED',
    422,
    'The remote server redirected to an address that cannot be followed.',
  ),
  /** More redirects than allowed. `details.maxRedirects` is the limit. */
  tooManyRedirects: defineError(
    'COLOPHON_REMOTE_TOO_MANY_REDIRECTS',
    422,
    'The remote server redirected too many times.',
  ),
  /** The final answer was not `200 OK`. `details.status` is the remote's status code. */
  unexpectedStatus: defineError(
    'COLOPHON_REMOTE_UNEXPECTED_STATUS',
    422,
    'The remote server did not answer with the file.',
  ),
  /** The answer was compressed although `identity` was asked for. `details.encoding` names it. */
  encodingUnsupported: defineError(
    'COLOPHON_REMOTE_ENCODING_UNSUPPORTED',
    422,
    'The remote server sent the file compressed although an uncompressed copy was asked for.',
  ),
  /** `Content-Length`, or the bytes received, passed the limit. `details.maxBytes` is the limit. */
  tooLarge: defineError(
    'COLOPHON_REMOTE_TOO_LARGE',
    413,
    'The remote file is larger than this server accepts.',
  ),
  /** The whole fetch (redirects and body included) ran past its deadline. `details.timeoutMs`. */
  timeout: defineError('COLOPHON_REMOTE_TIMEOUT', 422, 'The remote server did not deliver the file in time.'),
}
