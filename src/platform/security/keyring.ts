import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { createSecretBox, generateKeyText, parseKey, type SecretBox } from './secret-box.ts'
import { SecurityErrors } from './security.errors.ts'

/**
 * Where the secret box gets its keys. Configured keys always win (`COLOPHON_ENCRYPTION_KEY`, with
 * `COLOPHON_ENCRYPTION_PREVIOUS_KEYS` still accepted for reading during a rotation). Without one,
 * production refuses to start; development and tests use a key generated once into the data directory
 * (mode 0600), which keeps a first run free of set-up but ties the secrets to that directory.
 */

export interface KeyringSettings {
  env: 'development' | 'test' | 'production'
  encryptionKey?: string | undefined
  encryptionPreviousKeys: readonly string[]
  dataDir: string
}

export interface Keyring {
  box: SecretBox
  /** `configured`: from the configuration; `data-dir`: the development key file. */
  source: 'configured' | 'data-dir'
  /** The development key file, when that is the source. */
  file?: string
}

export const DEVELOPMENT_KEY_FILE = 'encryption.key'

export function openKeyring(settings: KeyringSettings): Keyring {
  const previous = settings.encryptionPreviousKeys.map(parseKey)
  if (settings.encryptionKey) {
    return {
      box: createSecretBox({ current: parseKey(settings.encryptionKey), previous }),
      source: 'configured',
    }
  }
  if (settings.env === 'production') throw SecurityErrors.encryptionKeyRequired()
  const file = path.join(settings.dataDir, DEVELOPMENT_KEY_FILE)
  return { box: createSecretBox({ current: developmentKey(file), previous }), source: 'data-dir', file }
}

/** Reads the development key file, creating it (readable by this user only) on first use. */
function developmentKey(file: string): Buffer {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    mkdirSync(path.dirname(file), { recursive: true })
    text = generateKeyText()
    try {
      // `wx`: of two processes starting at once, one writes and the other reads what it wrote.
      writeFileSync(file, text + '\n', { mode: 0o600, flag: 'wx' })
    } catch (raced) {
      if ((raced as NodeJS.ErrnoException).code !== 'EEXIST') throw raced
      text = readFileSync(file, 'utf8')
    }
  }
  try {
    return parseKey(text)
  } catch {
    throw new TypeError(
      `${file} does not hold a 32-byte base64 key; set COLOPHON_ENCRYPTION_KEY, or restore the file`,
    )
  }
}
