import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configFor } from '../platform/config/index.ts'
import { generateKeyText } from '../platform/security/index.ts'
import { createTestDatabase, type TestDatabase } from '../../test/harness/test-db.ts'
import { createSecretsCommand } from './cli-secrets.ts'
import { serve } from './server.ts'
import { work } from './worker.ts'

/**
 * The encryption key at start: production refuses to start without one, before touching the database,
 * with an error naming the setting (the command line prints it as `error CODE: message`); and
 * `colophon secrets rotate` reports each sealed column.
 */

let dataDir: string
let db: TestDatabase
const silentOut = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done()
    },
  })

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'colophon-key-'))
  db = await createTestDatabase('migrated')
})
afterAll(async () => {
  await db.destroy()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('encryption key at start', () => {
  const production = () =>
    configFor({ env: 'production', dataDir, logLevel: 'silent', smtpUrl: 'smtp://127.0.0.1:1', port: 0 })

  it.each([
    ['serve', () => serve(production(), [], silentOut())],
    ['worker', () => work(production(), [])],
  ])('%s refuses to start in production without a key, naming it', async (_command, start) => {
    await expect(start()).rejects.toMatchObject({
      code: 'COLOPHON_SECURITY_ENCRYPTION_KEY_REQUIRED',
      message: expect.stringMatching(
        /^In production COLOPHON_ENCRYPTION_KEY \(or COLOPHON_ENCRYPTION_KEY_FILE\)/,
      ),
    })
    // Stopped before opening the database: no embedded database, and no development key either.
    expect(existsSync(path.join(dataDir, 'pglite'))).toBe(false)
    expect(existsSync(path.join(dataDir, 'encryption.key'))).toBe(false)
  })
})

describe('colophon secrets rotate', () => {
  it('prints its usage without `rotate` (exit 64)', async () => {
    const command = createSecretsCommand(configFor({ dataDir, encryptionKey: generateKeyText() }), {
      out: silentOut(),
    })
    expect(await command(undefined)).toBe(64)
  })

  it('reports every sealed column under the current key', async () => {
    let printed = ''
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        printed += chunk.toString()
        done()
      },
    })
    const config = configFor({ dataDir, encryptionKey: generateKeyText() })
    // The test's database, which the command must leave open (the harness closes it).
    const openDatabase = async () => ({ ...db.appEngine, close: async () => undefined })
    expect(await createSecretsCommand(config, { out, openDatabase })('rotate')).toBe(0)
    expect(printed).toMatch(/^user_totp\.secret: 0 sealed again$/m)
    expect(printed).toMatch(/^mail_queue\.body: 0 sealed again$/m)
    expect(printed).toContain('previous keys may be removed')
  })
})
