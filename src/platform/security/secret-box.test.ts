import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { createSecretBox, generateKeyText, keyIdOf, parseKey } from './secret-box.ts'

const keyA = parseKey(generateKeyText())
const keyB = parseKey(generateKeyText())
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return (err as { code?: string }).code
  }
  return undefined
}

describe('secret box', () => {
  it('seals into a versioned envelope naming the key, which never contains the plain text', () => {
    const box = createSecretBox({ current: keyA })
    const sealed = box.seal(SECRET, 'user_totp:u1')
    expect(sealed).toMatch(new RegExp(`^v1:${keyIdOf(keyA)}:[A-Za-z0-9_-]+$`))
    expect(sealed).not.toContain(SECRET)
    expect(box.open(sealed, 'user_totp:u1')).toBe(SECRET)
    expect(box.isSealed(sealed)).toBe(true)
    expect(box.isCurrent(sealed)).toBe(true)
    expect(box.keyIdOf(sealed)).toBe(box.currentKeyId)
  })

  it('uses a fresh nonce for every seal', () => {
    const box = createSecretBox({ current: keyA })
    expect(box.seal(SECRET, 'c')).not.toBe(box.seal(SECRET, 'c'))
  })

  it('opens values of a previous key during a rotation, and seals only under the current one', () => {
    const old = createSecretBox({ current: keyA })
    const sealedOld = old.seal(SECRET, 'c')
    const rotated = createSecretBox({ current: keyB, previous: [keyA] })
    expect(rotated.open(sealedOld, 'c')).toBe(SECRET)
    expect(rotated.isCurrent(sealedOld)).toBe(false)
    expect(rotated.keyIdOf(rotated.seal(SECRET, 'c'))).toBe(keyIdOf(keyB))
    expect(rotated.keyIds).toEqual([keyIdOf(keyB), keyIdOf(keyA)])
  })

  it('refuses a value whose key is not configured, naming the key id', () => {
    const sealed = createSecretBox({ current: keyA }).seal(SECRET, 'c')
    const other = createSecretBox({ current: keyB })
    try {
      other.open(sealed, 'c')
      expect.unreachable()
    } catch (err) {
      expect(err).toMatchObject({
        code: 'COLOPHON_SECURITY_SECRET_KEY_UNKNOWN',
        details: { keyId: keyIdOf(keyA) },
      })
    }
  })

  it('refuses a value moved to another context, altered, or malformed', () => {
    const box = createSecretBox({ current: keyA })
    const sealed = box.seal(SECRET, 'user_totp:u1')
    expect(codeOf(() => box.open(sealed, 'user_totp:u2'))).toBe('COLOPHON_SECURITY_SECRET_UNREADABLE')
    const last = sealed.at(-2) === 'A' ? 'B' : 'A'
    const altered = `${sealed.slice(0, -2)}${last}${sealed.slice(-1)}`
    expect(codeOf(() => box.open(altered, 'user_totp:u1'))).toBe('COLOPHON_SECURITY_SECRET_UNREADABLE')
    for (const bad of [SECRET, 'v1:zz:abc', `v1:${box.currentKeyId}:AAAA`, '']) {
      expect(codeOf(() => box.open(bad, 'user_totp:u1'))).toBe('COLOPHON_SECURITY_SECRET_UNREADABLE')
    }
    expect(box.isSealed(SECRET)).toBe(false)
    expect(box.keyIdOf(SECRET)).toBeNull()
  })

  it('reads keys as 32 bytes of base64 or base64url, and refuses anything else without quoting it', () => {
    const text = generateKeyText()
    expect(parseKey(text).equals(parseKey(Buffer.from(text, 'base64').toString('base64url')))).toBe(true)
    for (const bad of ['', 'short', 'x'.repeat(44), Buffer.alloc(16).toString('base64')]) {
      expect(() => parseKey(bad)).toThrow('an encryption key must be 32 bytes in base64')
    }
  })
})

describe('message authentication codes', () => {
  const key = randomBytes(32)
  const box = createSecretBox({ current: key })

  it('checks its own codes and refuses altered ones', () => {
    const code = box.mac('media-url', '/media/a|100')
    expect(code).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(box.verifyMac('media-url', '/media/a|100', code)).toBe(true)
    expect(box.verifyMac('media-url', '/media/a|101', code)).toBe(false)
    expect(box.verifyMac('other', '/media/a|100', code)).toBe(false)
    expect(box.verifyMac('media-url', '/media/a|100', code.slice(0, -1))).toBe(false)
    expect(box.verifyMac('media-url', '/media/a|100', `${code}=`)).toBe(false)
  })

  it('accepts codes of a previous key during a rotation, and no others', () => {
    const rotated = createSecretBox({ current: randomBytes(32), previous: [key] })
    const code = box.mac('media-url', 'm')
    expect(rotated.verifyMac('media-url', 'm', code)).toBe(true)
    expect(createSecretBox({ current: randomBytes(32) }).verifyMac('media-url', 'm', code)).toBe(false)
    expect(rotated.mac('media-url', 'm')).not.toBe(code)
  })
})
