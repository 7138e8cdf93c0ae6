import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto'
import { SecurityErrors } from './security.errors.ts'

/**
 * Secrets at rest (2FA secrets, queued mail bodies): AES-256-GCM under a keyring of one current key and
 * any number of previous ones. A sealed value reads `v1:<key id>:<base64url(nonce ‖ tag ‖ ciphertext)>`:
 * the key id names the key that opens it, so keys rotate while older values stay readable until they are
 * sealed again under the current key. Key ids are derived from the keys themselves (a fingerprint), so
 * operators only ever handle keys.
 *
 * Every value is sealed for a `context` (for example `user_totp:<user id>`), bound as additional
 * authenticated data together with the version and key id: a value copied into another row, or under
 * another key id, does not open.
 */

const VERSION = 'v1'
const PREFIX = `${VERSION}:`
const ALGORITHM = 'aes-256-gcm'
const KEY_BYTES = 32
const NONCE_BYTES = 12
const TAG_BYTES = 16
const MAC_BYTES = 16
const SEALED = /^v1:([0-9a-f]{16}):([A-Za-z0-9_-]+)$/
const KEY_TEXT = /^[A-Za-z0-9+/_-]{43}=?$/

export interface SecretBox {
  /** The id of the key new values are sealed with. */
  readonly currentKeyId: string
  /** Every key id the box can open, the current one first. */
  readonly keyIds: readonly string[]
  /** Seals `plain` for `context` under the current key. */
  seal(plain: string, context: string): string
  /**
   * Opens a sealed value. Throws COLOPHON_SECURITY_SECRET_KEY_UNKNOWN when its key is not in the ring,
   * COLOPHON_SECURITY_SECRET_UNREADABLE when it is malformed, altered or sealed for another context.
   */
  open(sealed: string, context: string): string
  /** Whether `value` has the shape of a sealed value (legacy clear values do not). */
  isSealed(value: string): boolean
  /** Whether `value` is sealed under the current key (nothing to re-seal). */
  isCurrent(value: string): boolean
  /** The key id of a sealed value, or null for anything else. */
  keyIdOf(value: string): string | null
  /**
   * A message authentication code of `message` for `purpose` (base64url, 22 characters): HMAC-SHA-256
   * under a key derived from the current key for that purpose alone, cut to 128 bits. For values handed
   * out and checked later, such as signed URLs.
   */
  mac(purpose: string, message: string): string
  /** Whether `code` is the `mac` of `message` for `purpose` under any key of the ring (constant time). */
  verifyMac(purpose: string, message: string, code: string): boolean
}

/**
 * Reads a key as configured: 32 bytes in base64 or base64url (`openssl rand -base64 32`). Throws a
 * TypeError that never quotes the value.
 */
export function parseKey(text: string): Buffer {
  const trimmed = text.trim()
  const key = KEY_TEXT.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0)
  if (key.length !== KEY_BYTES) throw new TypeError('an encryption key must be 32 bytes in base64')
  return key
}

/** A new random key in the configured form. */
export function generateKeyText(): string {
  return randomBytes(KEY_BYTES).toString('base64')
}

/** The public name of a key: 16 hex digits of a domain-separated SHA-256 (reveals nothing usable). */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('colophon secret-box key id\n').update(key).digest('hex').slice(0, 16)
}

function aadOf(keyId: string, context: string): Buffer {
  return Buffer.from(`${VERSION}\n${keyId}\n${context}`, 'utf8')
}

export function createSecretBox(keys: { current: Buffer; previous?: readonly Buffer[] }): SecretBox {
  const ring = new Map<string, Buffer>()
  for (const key of [keys.current, ...(keys.previous ?? [])]) {
    if (key.length !== KEY_BYTES) throw new TypeError('an encryption key must be 32 bytes')
    const id = keyIdOf(key)
    if (!ring.has(id)) ring.set(id, key)
  }
  const currentKeyId = keyIdOf(keys.current)

  // One derived key per key and purpose, made on first use: a MAC key never doubles as the cipher key.
  const macKeys = new Map<string, Buffer>()
  function macKey(key: Buffer, purpose: string): Buffer {
    const id = `${keyIdOf(key)}\n${purpose}`
    let derived = macKeys.get(id)
    if (!derived) {
      derived = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `colophon mac\n${purpose}`, 32))
      macKeys.set(id, derived)
    }
    return derived
  }
  const macWith = (key: Buffer, purpose: string, message: string): Buffer =>
    createHmac('sha256', macKey(key, purpose)).update(message, 'utf8').digest().subarray(0, MAC_BYTES)

  function keyIdOfValue(value: string): string | null {
    return SEALED.exec(value)?.[1] ?? null
  }

  return {
    currentKeyId,
    keyIds: [...ring.keys()],
    seal(plain, context) {
      const nonce = randomBytes(NONCE_BYTES)
      const cipher = createCipheriv(ALGORITHM, keys.current, nonce, { authTagLength: TAG_BYTES })
      cipher.setAAD(aadOf(currentKeyId, context))
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      const packed = Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64url')
      return `${PREFIX}${currentKeyId}:${packed}`
    },
    open(sealed, context) {
      const match = SEALED.exec(sealed)
      if (!match) throw SecurityErrors.secretUnreadable({ details: { reason: 'malformed' } })
      const keyId = match[1] as string
      const key = ring.get(keyId)
      if (!key) throw SecurityErrors.secretKeyUnknown({ details: { keyId } })
      const packed = Buffer.from(match[2] as string, 'base64url')
      if (packed.length < NONCE_BYTES + TAG_BYTES) {
        throw SecurityErrors.secretUnreadable({ details: { reason: 'malformed', keyId } })
      }
      try {
        const decipher = createDecipheriv(ALGORITHM, key, packed.subarray(0, NONCE_BYTES), {
          authTagLength: TAG_BYTES,
        })
        decipher.setAAD(aadOf(keyId, context))
        decipher.setAuthTag(packed.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES))
        const plain = Buffer.concat([
          decipher.update(packed.subarray(NONCE_BYTES + TAG_BYTES)),
          decipher.final(),
        ])
        return plain.toString('utf8')
      } catch (err) {
        throw SecurityErrors.secretUnreadable({ details: { reason: 'integrity', keyId }, cause: err })
      }
    },
    isSealed: (value) => value.startsWith(PREFIX),
    isCurrent: (value) => keyIdOfValue(value) === currentKeyId,
    keyIdOf: keyIdOfValue,
    mac: (purpose, message) => macWith(keys.current, purpose, message).toString('base64url'),
    verifyMac(purpose, message, code) {
      const given = Buffer.from(code, 'base64url')
      if (given.length !== MAC_BYTES || given.toString('base64url') !== code) return false
      return [...ring.values()].some((key) => timingSafeEqual(macWith(key, purpose, message), given))
    },
  }
}
