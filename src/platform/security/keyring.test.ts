import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DEVELOPMENT_KEY_FILE, openKeyring } from './keyring.ts'
import { generateKeyText, keyIdOf, parseKey } from './secret-box.ts'

const dirs: string[] = []
function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'colophon-keyring-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('keyring', () => {
  it('uses the configured key, with previous keys for reading', () => {
    const current = generateKeyText()
    const previous = generateKeyText()
    const keyring = openKeyring({
      env: 'production',
      encryptionKey: current,
      encryptionPreviousKeys: [previous],
      dataDir: dataDir(),
    })
    expect(keyring.source).toBe('configured')
    expect(keyring.box.currentKeyId).toBe(keyIdOf(parseKey(current)))
    expect(keyring.box.keyIds).toContain(keyIdOf(parseKey(previous)))
  })

  it('refuses to run in production without a key, naming the setting', () => {
    const dir = dataDir()
    expect(() => openKeyring({ env: 'production', encryptionPreviousKeys: [], dataDir: dir })).toThrow(
      expect.objectContaining({
        code: 'COLOPHON_SECURITY_ENCRYPTION_KEY_REQUIRED',
        message: expect.stringContaining('COLOPHON_ENCRYPTION_KEY'),
      }),
    )
    // Production never falls back to a generated key.
    expect(() => statSync(path.join(dir, DEVELOPMENT_KEY_FILE))).toThrow()
  })

  it('generates a development key once into the data directory, readable by its owner only', () => {
    const dir = dataDir()
    const first = openKeyring({ env: 'development', encryptionPreviousKeys: [], dataDir: dir })
    expect(first.source).toBe('data-dir')
    const file = path.join(dir, DEVELOPMENT_KEY_FILE)
    expect(first.file).toBe(file)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const again = openKeyring({ env: 'development', encryptionPreviousKeys: [], dataDir: dir })
    expect(again.box.currentKeyId).toBe(first.box.currentKeyId)
    expect(keyIdOf(parseKey(readFileSync(file, 'utf8')))).toBe(first.box.currentKeyId)
  })
})
