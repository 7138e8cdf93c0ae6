import { afterEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../../test/harness/test-db.ts'
import { applyMigrations, newId, readMigrationFiles } from '../../../platform/db/index.ts'

/**
 * Migration 0006 splits `site.content.read` (ADR 0009): roles and API keys stored before it keep what the
 * old name allowed, except the shipped subscriber role, which keeps only private published entries.
 */

const MIGRATION = '0006_content-read-capabilities'
let db: TestDatabase | undefined
afterEach(async () => {
  await db?.destroy()
  db = undefined
})

async function capabilitiesOf(slug: string): Promise<string[]> {
  const [row] = (await db?.engine.query<{ capabilities: string[] }>(
    'SELECT capabilities FROM roles WHERE slug = $1',
    [slug],
  )) ?? [undefined]
  return row?.capabilities ?? []
}

describe(`migration ${MIGRATION}`, () => {
  it('gives roles and keys holding site.content.read both new capabilities, the subscriber only private', async () => {
    // The migrated template, put back to what 0006 found: its record gone, the subscriber as 0002 made it.
    // (Replaying every earlier migration on an empty database would take longer than a test may.)
    db = await createTestDatabase('migrated')
    await db.engine.query('DELETE FROM colophon_meta.schema_migrations WHERE id = $1', [MIGRATION])
    await db.engine.query(
      `UPDATE roles SET capabilities = '{site.content.read,site.comments.create}' WHERE slug = 'subscriber'`,
    )
    await db.engine.query(
      `INSERT INTO roles (id, slug, name, scope, capabilities) VALUES
         ($1, 'copy-reviewer', 'Copy reviewer', 'site', '{site.comments.moderate,site.content.read}'),
         ($2, 'commenter', 'Commenter', 'site', '{site.comments.create}')`,
      [newId(), newId()],
    )
    const userId = newId()
    await db.engine.query(`INSERT INTO users (id, email, name) VALUES ($1, 'old@example.com', 'Old')`, [
      userId,
    ])
    const [readKey, otherKey] = [newId(), newId()]
    await db.engine.query(
      `INSERT INTO api_keys (id, user_id, name, secret_hash, scopes) VALUES
         ($1, $3, 'reader', 'x', '{site.content.read,site.media.create}'),
         ($2, $3, 'uploader', 'y', '{site.media.create}')`,
      [readKey, otherKey, userId],
    )

    expect((await applyMigrations(db.engine, readMigrationFiles())).applied).toEqual([MIGRATION])

    expect(await capabilitiesOf('copy-reviewer')).toEqual([
      'site.comments.moderate',
      'site.content.read.drafts',
      'site.content.read.private',
    ])
    expect(await capabilitiesOf('commenter')).toEqual(['site.comments.create'])
    expect(await capabilitiesOf('subscriber')).toEqual(['site.comments.create', 'site.content.read.private'])
    expect(await capabilitiesOf('editor')).toEqual([])
    const keys = await db.engine.query<{ id: string; scopes: string[] }>('SELECT id, scopes FROM api_keys')
    expect(Object.fromEntries(keys.map((k) => [k.id, k.scopes]))).toEqual({
      [readKey]: ['site.content.read.drafts', 'site.content.read.private', 'site.media.create'],
      [otherKey]: ['site.media.create'],
    })
  })
})
